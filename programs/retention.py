"""Retention of programs' records, run nightly by ``programs.tasks.purge_expired_task``:

- decided and withdrawn applications, APPLICATION_RETENTION_DAYS after the decision or withdrawal,
  are anonymised (replaced by a row the reports dashboard still counts, with nothing about the person);
- drafts never submitted, APPLICATION_DRAFT_RETENTION_DAYS after their last save, are deleted;
- finder answers saved to a profile, FINDER_PROFILE_RETENTION_DAYS after their last save, are deleted.

Uploaded files leave storage only after the batch that removed their rows has committed.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Case, DateTimeField, OuterRef, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from gwangmyeong_portal.batches import id_batches
from gwangmyeong_portal.uploads import delete_files_on_commit

from .models import Application, ApplicationDocument, ApplicationEvent, FinderProfile

S = Application.Status
RETENTION_BATCH = 500
# The one account every anonymised application points to: ``applicant`` cannot be NULL, and one shared
# stub (inactive, no password, no name) keeps no trace of who applied.
ANONYMISED_APPLICANT_EMAIL = "anonymised-applicant@invalid.invalid"


def anonymised_applicant():
    """The shared stand-in applicant of anonymised applications (made on first use)."""
    user, _created = get_user_model().objects.get_or_create(
        email=ANONYMISED_APPLICANT_EMAIL,
        defaults={"is_active": False, "password": make_password(None), "anonymised_at": timezone.now()},
    )
    return user


def _delete_files_on_commit(names: list[str]) -> None:
    delete_files_on_commit(ApplicationDocument._meta.get_field("file").storage, names)


def _expired_applications(*, cutoff: datetime, anonymous_id: int):
    """Decided or withdrawn applications, not anonymised yet, decided or withdrawn before ``cutoff``.

    A withdrawal has no ``decided_at``: its time is the history step that withdrew it (``updated_at``
    where that step is missing, as for a decision without a time)."""
    withdrawn_at = Subquery(ApplicationEvent.objects.filter(application=OuterRef("pk"), to_status=S.WITHDRAWN)
                            .order_by("-at").values("at")[:1], output_field=DateTimeField())
    return (Application.objects.filter(status__in=(*Application.DECIDED, S.WITHDRAWN))
            .exclude(applicant_id=anonymous_id)
            .annotate(ended_at=Case(When(status=S.WITHDRAWN, then=Coalesce(withdrawn_at, "updated_at")),
                                    default=Coalesce("decided_at", "updated_at")))
            .filter(ended_at__lt=cutoff))


def application_anonymise_expired(*, now: datetime | None = None, batch_size: int = RETENTION_BATCH) -> int:
    """Anonymise decided and withdrawn applications older than APPLICATION_RETENTION_DAYS; returns how many.

    Each one is replaced by a new row that holds only what the reports dashboard counts — program,
    status, submission and decision dates — under the shared anonymous applicant and a random
    reference. The old row goes with everything about the person: answers (household facts),
    contact, consent, decision reason, information request, history with its notes, and uploaded
    documents (rows now, files once their batch commits). A new row rather than an emptied one,
    because the old reference (``GM-<year>-<number>``) is in the applicant's hands and in old
    e-mails: the row it named no longer exists. The dashboard's figures do not change.

    Works in batches, each its own transaction (a new row and the deletion of the old commit
    together), so 200,000 rows never sit in memory and a run stopped half-way keeps what it did; an
    anonymised row belongs to the anonymous applicant and never matches again, so running twice is
    harmless.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.APPLICATION_RETENTION_DAYS)
    anonymous = anonymised_applicant()
    expired = _expired_applications(cutoff=cutoff, anonymous_id=anonymous.pk)
    total = 0
    for ids in id_batches(expired, batch_size):
        with transaction.atomic():
            rows = list(Application.objects.filter(pk__in=ids).exclude(applicant_id=anonymous.pk)
                        .values("pk", "program_id", "status", "submitted_at", "decided_at"))
            _delete_files_on_commit(list(ApplicationDocument.objects.filter(application_id__in=[r["pk"] for r in rows])
                                         .values_list("file", flat=True)))
            # single_per_person off: "one active application per person and program" must not bind the
            # shared anonymous account, which holds many approved applications per program.
            Application.objects.bulk_create([
                Application(program_id=r["program_id"], applicant=anonymous, single_per_person=False,
                            status=r["status"], reference=f"X-{secrets.token_hex(8)}", submitted_at=r["submitted_at"],
                            decided_at=r["decided_at"])
                for r in rows
            ])
            Application.objects.filter(pk__in=[r["pk"] for r in rows]).delete()  # documents, history go too
            total += len(rows)
    return total


def application_draft_purge_expired(*, now: datetime | None = None, batch_size: int = RETENTION_BATCH) -> int:
    """Delete drafts not saved for APPLICATION_DRAFT_RETENTION_DAYS, with their uploads; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.APPLICATION_DRAFT_RETENTION_DAYS)
    expired = Application.objects.filter(status=S.DRAFT, updated_at__lt=cutoff)
    total = 0
    for ids in id_batches(expired, batch_size):
        with transaction.atomic():
            # Locked and checked again (still a draft, still untouched): a submit or save running right
            # now either waits for this batch or, holding the row itself, keeps it out of the batch.
            locked = list(expired.filter(pk__in=ids).select_for_update(skip_locked=True)
                          .values_list("pk", flat=True))
            _delete_files_on_commit(list(ApplicationDocument.objects.filter(application_id__in=locked)
                                         .values_list("file", flat=True)))
            _deleted, by_model = Application.objects.filter(pk__in=locked).delete()  # documents, history too
            total += by_model.get(Application._meta.label, 0)
    return total


def finder_profile_purge_expired(*, now: datetime | None = None, batch_size: int = RETENTION_BATCH) -> int:
    """Delete finder answers not saved again for FINDER_PROFILE_RETENTION_DAYS; returns how many.
    In batches of ids, each its own transaction: a delete signal (the person's my-page cache) runs
    per row, so one unbounded DELETE would load every expired row at once."""
    now = now or timezone.now()
    expired = FinderProfile.objects.filter(saved_at__lt=now - timedelta(days=settings.FINDER_PROFILE_RETENTION_DAYS))
    total = 0
    for ids in id_batches(expired, batch_size):
        with transaction.atomic():
            total += expired.filter(pk__in=ids).delete()[0]
    return total
