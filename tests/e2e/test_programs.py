"""Journey: a citizen finds a program, applies with an upload and sees its status — on a phone and a desktop."""

import pytest

from programs.models import Application
from tests.files import FAKE_PDF, PDF
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


def test_a_refused_upload_keeps_the_good_one_and_the_summary_leads_to_the_field(page, axe_audit, login, citizen,
                                                                               tmp_path, viewport):
    """Issue 13.4: two files, one refused — the good one is kept, the summary links to the other."""
    program = ProgramFactory(slug="birth-incentive", title_ko="출산 장려금")
    family = RequiredDocumentFactory(program=program, name_ko="가족관계증명서", order=1)
    bank = RequiredDocumentFactory(program=program, name_ko="통장 사본", order=2)
    good, fake, fixed = tmp_path / "가족관계.pdf", tmp_path / "통장.pdf", tmp_path / "통장-다시.pdf"
    good.write_bytes(PDF)
    fake.write_bytes(FAKE_PDF)
    fixed.write_bytes(PDF)

    login(citizen)
    page.goto(f"/programs/{program.slug}/apply/")
    assert page.locator(f"label[for=id_doc_{family.pk}]").inner_text().endswith("(필수)")
    page.set_input_files(f"#id_doc_{family.pk}", str(good))
    page.set_input_files(f"#id_doc_{bank.pk}", str(fake))
    page.locator("label[for=id_consent]").click()
    page.get_by_role("button", name="신청하기").click()
    page.wait_for_load_state("networkidle")

    summary = page.locator("#error-summary")
    assert summary.is_visible() and "고쳐야 할 곳: 1" in summary.inner_text()
    assert page.locator(".uploaded-documents").get_by_text("가족관계.pdf").count() == 1
    assert "이미 올렸습니다" in page.locator(f"#id_doc_{family.pk}_hint").inner_text()
    axe_audit(page)
    summary.get_by_role("link", name="통장 사본").click()
    assert page.url.endswith(f"#id_doc_{bank.pk}")
    assert page.locator(f"#id_doc_{bank.pk}").is_visible()

    # Only the refused file needs picking again.
    page.set_input_files(f"#id_doc_{bank.pk}", str(fixed))
    page.get_by_role("button", name="신청하기").click()
    page.wait_for_load_state("networkidle")
    application = Application.objects.get()
    assert application.status == "submitted" and page.url.endswith(f"/me/applications/{application.reference}/")
    assert sorted(application.documents.values_list("original_name", flat=True)) == ["가족관계.pdf", "통장-다시.pdf"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
