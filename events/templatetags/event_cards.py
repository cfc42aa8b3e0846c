"""What an event card (templates/events/_card.html) shows: the date badge, places left or the
waitlist, and whether registration is open now. Reads the row and the ``card_taken`` /
``card_waiting`` annotations of ``events.selectors.with_card_figures`` (no query per card)."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def event_card_facts(event, now=None) -> dict:
    now = now or timezone.now()
    taken = getattr(event, "card_taken", None) or 0
    waiting = getattr(event, "card_waiting", None) or 0
    left = None if event.capacity is None else max(0, event.capacity - taken)
    waitlist_left = max(0, event.waitlist_limit - waiting)
    scheduled = event.status == event.Status.SCHEDULED
    if not scheduled:
        state, label, badge = "cancelled", event.get_status_display(), "bg-light-danger"
    elif event.ends_at < now:
        state, label, badge = "past", _("종료"), "bg-light-gray"
    elif not event.registration_required:
        state, label, badge = "walk_in", _("신청 없이 참여"), "bg-light-information"
    elif event.registration_opens_at and now < event.registration_opens_at:
        state, label, badge = "not_yet", _("신청 예정"), "bg-light-information"
    elif (event.registration_closes_at and now > event.registration_closes_at) or now >= event.starts_at:
        state, label, badge = "closed", _("신청 마감"), "bg-light-gray"
    elif left == 0 and waitlist_left > 0:
        state, label, badge = "waitlist", _("대기 신청 가능"), "bg-light-warning"
    elif left == 0:
        state, label, badge = "full", _("정원 마감"), "bg-light-gray"
    else:
        state, label, badge = "open", _("신청 중"), "bg-light-success"
    return {"state": state, "label": label, "badge": badge, "left": left, "waiting": waiting,
            "waitlist_left": waitlist_left, "starts": timezone.localtime(event.starts_at)}
