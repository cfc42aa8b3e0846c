"""Journey: a new citizen signs up, verifies the e-mail, walks the finder question by question,
applies with a PDF, a clerk approves it in the admin, and the citizen sees the decision on the
application page and in the notification inbox. On a phone and a desktop; axe-core on every page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from accounts.roles import CITIZEN, role_permissions_sync
from conftest import PASSWORD
from programs.models import Application
from tests.files import PDF
from tests.programs.factories import ProgramFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The finder's questions in order, and how this citizen answers each (None: skip with the default).
FINDER_ANSWERS = [
    ("광명시에 주민등록이 되어 있나요?", "예"),
    ("만 나이가 어떻게 되나요?", "34"),
    ("결혼하셨거나 결혼을 준비 중인가요?", "결혼했습니다"),
    ("지금 임신 중인가요?", "아니오"),
    ("출산 예정일을 알려 주세요 (선택)", None),
    ("자녀가 있다면 나이를 쉼표로 적어 주세요", "1, 4"),
    ("부부가 모두 일하는 맞벌이 가구인가요?", "예"),
    ("가구 소득은 기준 중위소득의 몇 %인가요?", None),
]


def _no_sideways_scroll(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, page.url


def _sign_up_and_verify(page, axe_audit, viewport):
    # One address per viewport: allauth sends one confirmation per address every 3 minutes, and
    # its rate-limit counters live in Redis, shared by the two runs of this journey.
    email = f"new.citizen.{viewport['width']}@example.com"
    page.goto("/accounts/signup/")
    axe_audit(page)
    _no_sideways_scroll(page, viewport)
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form[action*='signup'] button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    axe_audit(page)

    # The live server runs in this process with the locmem backend: the message is in the outbox.
    sent = [m for m in mail.outbox if email in m.to and "/accounts/confirm-email/" in m.body]
    assert len(sent) == 1, [m.subject for m in mail.outbox]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", sent[0].body).group(0)
    page.goto(link)
    axe_audit(page)
    page.locator("form[action*='confirm-email'] button[type=submit]").click()
    page.wait_for_url("**/me/")  # confirmed and signed in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION)
    axe_audit(page)
    user = User.objects.get(email=email)
    assert user.emailaddress_set.get(email=email).verified
    assert user.groups.filter(name=CITIZEN).exists()
    return user


def _walk_the_finder(page, axe_audit, viewport):
    page.goto("/programs/finder/")
    for number, (question, answer) in enumerate(FINDER_ANSWERS, start=1):
        expect(page.locator(".finder-progress")).to_contain_text(f"{len(FINDER_ANSWERS)}개 질문 중 {number}번째")
        axe_audit(page)
        _no_sideways_scroll(page, viewport)
        if answer is not None:
            if page.locator("input[type=radio]").count():
                # KRDS draws the radio on the label, which covers the input: click the label.
                page.locator("label", has_text=re.compile(f"^{answer}$")).click()
            else:
                page.get_by_label(question).fill(answer)
        button = "결과 보기" if number == len(FINDER_ANSWERS) else "다음 질문"
        page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("맞춤 혜택 찾기 결과")
    answered = sum(answer is not None for _question, answer in FINDER_ANSWERS)
    expect(page.get_by_text(f"{len(FINDER_ANSWERS)}개 질문 중 {answered}개에 답하셨습니다")).to_be_visible()
    expect(page.get_by_text("둘째 자녀부터 지급 — 자녀 2명이라고 알려 주셨습니다")).to_have_count(1)
    axe_audit(page)


def _clerk_approves_in_the_admin(page, axe_audit, clerk, reference):
    """The clerk works in their own browser, the same size as the citizen's."""
    role_permissions_sync()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", clerk.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action*='login'] button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    page.goto(f"/admin/programs/application/?q={reference}")
    row = page.locator("#result_list tbody tr", has_text=reference)
    expect(row).to_have_count(1)
    axe_audit(page)
    application = Application.objects.get(reference=reference)
    row.locator(f"input[name=_selected_action][value='{application.pk}']").check()
    page.select_option("select[name=action]", "action_approve")
    page.locator("button[name=index]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messagelist")).to_contain_text("1건을 처리했습니다")
    axe_audit(page)


def test_citizen_signs_up_finds_applies_and_sees_the_decision(page, another_page, axe_audit, viewport, clerk,
                                                              tmp_path):
    program = ProgramFactory(slug="birth-incentive", title_ko="출산 장려금", summary_ko="둘째 자녀부터 지급합니다",
                             eligibility_rules=[{"field": "children", "op": "gte", "value": 2,
                                                 "label_ko": "둘째 자녀부터 지급"}])
    RequiredDocumentFactory(program=program, name_ko="가족관계증명서")
    document = tmp_path / "가족관계증명서.pdf"
    document.write_bytes(PDF)

    user = _sign_up_and_verify(page, axe_audit, viewport)
    _walk_the_finder(page, axe_audit, viewport)

    page.get_by_role("link", name="출산 장려금").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("출산 장려금")
    axe_audit(page)
    page.get_by_role("link", name="온라인으로 신청하기").click()
    axe_audit(page)
    _no_sideways_scroll(page, viewport)
    page.set_input_files("input[type=file]", str(document))
    page.locator("label[for=id_consent]").click()  # KRDS draws the box on the label
    assert page.locator("#id_consent").is_checked()
    page.get_by_role("button", name="신청하기").click()
    page.wait_for_url("**/me/applications/GM-*/")

    application = Application.objects.get(applicant=user)
    reference = application.reference
    assert page.url.endswith(f"/me/applications/{reference}/")
    expect(page.locator(".status")).to_have_text("접수")
    expect(page.get_by_role("link", name="가족관계증명서.pdf")).to_have_count(1)
    axe_audit(page)

    _clerk_approves_in_the_admin(another_page(), axe_audit, clerk, reference)
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED

    page.reload()
    expect(page.locator(".status")).to_have_text("승인")
    expect(page.locator(".history-timeline")).to_contain_text("승인")
    axe_audit(page)
    _no_sideways_scroll(page, viewport)

    page.goto("/me/notifications/")
    decided = page.locator(".notification", has_text=f"[신청 결과: 승인] 출산 장려금 ({reference})")
    expect(decided).to_have_count(1)
    expect(decided).to_have_class(re.compile("notification--unread"))
    axe_audit(page)
    _no_sideways_scroll(page, viewport)
    # The address in the message is a link to the application too (the portal's own pages only).
    expect(decided.locator(".notification-body a")).to_have_attribute("href", f"/me/applications/{reference}/")
    decided.locator(".notification-title").get_by_role("link").click()
    page.wait_for_url(f"**/me/applications/{reference}/")
    expect(page.locator(".status")).to_have_text("승인")
