"""The nightly check of stored files: every row whose file is gone is logged as an error and the
operators are told. Apart from ``uploads`` (plumbing, which imports no app) because telling people
goes through ``notifications.notify``; ``uploads.stored_files_missing`` finds the rows."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from notifications.services import notify

from .uploads import MissingFile, stored_files_missing

logger = logging.getLogger("gwangmyeong_portal.uploads")

REPORT_ROWS = 50  # rows named in the operators' message; the log has every one


def stored_files_check(*, today=None) -> list[MissingFile]:
    """The nightly check: every row whose stored file is gone is logged as an error, and operators
    (superusers) get one message a day listing them, in their inbox and by e-mail. Repeating it
    the same day sends nothing new (the message's key is the date)."""
    missing = list(stored_files_missing())
    for row in missing:
        logger.error("Stored file missing: %s", row)
    if not missing:
        logger.info("Stored files check: every file is in place")
        return missing
    day = today or timezone.localdate()
    listing = "\n".join(str(row) for row in missing[:REPORT_ROWS])
    if len(missing) > REPORT_ROWS:
        listing += f"\n… (+{len(missing) - REPORT_ROWS})"
    operators = get_user_model().objects.filter(is_superuser=True, is_active=True)
    with transaction.atomic():
        for operator in operators:
            notify(recipient=operator, kind="portal.stored_files_missing",
                   context={"count": len(missing), "rows": listing, "day": day.isoformat()},
                   channels=("inapp", "email"), idempotency_key=f"portal.stored_files_missing:{day}:{operator.pk}")
    return missing
