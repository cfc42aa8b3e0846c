"""Journey: a citizen finds a program, applies with an upload and sees its status — on a phone and a desktop."""

import pytest

from programs.models import Application
from tests.files import PDF
from tests.programs.factories import ProgramFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_citizen_finds_applies_with_upload_and_sees_status(page, axe_audit, login, citizen, tmp_path, viewport):
    program = ProgramFactory(slug="birth-incentive", title_ko="출산 장려금", summary_ko="둘째 자녀부터 지급합니다",
                             eligibility_rules=[{"field": "children", "op": "gte", "value": 2,
                                                 "label_ko": "둘째 자녀부터 지급"}])
    RequiredDocumentFactory(program=program, name_ko="가족관계증명서")
    document = tmp_path / "certificate.pdf"
    document.write_bytes(PDF)

    # The finder, without signing in: answers travel in the URL.
    page.goto("/programs/finder/results/?resident=yes&child_ages=1,4")
    assert page.get_by_text("둘째 자녀부터 지급 — 자녀 2명이라고 알려 주셨습니다").count() == 1
    axe_audit(page)

    login(citizen)
    page.goto("/programs/?q=장려")
    axe_audit(page)
    page.get_by_role("link", name="출산 장려금").click()
    axe_audit(page)
    page.get_by_role("link", name="온라인으로 신청하기").click()
    axe_audit(page)
    page.set_input_files("input[type=file]", str(document))
    page.locator("label[for=id_consent]").click()  # KRDS draws the box on the label
    assert page.locator("#id_consent").is_checked()
    page.get_by_role("button", name="신청하기").click()
    page.wait_for_load_state("networkidle")

    application = Application.objects.get()
    assert page.url.endswith(f"/me/applications/{application.reference}/")
    assert page.get_by_text(f"신청 번호는 {application.reference}입니다").count() == 1
    assert page.locator(".status").inner_text() == "접수"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    axe_audit(page)
