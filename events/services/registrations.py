"""Registering for an event, cancelling, and the waitlist: offers of freed places, taking them, and
their expiry.

Concurrency: every service that counts places and then writes a registration takes a row lock on
the event (``SELECT … FOR UPDATE``) for the length of its transaction, so registrations,
cancellations, offers and their expiry for one event run one after another and the number of
places held never passes ``capacity``. Other events are not blocked.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import Notice, notice_prepare, notice_write, notify

from .. import notification_kinds as kinds
from ..models import Event, Registration
from ._shared import (
    Status,
    format_when,
    lock_event,
    lock_event_state,
    message_context,
    my_link,
    places_counts,
    places_counts_and_holding,
    places_taken,
)

logger = logging.getLogger(__name__)

# The version of the collection notice on the registration form (templates/events/_consent.html).
# Change it whenever that notice changes, so each registration shows which text was agreed to.
CONSENT_VERSION = "events-2026-11-2"

# Codes of the refusals after which the form has nothing left to correct (the event is full, the
# person holds a registration, the event or its window refuses anyone): the view answers them with
# the short refusal page instead of the event page with the form again.
FULL, REGISTERED, CLOSED, PARTY_TOO_LARGE = "full", "registered", "closed", "party_too_large"
NOTHING_TO_CORRECT = frozenset({FULL, REGISTERED, CLOSED})


# --- Registration ------------------------------------------------------------------------------

def _check_answers(event: Event, answers: dict[str, Any]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for question in event.questions or []:
        key = str(question.get("key", ""))
        if not key:
            continue
        value = str(answers.get(key, "") or "").strip()[:500]
        if question.get("required") and not value:
            raise ValidationError(_("‘%(label)s’ 질문에 답해 주세요.") % {"label": question.get("label_ko", key)})
        cleaned[key] = value
    return cleaned


def registration_create(
    *, event: Event, user, consent: bool, provision_consent: bool = False, party_size: int = 1,
    answers: dict[str, Any] | None = None, now: datetime | None = None,
) -> Registration:
    """Register ``user`` for ``event``: confirmed while places last, then waitlisted up to the limit.

    ``consent`` is the registrant's agreement to the collection notice (``CONSENT_VERSION``); its
    version and time are stored on the registration. There is no registration without it. For an
    event a partner agency runs (``event.shares_with_organiser``) the registrant's data goes to that
    agency, so ``provision_consent`` (the separate third-party provision consent) is required too,
    and its time is stored.

    Takes a row lock on the event, so concurrent registrations are counted one after another:
    never more confirmed places than ``capacity``. Refused (``ValidationError``, nothing changes)
    without consent, for a cancelled or postponed event, outside the registration window, a second
    active registration, a party larger than allowed, unanswered required questions, or a full waitlist.

    At an opening rush hundreds of parents queue on that lock, so it is held only for the count and
    the two INSERTs (the registration and its messages): every check that does not depend on the
    count runs before it, against the event as read, and again under the lock only where it reads
    the locked row (its status and window may have changed meanwhile); the confirmation is composed
    before it (``notice_prepare``). A full event and waitlist are refused before the lock too, from the
    committed count: that refusal was true when it was read, and a place freed a moment later is
    the same as this request having come a moment sooner.
    """
    now = now or timezone.now()
    if consent is not True:
        raise ValidationError(_("개인정보 수집·이용에 동의해야 신청할 수 있습니다."))
    if event.shares_with_organiser and provision_consent is not True:
        raise ValidationError(_("주관 기관에 개인정보를 제공하는 데 동의해야 신청할 수 있습니다."))
    if not isinstance(party_size, int) or party_size < 1:
        raise ValidationError(_("신청 인원은 1명 이상이어야 합니다."))
    _check_registrable(event, now)
    if party_size > event.party_size_max:
        raise ValidationError(_("한 번에 %(n)s명까지 신청할 수 있습니다.") % {"n": event.party_size_max})
    # Unlocked: a refusal here was true when read (see above); the status is only a guess.
    taken, waitlisted, holding = places_counts_and_holding(event, user)
    if holding:
        raise ValidationError(_("이미 이 행사에 신청하셨습니다. 내 행사 신청에서 확인해 주세요."), code=REGISTERED)
    cleaned = _check_answers(event, answers or {})
    expected = _status_for(event, taken, waitlisted, party_size)
    notices = {expected: _registered_notice(event, user, expected)}
    try:
        with transaction.atomic():
            locked = lock_event_state(event)
            _check_registrable(locked, now)
            status = _status_for(locked, *places_counts(locked), party_size)
            if status not in notices:  # a place freed or taken meanwhile: the other message
                notices[status] = _registered_notice(locked, user, status)
            registration = Registration.objects.create(
                event=locked, user=user, party_size=party_size, status=status, answers=cleaned,
                consent_version=CONSENT_VERSION, consented_at=now,
                provision_consented_at=now if locked.shares_with_organiser else None,
            )
            notice_write(notices[status], idempotency_key=f"events.registered:{registration.pk}")
    except IntegrityError:
        # The partial unique index caught a second active registration the check above missed.
        raise ValidationError(_("이미 이 행사에 신청하셨습니다. 내 행사 신청에서 확인해 주세요."),
                              code=REGISTERED) from None
    return registration


def _check_registrable(event: Event, now: datetime) -> None:
    """The refusals that read the event itself (not its count), in the order a registrant reads them."""
    if event.status == Event.Status.CANCELLED:
        raise ValidationError(_("취소된 행사에는 신청할 수 없습니다."), code=CLOSED)
    if event.status == Event.Status.POSTPONED:
        raise ValidationError(_("연기된 행사입니다. 새 일정이 정해지면 다시 신청해 주세요."), code=CLOSED)
    if not event.registration_required:
        raise ValidationError(_("이 행사는 신청 없이 누구나 참여할 수 있습니다."), code=CLOSED)
    if event.series_id and event.series.course_registration:
        raise ValidationError(_("이 강좌는 모든 회차를 한 번에 신청합니다. 강좌 안내에서 신청해 주세요."), code=CLOSED)
    if event.registration_opens_at and now < event.registration_opens_at:
        raise ValidationError(_("아직 신청 기간이 아닙니다. 신청은 %(when)s에 시작합니다.")
                              % {"when": format_when(event.registration_opens_at)}, code=CLOSED)
    if (event.registration_closes_at and now > event.registration_closes_at) or now >= event.starts_at:
        raise ValidationError(_("신청 기간이 끝났습니다."), code=CLOSED)


def _status_for(event: Event, taken: int, waitlisted: int, party_size: int) -> str:
    """Confirmed while places last, then waitlisted up to the limit; refused when both are full."""
    if event.capacity is None or taken + party_size <= event.capacity:
        return Status.CONFIRMED
    if waitlisted + party_size <= event.waitlist_limit:
        return Status.WAITLISTED
    # FULL: not a place nor a waitlist place left for anyone; otherwise only this party does not fit.
    code = FULL if taken >= (event.capacity or 0) and waitlisted >= event.waitlist_limit else PARTY_TOO_LARGE
    if event.waitlist_limit:
        raise ValidationError(_("정원과 대기 인원이 모두 찼습니다."), code=code)
    raise ValidationError(_("정원이 찼습니다."), code=code)


def _registered_notice(event: Event, user, status: str) -> Notice:
    if status == Status.CONFIRMED:
        return notice_prepare(recipient=user, kind=kinds.REGISTRATION_CONFIRMED.key, link=my_link(),
                              context=message_context(event, user, place=event.venue or "-"))
    return notice_prepare(recipient=user, kind=kinds.REGISTRATION_WAITLISTED.key, link=my_link(),
                          context=message_context(event, user))


# An offer shorter than this cannot reasonably be answered: close to the deadline the freed place is
# released as a free place instead (anyone may then register for it while registration is open).
MIN_OFFER_WINDOW = timedelta(hours=1)


def offer_deadline_bound(event: Event) -> datetime:
    """The last moment a waitlist offer of ``event`` can be taken: its registration close, or its
    start when that comes first (or there is no close)."""
    if event.registration_closes_at and event.registration_closes_at < event.starts_at:
        return event.registration_closes_at
    return event.starts_at


def freed_places_offer(event: Event, now: datetime) -> list[Registration]:
    """With the event row locked: offer free places to the waitlist in order of registration.

    Every change that frees places (a cancellation, an offer lapsing, capacity raised, a party made
    smaller, a registration removed) ends here. The first waitlisted person whose party fits gets an
    offer held for ``offer_hold_hours`` but never past the registration close or the start
    (``offer_deadline_bound``); with 0 hours the place is confirmed at once. When less than
    ``MIN_OFFER_WINDOW`` is left before that bound, nobody is offered anything: the place stays free."""
    offered = []
    if event.capacity is None or event.status != Event.Status.SCHEDULED:
        return offered
    bound = offer_deadline_bound(event)
    if now >= bound or (event.offer_hold_hours and bound - now < MIN_OFFER_WINDOW):
        return offered
    free = event.capacity - places_taken(event)
    for registration in event.registrations.filter(status=Status.WAITLISTED).select_related("user").order_by(
        "created_at", "pk"
    ):
        if free <= 0:
            break
        if registration.party_size > free:
            continue
        free -= registration.party_size
        if event.offer_hold_hours:
            registration.status = Status.OFFERED
            registration.offer_expires_at = min(now + timedelta(hours=event.offer_hold_hours), bound)
            registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
            notify(recipient=registration.user, kind=kinds.OFFER_MADE.key,
                   context=message_context(event, registration.user,
                                           expires=format_when(registration.offer_expires_at)),
                   idempotency_key=f"events.offer:{registration.pk}:{registration.offer_expires_at.isoformat()}",
                   link=my_link(), sms_useless_after=registration.offer_expires_at)
        else:
            registration.status = Status.CONFIRMED
            registration.save(update_fields=["status", "updated_at"])
            notify(recipient=registration.user, kind=kinds.REGISTRATION_CONFIRMED.key,
                   context=message_context(event, registration.user, place=event.venue or "-"),
                   idempotency_key=f"events.promoted:{registration.pk}", link=my_link())
        offered.append(registration)
    return offered


def event_offer_free_places(*, event: Event | int, now: datetime | None = None) -> list[Registration]:
    """Offer whatever places of ``event`` are free to its waitlist, in order (the same rules as after
    a cancellation). For callers that freed places by other means; takes the event row lock."""
    now = now or timezone.now()
    with transaction.atomic():
        return freed_places_offer(lock_event(event), now)


def offer_lapse(event: Event, registration: Registration, now: datetime) -> None:
    """With the event row locked: the offer ends unanswered (the registration is cancelled, its owner told)."""
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "cancelled_at", "offer_expires_at", "updated_at"])
    notify(recipient=registration.user, kind=kinds.OFFER_EXPIRED.key, context=message_context(event, registration.user),
           idempotency_key=f"events.offer_expired:{registration.pk}", link=event.get_absolute_url())


def registration_cancel(*, registration: Registration, now: datetime | None = None) -> Registration:
    """Cancel a registration (by the citizen, or by staff for them) and offer the freed place.

    Locks the event row. Attended and already-cancelled registrations cannot be cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Status.CANCELLED:
            raise ValidationError(_("이미 취소한 신청입니다."))
        if registration.status == Status.ATTENDED:
            raise ValidationError(_("참석이 확인된 신청은 취소할 수 없습니다."))
        if now >= event.ends_at:
            raise ValidationError(_("끝난 행사의 신청은 취소할 수 없습니다."))
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "cancelled_at", "offer_expires_at", "updated_at"])
        freed_places_offer(event, now)
    return registration


def offer_accept(*, registration: Registration, now: datetime | None = None) -> Registration:
    """Take an offered place: the registration becomes confirmed if the offer is still open.

    Refused (nothing changes) on a cancelled or postponed event. Refused too once the offer has
    expired or the registration close (or the start) has passed; then the offer is ended at once
    (its owner told, the place passed on as after ``offers_expire``), committed before the refusal."""
    now = now or timezone.now()
    refusal = None
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Status.OFFERED:
            raise ValidationError(_("수락할 수 있는 빈자리 제안이 없습니다."))
        if event.status == Event.Status.CANCELLED:
            raise ValidationError(_("취소된 행사입니다. 빈자리 제안은 끝났습니다."))
        if event.status == Event.Status.POSTPONED:
            raise ValidationError(_("연기된 행사입니다. 새 일정이 정해지면 다시 알려 드립니다."))
        if now >= offer_deadline_bound(event):
            refusal = _("신청이 마감되어 빈자리를 수락할 수 없습니다. 제안은 끝났습니다.")
        elif registration.offer_expires_at <= now:
            refusal = _("빈자리 제안 기간이 지났습니다.")
        if refusal:
            offer_lapse(event, registration, now)
            freed_places_offer(event, now)
        else:
            registration.status = Status.CONFIRMED
            registration.offer_expires_at = None
            registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
            notify(recipient=registration.user, kind=kinds.REGISTRATION_CONFIRMED.key,
                   context=message_context(event, registration.user, place=event.venue or "-"),
                   idempotency_key=f"events.accepted:{registration.pk}", link=my_link())
    if refusal:
        raise ValidationError(refusal)
    return registration


def offers_expire(*, now: datetime | None = None) -> int:
    """Beat job: offers not taken in time lapse (the registration is cancelled, its owner told)
    and the place passes to the next on the waitlist. Returns how many offers lapsed."""
    now = now or timezone.now()
    event_ids = set(
        Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now).values_list("event_id", flat=True)
    )
    lapsed = 0
    for event_id in sorted(event_ids):
        with transaction.atomic():
            event = lock_event(event_id)
            expired = list(event.registrations.select_related("user").filter(
                status=Status.OFFERED, offer_expires_at__lte=now))
            for registration in expired:
                offer_lapse(event, registration, now)
                lapsed += 1
            freed_places_offer(event, now)
    return lapsed
