"""Proof of employment at one of the agencies: by work mail, by a verifying staff member, or by the
agency's roster."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.rendering import language_for
from notifications.services import notify
from partners.models import Agency
from partners.selectors import agency_for_email, membership_for

from .. import notification_kinds as kinds
from ..models import Profile, RosterEntry, RosterUpload, Verification


def can_verify_for(user, agency_id: int) -> bool:
    """Whether ``user`` may confirm employees of ``agency_id`` (a verifying member of that agency)."""
    if user is None or not getattr(user, "is_active", False):
        return False
    membership = membership_for(user)
    return membership is not None and membership.can_verify_employees and membership.agency_id == agency_id


@dataclass(frozen=True)
class Eligibility:
    method: str
    agency: Agency
    verified_by: object | None
    verified_at: datetime


def eligibility_for(*, user, now: datetime | None = None) -> Eligibility | None:
    """How ``user`` proves they work at one of the eleven institutions, or None.

    1. a verified (allauth) e-mail address whose domain belongs to an active agency;
    2. a confirmation by a verifying staff member of the same agency;
    3. a verified e-mail address on that agency's roster.
    An unverified address counts for nothing: anybody can type an address.
    """
    from allauth.account.models import EmailAddress

    now = now or timezone.now()
    emails = [e.lower() for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)]
    for email in emails:
        agency = agency_for_email(email)
        if agency is not None:
            return Eligibility(Profile.Method.EMAIL_DOMAIN, agency, None, now)
    confirmations = (Verification.objects.filter(user=user, status=Verification.Status.CONFIRMED,
                                                 agency__is_active=True)
                     .select_related("agency", "decided_by").order_by("-decided_at"))
    for verification in confirmations:
        if can_verify_for(verification.decided_by, verification.agency_id):
            return Eligibility(Profile.Method.STAFF_CONFIRMED, verification.agency, verification.decided_by,
                               verification.decided_at)
    entry = (RosterEntry.objects.filter(email__in=emails, agency__is_active=True)
             .select_related("agency", "upload").first())
    if entry is not None:
        return Eligibility(Profile.Method.ROSTER, entry.agency, entry.upload.uploaded_by, entry.upload.uploaded_at)
    return None


@transaction.atomic
def verification_request(*, user, agency: Agency) -> Verification:
    """Ask the verifying staff of ``agency`` to confirm that ``user`` works there."""
    verification, created = Verification.objects.get_or_create(user=user, agency=agency)
    if not created and verification.status == Verification.Status.REJECTED:
        # Asked again: a new request, dated now (the retention job counts from it).
        verification.status = Verification.Status.REQUESTED
        verification.decided_by, verification.decided_at = None, None
        verification.requested_at = timezone.now()
        verification.save(update_fields=["status", "decided_by", "decided_at", "requested_at"])
    return verification


@transaction.atomic
def verification_decide(*, verification: Verification, staff, confirm: bool,
                        now: datetime | None = None) -> Verification:
    """A verifying staff member of the same agency confirms (or declines) an employee."""
    if not can_verify_for(staff, verification.agency_id):
        raise PermissionDenied(_("이 기관의 직원을 확인할 권한이 없습니다."))
    verification = Verification.objects.select_for_update().get(pk=verification.pk)
    new_status = Verification.Status.CONFIRMED if confirm else Verification.Status.REJECTED
    if verification.status == new_status:
        return verification
    verification.status, verification.decided_by, verification.decided_at = new_status, staff, now or timezone.now()
    verification.save(update_fields=["status", "decided_by", "decided_at"])
    if confirm:
        with translation.override(language_for(verification.user)):
            context = {"agency": verification.agency.name}
        notify(recipient=verification.user, kind=kinds.VERIFICATION_CONFIRMED.key,
               context=context, link=reverse("matchmaking:landing"),
               idempotency_key=f"matchmaking.verification:{verification.pk}:{int(verification.decided_at.timestamp())}")
    return verification


def roster_check(file) -> tuple[set[str], int]:
    """The addresses in a roster file and the number of lines skipped, after the file passed the
    upload checks (a CSV by content, within the size limit). Raises ValidationError otherwise, or
    when no line holds an address: a wrong file must not wipe out the agency's roster."""
    if not hasattr(file, "size"):
        file = File(file, name=getattr(file, "name", "roster.csv"))
    RosterUpload._meta.get_field("file").run_validators(file)
    file.seek(0)
    raw = file.read()
    text = raw.decode("utf-8-sig", errors="replace") if isinstance(raw, bytes) else raw
    emails: set[str] = set()
    skipped = 0
    for row in csv.reader(io.StringIO(text)):
        cell = next((c.strip().lower() for c in row if "@" in c), "")
        if not cell:
            skipped += 1 if any(c.strip() for c in row) else 0
            continue
        try:
            validate_email(cell)
        except ValidationError:
            skipped += 1
            continue
        emails.add(cell)
    if not emails:
        raise ValidationError(
            _("명단에서 업무 메일 주소를 찾지 못했습니다. 한 줄에 주소 하나씩 적은 CSV 파일을 올려 주세요."),
            code="roster_empty",
        )
    return emails, skipped


@transaction.atomic
def roster_import(*, agency: Agency, uploaded_by, file) -> RosterUpload:
    """Replace ``agency``'s roster with the addresses in a CSV (one per line, any column).

    Lines without a valid address, and addresses already on another agency's roster, are skipped
    and counted. The previous upload of this agency (file and entries) is deleted: only the latest
    roster is kept. A file that is not a CSV, too big, or without any address is refused
    (``roster_check``) and the previous roster stays.
    """
    if not (getattr(uploaded_by, "is_superuser", False) or can_verify_for(uploaded_by, agency.pk)):
        raise PermissionDenied(_("이 기관의 직원 명단을 올릴 권한이 없습니다."))
    emails, skipped = roster_check(file)
    for old in RosterUpload.objects.filter(agency=agency):
        old.file.delete(save=False)
        old.delete()
    taken = set(RosterEntry.objects.filter(email__in=emails).values_list("email", flat=True))
    upload = RosterUpload(agency=agency, uploaded_by=uploaded_by)
    from gwangmyeong_portal.uploads import original_name

    upload.original_name = original_name(getattr(file, "name", "roster.csv"))
    file.seek(0)
    upload.file.save("roster.csv", file, save=False)
    fresh = sorted(emails - taken)
    upload.entry_count, upload.skipped_count = len(fresh), skipped + len(emails & taken)
    upload.save()
    RosterEntry.objects.bulk_create([RosterEntry(agency=agency, upload=upload, email=e) for e in fresh])
    return upload
