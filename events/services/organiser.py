"""What an organiser does beside the calendar: messages to registrants (sent now or scheduled, with a
history that tells a repeated send from a deliberate second one), and registrants added, moved or
resized by hand, each with a reason."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Event, OrganiserMessage, Registration
from ._shared import Status, format_when, lock_event, message_context, my_link, places_taken, title_context
from .registrations import CONSENT_VERSION, freed_places_offer

# Who an organiser may write to.
MESSAGE_STATUSES = (Status.CONFIRMED, Status.OFFERED, Status.WAITLISTED, Status.ATTENDED)


class AlreadySent(ValidationError):
    """The same text went (or is scheduled to go) to the same registrants of this event already."""

    def __init__(self, previous: OrganiserMessage):
        when = previous.sent_at or previous.send_at
        if previous.sent_at:
            text = _("같은 안내를 %(when)s에 이미 %(n)s명에게 보냈습니다. 다시 보내려면 ‘다시 보내기’를 고르세요.") % {
                "when": format_when(when), "n": previous.recipient_count}
        else:
            text = _("같은 안내가 %(when)s에 보내도록 이미 예약되어 있습니다. "
                     "다시 보내려면 ‘다시 보내기’를 고르세요.") % {"when": format_when(when)}
        super().__init__(text)
        self.previous = previous


def _clean_statuses(statuses: Iterable[str]) -> str:
    wanted = set(statuses)
    return ",".join(code for code in MESSAGE_STATUSES if code in wanted)


def organiser_message_previous(*, event: Event, statuses: Iterable[str], text: str) -> OrganiserMessage | None:
    """The latest message with this text to these registrants of ``event`` that went or will go."""
    return (OrganiserMessage.objects.filter(event=event, statuses=_clean_statuses(statuses), text=text.strip(),
                                            cancelled_at__isnull=True)
            .order_by("-created_at", "-pk").first())


def registrants_message(*, event: Event, statuses: Iterable[str], text: str, sent_by=None,
                        send_at: datetime | None = None, again: bool = False, now: datetime | None = None) -> int:
    """Send the organiser's ``text`` to every registrant of ``event`` in ``statuses``; returns how
    many people it went to (0 when it is scheduled for ``send_at``, which beat's
    ``events-send-organiser-messages`` job sends then).

    Each message is kept (``OrganiserMessage``: the history on the organiser page). The same text to
    the same registrants again is refused with ``AlreadySent`` (saying when it went) unless ``again``:
    then it is written and sent anew, with message keys of its own."""
    now = now or timezone.now()
    codes = _clean_statuses(statuses)
    text = text.strip()
    if not text:
        raise ValidationError(_("보낼 내용을 입력해 주세요."))
    if not codes:
        raise ValidationError(_("받는 사람을 골라 주세요."))
    if send_at is not None and send_at <= now:
        send_at = None  # a time in the past means "now"
    with transaction.atomic():
        lock_event(event)  # two organisers pressing "send" at once: the second sees the first's row
        previous = organiser_message_previous(event=event, statuses=codes.split(","), text=text)
        if previous is not None and not again:
            raise AlreadySent(previous)
        message = OrganiserMessage.objects.create(event=event, text=text, statuses=codes, sent_by=sent_by,
                                                  send_at=send_at)
        if send_at is not None:
            return 0
        return _send(message, now)


def _send(message: OrganiserMessage, now: datetime) -> int:
    """Claim ``message`` (a conditional UPDATE: a second run finds it taken) and notify its registrants."""
    claimed = OrganiserMessage.objects.filter(pk=message.pk, sent_at__isnull=True,
                                              cancelled_at__isnull=True).update(sent_at=now)
    if not claimed:
        return 0
    event = message.event
    count = 0
    for registration in event.registrations.filter(status__in=message.status_list).select_related("user"):
        notify(recipient=registration.user, kind=kinds.ORGANISER_MESSAGE.key,
               context={**title_context(event, registration.user), "text": message.text},
               idempotency_key=f"events.organiser_message:{message.pk}:{registration.pk}",
               link=event.get_absolute_url())
        count += 1
    OrganiserMessage.objects.filter(pk=message.pk).update(recipient_count=count)
    message.sent_at, message.recipient_count = now, count
    return count


def organiser_messages_send_due(*, now: datetime | None = None) -> int:
    """Beat job: send scheduled organiser messages whose time has come; returns how many messages.
    Each is claimed before sending, so a job that runs twice sends it once."""
    now = now or timezone.now()
    due = OrganiserMessage.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True, send_at__lte=now)
    sent = 0
    for message in due.select_related("event").order_by("send_at", "pk"):
        with transaction.atomic():
            if _send(message, now) or message.sent_at:
                sent += 1
    return sent


def organiser_message_cancel(*, message: OrganiserMessage, now: datetime | None = None) -> OrganiserMessage:
    """Call off a scheduled message that has not gone yet."""
    now = now or timezone.now()
    if not OrganiserMessage.objects.filter(pk=message.pk, sent_at__isnull=True, cancelled_at__isnull=True).update(
            cancelled_at=now):
        raise ValidationError(_("이미 보냈거나 취소한 안내입니다."))
    message.refresh_from_db()
    return message


# --- Registrants by hand ------------------------------------------------------------------------

def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("사유를 적어 주세요. 사유는 접속기록에 남습니다."))
    return reason


def registration_add_by_organiser(*, event: Event, user, reason: str, party_size: int = 1,
                                  waitlist: bool = False, now: datetime | None = None) -> Registration:
    """The organiser registers ``user`` by hand (a phone call, the desk): confirmed if the places
    allow (or on the waitlist, at its end, when ``waitlist``); refused when full. The person is
    told as after registering themselves. ``reason`` is required; the caller logs it."""

    _need_reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        event = lock_event(event)
        if event.status != Event.Status.SCHEDULED:
            raise ValidationError(_("예정된 행사에만 신청자를 추가할 수 있습니다."))
        if party_size < 1 or party_size > event.party_size_max:
            raise ValidationError(_("한 번에 %(n)s명까지 신청할 수 있습니다.") % {"n": event.party_size_max})
        fits = event.capacity is None or places_taken(event) + party_size <= event.capacity
        if not fits and not waitlist:
            raise ValidationError(_("남은 자리가 없습니다. 대기자로 추가하거나 정원을 늘려 주세요."))
        status = Status.CONFIRMED if fits and not waitlist else Status.WAITLISTED
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=event, user=user, party_size=party_size, status=status,
                    # The organiser took the consent (by phone, at the desk): marked as such.
                    consent_version=f"staff:{CONSENT_VERSION.removeprefix('events-')}"[:20], consented_at=now,
                    provision_consented_at=now if event.shares_with_organiser else None,
                )
        except IntegrityError:
            raise ValidationError(_("이미 이 행사에 신청한 사람입니다.")) from None
        kind = kinds.REGISTRATION_CONFIRMED if status == Status.CONFIRMED else kinds.REGISTRATION_WAITLISTED
        context = (message_context(event, user, place=event.venue or "-") if status == Status.CONFIRMED
                   else message_context(event, user))
        notify(recipient=user, kind=kind.key, context=context,
               idempotency_key=f"events.registered:{registration.pk}", link=my_link())
    return registration


def registration_move(*, registration: Registration, to_event: Event, reason: str,
                      now: datetime | None = None) -> Registration:
    """Move a registrant to another event (another session, the same organiser's): a new confirmed
    registration there if its places allow, else refused; the old one is cancelled and its place
    offered to that event's waitlist. Both events are locked, in id order."""
    _need_reason(reason)
    now = now or timezone.now()
    if to_event.pk == registration.event_id:
        raise ValidationError(_("같은 행사로는 옮길 수 없습니다."))

    with transaction.atomic():
        locked = {pk: lock_event(pk) for pk in sorted((registration.event_id, to_event.pk))}
        source, target = locked[registration.event_id], locked[to_event.pk]
        registration = Registration.objects.select_for_update().select_related("user").get(pk=registration.pk)
        if registration.status not in (Status.CONFIRMED, Status.OFFERED, Status.WAITLISTED):
            raise ValidationError(_("옮길 수 있는 신청이 아닙니다(%(status)s).")
                                  % {"status": registration.get_status_display()})
        if target.status != Event.Status.SCHEDULED:
            raise ValidationError(_("예정된 행사로만 옮길 수 있습니다."))
        if target.capacity is not None and places_taken(target) + registration.party_size > target.capacity:
            raise ValidationError(_("옮길 행사에 남은 자리가 없습니다."))
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "cancelled_at", "offer_expires_at", "updated_at"])
        try:
            with transaction.atomic():
                moved = Registration.objects.create(
                    event=target, user=registration.user, party_size=registration.party_size,
                    status=Status.CONFIRMED, answers=registration.answers,
                    consent_version=registration.consent_version, consented_at=registration.consented_at,
                    provision_consented_at=registration.provision_consented_at
                    if not target.shares_with_organiser or target.organiser_id == source.organiser_id else None,
                )
        except IntegrityError:
            raise ValidationError(_("이미 옮길 행사에 신청한 사람입니다.")) from None
        notify(recipient=moved.user, kind=kinds.REGISTRATION_CONFIRMED.key,
               context=message_context(target, moved.user, place=target.venue or "-"),
               idempotency_key=f"events.moved:{moved.pk}", link=my_link())
        freed_places_offer(source, now)
    return moved


def registration_party_size_change(*, registration: Registration, party_size: int, reason: str,
                                   now: datetime | None = None) -> Registration:
    """Change how many people a registration brings. Fewer frees places, offered at once to the
    waitlist (as after a cancellation); more is refused when the places do not allow it."""

    _need_reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status not in Registration.ACTIVE:
            raise ValidationError(_("취소된 신청입니다."))
        if party_size < 1 or party_size > event.party_size_max:
            raise ValidationError(_("한 번에 %(n)s명까지 신청할 수 있습니다.") % {"n": event.party_size_max})
        growth = party_size - registration.party_size
        if (growth > 0 and registration.status in Registration.HOLDS_PLACE and event.capacity is not None
                and places_taken(event) + growth > event.capacity):
            raise ValidationError(_("남은 자리가 없어 인원을 늘릴 수 없습니다."))
        registration.party_size = party_size
        registration.save(update_fields=["party_size", "updated_at"])
        if growth < 0:
            freed_places_offer(event, now)
    return registration
