"""Journey: find the April fair on the calendar, register for one of its talks, see it on my page.
Every page is audited with axe-core, on a phone and on a desktop."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from events.demo import FAIR_PARTS, seed_fair
from events.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)

TALK = FAIR_PARTS[0][0]  # 부부가 함께 듣는 출산 준비 특강 (couples register two)


def test_find_the_fair_register_for_a_talk_and_see_it_on_my_page(page, login, axe_audit, citizen, viewport):
    # A date while the fair's registration is open, whatever day the suite runs on.
    with time_machine.travel(datetime(2027, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Seoul")), tick=True):
        seed_fair()
        login(citizen)

        page.goto("/events/?month=2027-04")
        expect(page.get_by_role("heading", name="행사·박람회 달력")).to_be_visible()
        axe_audit(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1

        page.get_by_role("link", name=re.compile("아이와 맘 편한 우리동네 박람회")).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("아이와 맘 편한 우리동네 박람회")
        axe_audit(page)

        page.get_by_role("link", name=TALK).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(TALK)
        expect(page.locator(".event-places")).to_contain_text("120명 / 정원 120명")
        axe_audit(page)

        expect(page.get_by_label("참석 인원")).to_have_value("1")  # one person unless changed
        page.get_by_label("참석 인원").select_option("2")
        expect(page.get_by_role("heading", name="개인정보 수집·이용 안내")).to_be_visible()
        page.get_by_role("button", name="신청하기").click()
        # Without consent nothing is registered: the page comes back with the error and the choice kept.
        expect(page.get_by_text("신청하려면 개인정보 수집·이용에 동의해 주세요.")).to_be_visible()
        expect(page.get_by_label("참석 인원")).to_have_value("2")
        page.locator("label[for=id_consent]").click()  # KRDS draws the box on the label
        expect(page.locator("#id_consent")).to_be_checked()
        page.get_by_role("button", name="신청하기").click()
        expect(page.locator(".registration-status")).to_have_text("확정")
        expect(page.get_by_role("img", name=re.compile("입장 확인용 QR 코드"))).to_be_visible()
        axe_audit(page)

        page.goto("/events/my/")
        expect(page.locator(".my-registrations")).to_contain_text(TALK)
        expect(page.get_by_role("button", name=re.compile("신청 취소"))).to_be_visible()
        axe_audit(page)

    registration = Registration.objects.get(user=citizen)
    assert registration.party_size == 2 and registration.status == Registration.Status.CONFIRMED
    assert registration.consent_version and registration.consented_at is not None
