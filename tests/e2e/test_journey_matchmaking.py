"""Journey: two public employees met at a meetup; each signs in, picks the other, and both then see the
other's contact on the matches page. On a phone and a desktop; axe-core on every page."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from matchmaking.models import Match, Profile
from tests.matchmaking.factories import attend, make_profile, make_session

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action*='login'] button[type=submit]").first.click()
    page.wait_for_url("**/me/")


def _pick(page, axe_audit, viewport, other: Profile):
    page.goto("/matchmaking/sessions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("만남 행사 목록")
    axe_audit(page)
    page.get_by_role("link", name="마음에 드는 분 고르기").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("마음에 드는 분 고르기")
    axe_audit(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    # KRDS draws the checkbox on the label, which covers the input: click the label.
    page.locator("label", has_text=other.display_name).click()
    assert page.get_by_label(other.display_name).is_checked()
    page.get_by_role("button", name="선택 저장").click()


def _sees_contact(page, axe_audit, viewport, other: Profile, contact: str):
    expect(page.get_by_role("heading", level=1)).to_have_text("매칭 확인")
    card = page.locator(".portal-card", has_text=other.display_name)
    expect(card).to_contain_text(contact)
    axe_audit(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


def test_two_employees_pick_each_other_and_see_each_others_contact(page, another_page, axe_audit, viewport):
    session = make_session(start_in_days=-0.2)  # ended about two hours ago; picks are open
    her = make_profile(gender=Profile.Gender.FEMALE, display_name="봄날", contact="010-1111-2222")
    him = make_profile(gender=Profile.Gender.MALE, display_name="여름밤", contact="010-3333-4444")
    bystander = make_profile(gender=Profile.Gender.MALE, display_name="가을비", contact="010-5555-6666")
    attend(session, her, him, bystander)

    # She picks him first: nothing is revealed yet.
    _sign_in(page, her.user)
    _pick(page, axe_audit, viewport, him)
    expect(page.locator(".portal-message").first).to_have_text("선택을 저장했습니다.")
    expect(page.get_by_text("이미 1명을 고르셨습니다.")).to_be_visible()
    axe_audit(page)
    page.goto("/matchmaking/matches/")
    expect(page.get_by_text("아직 매칭이 없습니다.")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("010-3333-4444")
    axe_audit(page)

    # He picks her on his own phone or computer: a match, and he sees her contact at once.
    his_page = another_page()
    _sign_in(his_page, him.user)
    _pick(his_page, axe_audit, viewport, her)
    his_page.wait_for_url("**/matchmaking/matches/")
    expect(his_page.locator(".portal-messages")).to_contain_text("서로 선택한 분이 있습니다")
    _sees_contact(his_page, axe_audit, viewport, her, "010-1111-2222")
    expect(his_page.locator("main")).not_to_contain_text("010-5555-6666")

    # She comes back and sees his.
    page.goto("/matchmaking/matches/")
    _sees_contact(page, axe_audit, viewport, him, "010-3333-4444")
    expect(page.locator("main")).not_to_contain_text("010-5555-6666")
    assert Match.objects.filter(session=session).count() == 1
