"""A weekly series as a course: one registration (``CourseRegistration``) that takes a confirmed place
in every session still to come, and cancelling it as a whole.

Concurrency: the series row and then every remaining session's row are locked (``SELECT … FOR
UPDATE``, sessions in id order) for the length of the transaction, so a course registration and
single registrations of its sessions are counted one after another."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify

from .. import notification_kinds as kinds
from ..models import CourseRegistration, Event, EventSeries, Registration
from ._shared import Status, format_when, message_context, places_taken
from .registrations import CONSENT_VERSION, registration_cancel


def course_sessions(series: EventSeries, *, now: datetime):
    """The sessions a course registration made now would hold a place in: scheduled, not started."""
    return Event.objects.filter(series=series, status=Event.Status.SCHEDULED, starts_at__gt=now)


def course_register(*, series: EventSeries, user, consent: bool, provision_consent: bool = False,
                    party_size: int = 1, now: datetime | None = None) -> CourseRegistration:
    """Register ``user`` for the whole course: a confirmed place in every remaining session, or
    nothing. Refused (``ValidationError``, nothing changes) without consent, for a series that is
    not a course, before the first remaining session's registration opens or after it closes, for
    a second registration, or when any remaining session is full. Told once, by one message."""

    now = now or timezone.now()
    if consent is not True:
        raise ValidationError(_("개인정보 수집·이용에 동의해야 신청할 수 있습니다."))
    if series.shares_with_organiser and provision_consent is not True:
        raise ValidationError(_("주관 기관에 개인정보를 제공하는 데 동의해야 신청할 수 있습니다."))
    if not isinstance(party_size, int) or party_size < 1 or party_size > series.party_size_max:
        raise ValidationError(_("한 번에 %(n)s명까지 신청할 수 있습니다.") % {"n": series.party_size_max})
    with transaction.atomic():
        series = EventSeries.objects.select_for_update().get(pk=series.pk)
        if not series.course_registration:
            raise ValidationError(_("이 반복 행사는 회차별로 신청합니다."))
        sessions = sorted(course_sessions(series, now=now).select_for_update().order_by("pk"),
                          key=lambda event: (event.starts_at, event.pk))
        if not sessions or not series.registration_required:
            raise ValidationError(_("신청할 수 있는 회차가 없습니다."))
        first = sessions[0]
        if first.registration_opens_at and now < first.registration_opens_at:
            raise ValidationError(_("아직 신청 기간이 아닙니다. 신청은 %(when)s에 시작합니다.")
                                  % {"when": format_when(first.registration_opens_at)})
        if first.registration_closes_at and now > first.registration_closes_at:
            raise ValidationError(_("신청 기간이 끝났습니다."))
        if (CourseRegistration.objects.filter(series=series, user=user, cancelled_at__isnull=True).exists()
                or Registration.objects.filter(event__in=sessions, user=user, status__in=Registration.ACTIVE).exists()):
            raise ValidationError(_("이미 이 강좌에 신청하셨습니다. 내 행사 신청에서 확인해 주세요."))
        full = [event for event in sessions
                if event.capacity is not None and places_taken(event) + party_size > event.capacity]
        if full:
            raise ValidationError(_("정원이 찬 회차가 있어 강좌 전체를 신청할 수 없습니다: %(dates)s")
                                  % {"dates": ", ".join(format_when(event.starts_at) for event in full)})
        try:
            with transaction.atomic():
                course = CourseRegistration.objects.create(series=series, user=user, party_size=party_size)
                Registration.objects.bulk_create([
                    Registration(event=event, user=user, party_size=party_size, status=Status.CONFIRMED,
                                 course=course, consent_version=CONSENT_VERSION, consented_at=now,
                                 provision_consented_at=now if series.shares_with_organiser else None)
                    for event in sessions
                ])
        except IntegrityError:
            raise ValidationError(_("이미 이 강좌에 신청하셨습니다. 내 행사 신청에서 확인해 주세요.")) from None
        notify(recipient=user, kind=kinds.COURSE_REGISTERED.key,
               context=message_context(first, user, title=_series_title(series, user), place=first.venue or "-",
                                count=str(len(sessions))),
               idempotency_key=f"events.course:{course.pk}", link=series.get_absolute_url())
    return course


def _series_title(series: EventSeries, user) -> str:
    from django.utils import translation

    from notifications.rendering import language_for

    with translation.override(language_for(user)):
        return series.title


def course_cancel(*, course: CourseRegistration, now: datetime | None = None) -> CourseRegistration:
    """Cancel a course registration: its places in the sessions still to come are cancelled (each
    offered to that session's waitlist); sessions already held stay as they were, for the record."""

    now = now or timezone.now()
    with transaction.atomic():
        course = CourseRegistration.objects.select_for_update().get(pk=course.pk)
        if course.cancelled_at is not None:
            raise ValidationError(_("이미 취소한 신청입니다."))
        for registration in course.registrations.filter(
                status__in=(Status.CONFIRMED, Status.OFFERED, Status.WAITLISTED), event__ends_at__gt=now):
            registration_cancel(registration=registration, now=now)
        course.cancelled_at = now
        course.save(update_fields=["cancelled_at"])
    return course
