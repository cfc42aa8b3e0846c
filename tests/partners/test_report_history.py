"""A report's review history: a return reason is still there after the report is accepted, with
who did each step and when, and the agency reads it on the report's page."""

import importlib

import pytest
from django.apps import apps

from partners import services
from partners.models import ActivityReport, ActivityReportEvent

from .factories import ActivityReportFactory

pytestmark = pytest.mark.django_db


def test_returned_resubmitted_accepted_keeps_the_return_reason(client, agency_a, clause, staff_a, staff_b, clerk):
    report = ActivityReportFactory(agency=agency_a, clause=clause, created_by=staff_a)
    services.activity_report_submit(report=report, actor=staff_a)
    services.activity_report_return(report=report, actor=clerk, comment="참석자 명단을 붙여 주세요")
    services.activity_report_submit(report=report, actor=staff_a)
    services.activity_report_accept(report=report, actor=clerk)
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.ACCEPTED
    steps = [(e.from_status, e.to_status, e.actor, e.note) for e in report.history.all()]
    assert steps == [
        ("draft", "submitted", staff_a, ""),
        ("submitted", "returned", clerk, "참석자 명단을 붙여 주세요"),
        ("returned", "submitted", staff_a, ""),
        ("submitted", "accepted", clerk, ""),
    ]
    client.force_login(staff_a)
    page = client.get(f"/admin/partners/activityreport/{report.pk}/change/").content.decode()
    assert "검토 이력" in page and "참석자 명단을 붙여 주세요" in page and clerk.name in page
    # Another agency's staff reach neither the report nor its history.
    client.force_login(staff_b)
    assert client.get(f"/admin/partners/activityreport/{report.pk}/change/").status_code == 404
    assert not ActivityReportEvent.objects.visible_to(staff_b).exists()


def test_the_migration_writes_history_from_existing_reports(agency_a, clause, staff_a, clerk):
    """Reports decided before the history existed keep their last submission and decision."""
    from django.utils import timezone

    decided = timezone.now()
    returned = ActivityReportFactory(agency=agency_a, clause=clause, status="returned", city_comment="사진 필요",
                                     submitted_by=staff_a, submitted_at=decided, decided_by=clerk, decided_at=decided)
    draft = ActivityReportFactory(agency=agency_a, clause=clause)
    migration = importlib.import_module("partners.migrations.0005_report_history_withdraw_and_korean_labels")
    migration.history_from_existing_reports(apps, None)
    assert [(e.to_status, e.actor, e.note) for e in returned.history.all()] == [
        ("submitted", staff_a, ""), ("returned", clerk, "사진 필요")]
    assert not draft.history.exists()
