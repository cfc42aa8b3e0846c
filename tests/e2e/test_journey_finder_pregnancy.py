"""Journey (issue 13.3): a pregnant mother of one goes through the finder, question by question, on
the demo catalog and sees the birth incentive — for her coming second child — as a benefit she can
have, apart from the facilities open to everyone."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def _choose(page, label_for: str):
    page.locator(f"label[for={label_for}]").click()  # KRDS draws the radio on the label
    page.get_by_role("button", name="다음 질문").click()


def test_pregnant_mother_of_one_sees_the_birth_incentive_as_a_benefit(page, axe_audit, viewport):
    from programs.demo import seed

    seed()
    page.goto("/programs/finder/")
    axe_audit(page)
    _choose(page, "q-yes")  # 광명시에 주민등록
    page.fill("#q-input", "33")
    page.get_by_role("button", name="다음 질문").click()
    _choose(page, "q-married")
    _choose(page, "q-yes")  # 지금 임신 중
    page.get_by_role("button", name="다음 질문").click()  # due date: optional, left empty
    page.fill("#q-input", "3")  # one child, aged 3
    page.get_by_role("button", name="다음 질문").click()
    _choose(page, "q-no")  # not dual income
    page.locator("label[for=q-3]").click()
    page.get_by_role("button", name="결과 보기").click()
    page.wait_for_load_state("networkidle")

    benefits = page.locator("section[aria-labelledby=benefits-title]")
    eligible = benefits.locator(".finder-row--eligible", has_text="출산 장려금")
    assert eligible.count() == 1
    assert eligible.get_by_text("태어날 아이가 둘째입니다").count() == 1
    assert page.get_by_text("지금은 대상이 아니에요 — 자녀 1명").count() == 0

    everyone = page.locator("section[aria-labelledby=open-to-all-title]")
    assert everyone.get_by_role("heading", name="누구나 이용할 수 있는 시설·서비스").count() == 1
    assert everyone.get_by_role("link", name="장난감도서관").count() == 1
    # The facilities are no longer counted among the benefits she qualifies for.
    assert benefits.get_by_role("link", name="장난감도서관").count() == 0
    assert benefits.get_by_role("link", name="시청 종합민원실 수유실").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    axe_audit(page)
