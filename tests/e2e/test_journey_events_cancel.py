"""Journey: a citizen takes the last place at a fair advice booth, then cancels it from 'my events';
the freed place is offered to the first person on the waiting list. On a phone and a desktop;
axe-core on every page."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from events import services
from events.demo import FAIR_PARTS, seed_fair
from events.models import Event, Registration
from notifications.models import Message

pytestmark = pytest.mark.django_db(transaction=True)

BOOTH = FAIR_PARTS[3][0]  # 육아종합지원센터·야간보육 상담 (one person per registration)
FAIR = "아이와 맘 편한 우리동네 박람회"


def test_register_for_a_fair_booth_and_cancel(page, login, axe_audit, citizen, other_citizen, viewport):
    with time_machine.travel(datetime(2027, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Seoul")), tick=True):
        fair = seed_fair()
        booth = fair.sub_events.get(title_ko=BOOTH)
        Event.objects.filter(pk=booth.pk).update(capacity=1)  # one place left: the waiting list matters
        login(citizen)

        page.goto(fair.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_have_text(FAIR)
        axe_audit(page)
        page.get_by_role("link", name=BOOTH).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(BOOTH)
        expect(page.locator(".event-places")).to_contain_text("1명 / 정원 1명")
        axe_audit(page)
        page.locator("label[for=id_consent]").click()  # KRDS draws the box on the label
        expect(page.locator("#id_consent")).to_be_checked()
        page.get_by_role("button", name="신청하기").click()
        expect(page.locator(".registration-status")).to_have_text("확정")
        axe_audit(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1

        # Someone else arrives too late and waits.
        waiting = services.registration_create(event=booth, user=other_citizen, consent=True, provision_consent=True)
        assert waiting.status == Registration.Status.WAITLISTED

        page.get_by_role("main").locator(".btn-wrap").get_by_role("link", name="내 행사 신청").click()
        page.wait_for_url("**/events/my/")
        card = page.locator(".my-registrations .event-card", has_text=BOOTH)
        expect(card).to_contain_text("확정")
        axe_audit(page)
        card.get_by_role("button", name=re.compile("^신청 취소")).click()
        page.wait_for_url("**/events/my/")
        expect(page.locator(".portal-message")).to_have_text(f"‘{BOOTH}’ 신청을 취소했습니다.")
        expect(page.locator(".my-registrations")).to_have_count(0)
        expect(page.get_by_text("신청한 행사가 없습니다.")).to_be_visible()
        axe_audit(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1

        # The booth page no longer shows the citizen as registered; the place went to the waiting list.
        page.goto(booth.get_absolute_url())
        expect(page.locator(".event-register")).not_to_contain_text("이 행사에 신청하셨습니다")
        axe_audit(page)

    mine = Registration.objects.get(user=citizen)
    assert mine.status == Registration.Status.CANCELLED and mine.cancelled_at is not None
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED and waiting.offer_expires_at is not None
    assert Message.objects.filter(recipient=other_citizen, kind="events.offer_made", channel="inapp").count() == 1
