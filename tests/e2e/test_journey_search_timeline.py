"""Journeys (issue 13.2, 13.7): a typo in the home search still finds the program with a "did you
mean"; a signed-in citizen turns on reminders for her timeline and off again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from programs.models import Program, TimelineSubscription
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_typo_in_the_home_search_finds_the_program_and_suggests_it(page, axe_audit):
    ProgramFactory(slug="toy-library", title_ko="장난감도서관", summary_ko="장난감을 빌려 드립니다.")
    ProgramFactory(slug="birth-incentive", title_ko="출산 장려금 (둘째부터)", summary_ko="둘째 자녀부터 지급합니다.")
    page.goto("/")
    page.fill("#home-q", "장남감")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("이것을 찾으셨나요?").count() == 1
    assert page.locator(".program-card-title").first.inner_text() == "장난감도서관"
    axe_audit(page)
    page.locator(".search-suggestion", has_text="장난감도서관").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("이것을 찾으셨나요?").count() == 0
    assert page.get_by_role("link", name="장난감도서관").count() == 1

    page.goto("/")
    page.fill("#home-q", "출산장려금")  # the home page's own example, without the program's space
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name="출산 장려금 (둘째부터)").count() == 1


def test_a_citizen_turns_timeline_reminders_on_and_off(page, axe_audit, login, citizen):
    ProgramFactory(slug="class", title_ko="임신·출산 교실", timeline_anchor=Program.TimelineAnchor.DUE_DATE,
                   timeline_start_days=-200, timeline_end_days=-30)
    due = timezone.localdate() + timedelta(days=100)
    login(citizen)
    page.goto(f"/programs/timeline/?due_date={due.isoformat()}")
    assert page.get_by_text("지금 신청할 수 있어요").count() == 1
    axe_audit(page)
    page.get_by_role("button", name="알림 받기").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("이 일정의 알림을 받고 있습니다.").count() == 1
    assert TimelineSubscription.objects.get(user=citizen).due_date == due
    axe_audit(page)
    page.get_by_role("button", name="알림 끄기").click()
    page.wait_for_load_state("networkidle")
    assert not TimelineSubscription.objects.exists()
    assert page.get_by_role("button", name="알림 받기").count() == 1
