"""From the fair to the programs: a citizen notes interest in the programs on a booth's poster and
is told, once, when one opens for applications."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Event, ProgramInterest
from ._shared import title_context

# --- From the fair to the programs ------------------------------------------------------------

def program_interest_record(*, user, event: Event, now: datetime | None = None) -> list[ProgramInterest]:
    """Record ``user``'s interest in every published program linked to ``event`` (a booth's poster).

    Recording twice is harmless. A program already open for applications is marked as notified:
    the page the citizen is looking at already says so."""
    from programs.models import Program

    now = now or timezone.now()
    programs = list(event.programs.filter(status=Program.Status.PUBLISHED))
    if not programs:
        raise ValidationError(_("이 행사에 연결된 사업이 없습니다."))
    open_ids = set(Program.objects.filter(pk__in=[p.pk for p in programs]).open_now().values_list("pk", flat=True))
    interests = []
    with transaction.atomic():
        for program in programs:
            interest, _created = ProgramInterest.objects.get_or_create(
                user=user, program=program,
                defaults={"event": event, "notified_open_at": now if program.pk in open_ids else None},
            )
            interests.append(interest)
    return interests


def program_interest_remove(*, interest: ProgramInterest) -> None:
    interest.delete()


def program_interests_notify_open(*, now: datetime | None = None) -> int:
    """Beat job: tell each interested citizen, once, that a program they noted has opened for
    applications. Claimed with a conditional UPDATE and sent with an idempotency key."""
    from programs.models import Program

    now = now or timezone.now()
    open_programs = Program.objects.open_now(today=timezone.localdate(now)).values("pk")
    sent = 0
    pending = ProgramInterest.objects.filter(notified_open_at__isnull=True, program__in=open_programs)
    for interest in pending.select_related("user", "program"):
        with transaction.atomic():
            claimed = ProgramInterest.objects.filter(pk=interest.pk, notified_open_at__isnull=True).update(
                notified_open_at=now)
            if not claimed:
                continue
            notify(recipient=interest.user, kind=kinds.PROGRAM_OPEN.key,
                   context=title_context(interest.program, interest.user),
                   idempotency_key=f"events.program_open:{interest.pk}", link=interest.program.get_absolute_url())
            sent += 1
    return sent
