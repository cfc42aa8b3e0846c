"""The monthly check of the personal-data access log, for clerks (PIPA's safety standard asks for a
check at least monthly). Thin: parse the month, call the selector, log the look, render."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gwangmyeong_portal.access_log import access_log_record

from . import selectors
from .views import reports_access


def _review_month(value: str) -> tuple[date, bool]:
    """The month asked for (``YYYY-MM``), or the last full month; False when the value was unusable."""
    today = timezone.localdate()
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    if not value:
        return last, True
    try:
        month = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return last, False
    if not (2000 <= month.year <= today.year + 1):
        return last, False
    return month, True


@require_GET
@reports_access
def access_review(request):
    """Volume per account, out-of-hours access and exports of one month, flagged against
    ``ACCESS_REVIEW_*``; clerks and superusers only (agency staff 403). Opening it is itself logged."""
    if not request.report_scope.is_city:
        raise PermissionDenied
    month, understood = _review_month(request.GET.get("month", ""))
    review = selectors.access_review(month=month)
    access_log_record(action="view", request=request, record_type="portal.accesslogentry",
                      detail={"review_month": f"{month:%Y-%m}"})
    return render(request, "reports/access_review.html", {
        "review": review, "understood": understood,
        "thresholds": {"records": settings.ACCESS_REVIEW_MAX_RECORDS, "exports": settings.ACCESS_REVIEW_MAX_EXPORTS,
                       "start": settings.ACCESS_REVIEW_OFFICE_START_HOUR,
                       "end": settings.ACCESS_REVIEW_OFFICE_END_HOUR},
        "crumbs": [(_("통계·보고"), reverse("reports:dashboard")),
                   (_("개인정보 접속기록 월간 점검"), reverse("reports:access_review"))],
    })
