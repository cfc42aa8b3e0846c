"""What a program card (templates/programs/_card.html) answers first: can I apply now, until when
(D-n), how much, and how many documents to prepare. Reads only what the row and its prefetched
``required_documents`` hold, so a list of cards costs no extra query."""

from datetime import date

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()

CLOSING_SOON_DAYS = 7


@register.simple_tag
def program_card_facts(program, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    online = program.apply_method == program.ApplyMethod.ONLINE
    days_left = (program.closes_on - today).days if program.closes_on else None
    if program.is_facility:
        status, label, badge = "facility", _("이용 시설"), "bg-light-gray"
    elif program.is_open(today):
        if days_left is not None and days_left <= CLOSING_SOON_DAYS:
            status, label, badge = "closing", _("마감 임박"), "bg-light-danger"
        else:
            status, label, badge = "open", _("신청 가능"), "bg-light-success"
    elif online and program.opens_on and program.opens_on > today:
        status, label, badge = "upcoming", _("신청 예정"), "bg-light-information"
    elif online and program.closes_on and program.closes_on < today:
        status, label, badge = "closed", _("신청 마감"), "bg-light-gray"
    else:
        status, label, badge = "offline", _("방문·전화 신청"), "bg-light-gray"
    documents = [d for d in program.required_documents.all() if d.is_required]
    return {
        "status": status, "status_label": label, "badge": badge,
        "days_left": days_left if status in ("open", "closing") else None,
        "days_to_open": (program.opens_on - today).days if status == "upcoming" else None,
        "documents": len(documents),
    }


@register.filter
def won(amount) -> str:
    """12000000 → '12,000,000' (the card adds 원 / KRW in its own words)."""
    return f"{int(amount):,}"
