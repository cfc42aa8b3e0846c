"""At the door: checking registrants in, by hand or by their QR token. (The organiser's messages to
registrants are in ``organiser``.)"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Event, Registration
from ._shared import Status

# --- Check-in -----------------------------------------------------------

def checkin(*, registration: Registration, now: datetime | None = None) -> tuple[Registration, bool]:
    """Mark a registrant as attended. Returns (registration, newly checked in).

    Checking in twice is harmless (returns False). Waitlisted or cancelled registrations are refused."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Status.ATTENDED:
            return registration, False
        if registration.status not in (Status.CONFIRMED, Status.OFFERED):
            raise ValidationError(_("확정된 신청이 아닙니다(%(status)s).")
                                  % {"status": registration.get_status_display()})
        registration.status = Status.ATTENDED
        registration.checked_in_at = now
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "checked_in_at", "offer_expires_at", "updated_at"])
    return registration, True


def checkin_by_token(*, event: Event, token: str, now: datetime | None = None) -> tuple[Registration, bool]:
    """Check in the registration whose QR token was scanned; the token must belong to ``event``."""
    registration = Registration.objects.filter(event=event, token=token).first()
    if registration is None:
        raise ValidationError(_("이 행사의 신청 QR 코드가 아닙니다."))
    return checkin(registration=registration, now=now)
