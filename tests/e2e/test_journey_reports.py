"""Journey: a city clerk opens the reports dashboard and downloads a table as CSV — a file Excel opens
in Korean (UTF-8 with a BOM, Korean headers). On a phone and a desktop; axe-core on every page."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import role_permissions_sync
from programs.models import Application
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db(transaction=True)

TABLE = "사업별 승인율과 결정까지 걸린 날"


def test_clerk_opens_the_dashboard_and_downloads_a_csv(page, login, axe_audit, clerk, citizen, viewport):
    role_permissions_sync()
    program = ProgramFactory(slug="birth-incentive", title_ko="출산 장려금")
    now = timezone.now()
    for n, status in enumerate([Application.Status.APPROVED, Application.Status.REJECTED]):
        Application.objects.create(
            program=program, applicant=citizen, single_per_person=False, status=status,
            reference=f"GM-TEST-{n:06d}", submitted_at=now - timedelta(days=20), decided_at=now - timedelta(days=14),
        )
    login(clerk)

    page.goto("/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("통계·보고")
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length > 0")
    table = page.get_by_role("table", name=TABLE)
    expect(table).to_contain_text("출산 장려금")
    axe_audit(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1

    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"{TABLE} CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xef\xbb\xbf"), data[:20]  # the BOM: Excel reads the file as UTF-8
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    assert rows[0] == ["사업", "생애 단계", "접수", "승인", "반려", "승인율(%)", "결정까지 중앙값(일)"]
    # Two applications, one approved and one rejected: too few people to show (the small-count rule).
    assert rows[1][:6] == ["출산 장려금", "임신·출산", "<5", "<5", "<5", "—"]
