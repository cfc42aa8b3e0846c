"""The dashboard in a real browser (Debian's Chromium via Playwright): Chart.js draws every chart
from the json_script data without breaking the Content-Security-Policy, the page passes axe-core,
and a clerk can download a table. Skipped, with the reason, where no browser is installed."""

import pytest
from django.utils import timezone

from tests.reports.conftest import PERIOD, _roles, agencies, data  # noqa: F401 - the reports test data, as fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_clerk_sees_the_charts_and_tables_and_downloads_a_table(page, login, axe_audit, viewport, clerk, data):  # noqa: F811
    login(clerk)
    page.goto(f"/reports/?start={PERIOD['start']}&end={PERIOD['end']}")
    assert page.get_by_role("heading", level=1).inner_text() == "통계·보고"
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length > 0")
    drawn = page.evaluate("Object.keys(Chart.instances).length")
    assert drawn == page.locator("canvas[data-chart-source]").count() >= 6
    assert page.get_by_role("table", name="사업별 승인율과 결정까지 걸린 날").count() == 1
    axe_audit(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="사업별 승인율과 결정까지 걸린 날 CSV", exact=True).click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(3) == b"\xef\xbb\xbf"


def test_detail_export_form_and_my_exports_are_accessible(page, login, axe_audit, clerk, data):  # noqa: F811
    login(clerk)
    page.goto("/reports/exports/applications/")
    axe_audit(page)
    page.get_by_label("내려받는 사유").fill("상반기 실적 보고")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="내려받기").click()
    assert download_info.value.suggested_filename.startswith("applications-")
    page.goto("/reports/exports/")
    axe_audit(page)


def test_clerk_opens_the_monthly_access_check_from_the_dashboard(page, login, axe_audit, clerk, data):  # noqa: F811
    login(clerk)
    page.goto("/reports/")
    page.get_by_role("link", name="개인정보 접속기록 월간 점검").click()
    assert page.get_by_role("heading", level=1).inner_text() == "개인정보 접속기록 월간 점검"
    page.locator("#month").fill(f"{timezone.localdate():%Y-%m}")
    page.get_by_role("button", name="보기").click()
    # This month's log holds at least the clerk's own visit to the dashboard.
    assert page.get_by_role("table", name="계정별 처리량").get_by_text("clerk@example.com").count() == 1
    axe_audit(page)
