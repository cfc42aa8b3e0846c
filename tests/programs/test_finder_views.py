"""The finder pages: one question per step, shareable result URLs, saving only on request, the timeline."""

from datetime import date

import pytest
from django.urls import reverse
from icalendar import Calendar

from programs.models import FinderProfile, Program

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db

SECOND_CHILD = [{"field": "children", "op": "gte", "value": 2, "label_ko": "둘째 자녀부터 지급"}]


def test_each_step_asks_one_question_and_carries_earlier_answers(client):
    response = client.get(reverse("programs:finder"), {"step": "2", "resident": "yes"})
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["question"]["key"] == "age"
    assert 'name="resident" value="yes"' in body and 'name="step" value="3"' in body


@pytest.mark.parametrize("step", ["0", "-5", "999", "abc", ""])
def test_bad_step_numbers_fall_back(client, step):
    assert client.get(reverse("programs:finder"), {"step": step}).status_code == 200


def test_a_bad_answer_is_asked_again_with_the_error_and_the_typed_value_whatever_the_step(client):
    response = client.get(reverse("programs:finder"), {"resident": "yes", "age": "150", "step": "3"})
    body = response.content.decode()
    assert response.context["question"]["key"] == "age"
    assert "0에서 120 사이의 숫자로 적어 주세요." in body
    assert 'value="150"' in body and 'aria-invalid="true"' in body
    # The good answer still rides along; the bad one is not carried as a hidden field too.
    assert 'name="resident" value="yes"' in body and 'type="hidden" name="age"' not in body


def test_the_first_of_several_bad_answers_is_asked_first(client):
    response = client.get(reverse("programs:finder"),
                          {"age": "abc", "child_ages": "1,x", "income": "2", "step": "8"})
    assert response.context["question"]["key"] == "age"
    assert "숫자로 적어 주세요." in response.content.decode()


def test_results_with_a_bad_answer_send_the_citizen_back_to_that_question(client):
    response = client.get(reverse("programs:finder_results"), {"resident": "yes", "age": "150", "income": "2"},
                          follow=True)
    assert response.context["question"]["key"] == "age"
    assert "0에서 120 사이의 숫자로 적어 주세요." in response.content.decode()


def test_results_list_every_program_with_reasons_and_nothing_is_stored(client, citizen):
    ProgramFactory(title_ko="출산 장려금", eligibility_rules=SECOND_CHILD)
    ProgramFactory(title_ko="장난감도서관", eligibility_rules=[])
    client.force_login(citizen)
    response = client.get(reverse("programs:finder_results"), {"resident": "yes", "child_ages": "3"})
    body = response.content.decode()
    assert "출산 장려금" in body and "장난감도서관" in body
    assert "둘째 자녀부터 지급 — 자녀 1명이라고 알려 주셨습니다" in body
    assert not FinderProfile.objects.exists()


def test_a_pregnant_mother_of_one_sees_the_birth_incentive_as_a_benefit(client):
    ProgramFactory(title_ko="출산 장려금 (둘째부터)", eligibility_rules=[
        {"field": "resident", "op": "eq", "value": True, "label_ko": "광명시민"},
        {"field": "birth_order", "op": "gte", "value": 2, "label_ko": "둘째 자녀부터 지급"}])
    ProgramFactory(title_ko="청년 창업 자금", eligibility_rules=[
        {"field": "age", "op": "between", "value": [19, 39], "label_ko": "만 19~39세"}])
    ProgramFactory(title_ko="시청 수유실", eligibility_rules=[], is_facility=True)
    ProgramFactory(title_ko="혁신학교", eligibility_rules=[])
    response = client.get(reverse("programs:finder_results"),
                          {"resident": "yes", "age": "45", "pregnant": "yes", "child_ages": "3"})
    results = response.context["results"]
    assert [row.program.title_ko for row in results.eligible] == ["출산 장려금 (둘째부터)"]
    assert [row.program.title_ko for row in results.ineligible] == ["청년 창업 자금"]
    assert {row.program.title_ko for row in results.open_to_all} == {"시청 수유실", "혁신학교"}
    body = response.content.decode()
    benefits = body[body.index('id="benefits-title"'):body.index('id="open-to-all-title"')]
    assert "출산 장려금 (둘째부터)" in benefits and "태어날 아이가 둘째입니다" in benefits
    assert "시청 수유실" not in benefits
    everyone = body[body.index('id="open-to-all-title"'):body.index('id="group-ineligible"')]
    assert "누구나 이용할 수 있는 시설·서비스 (2)" in everyone and "시청 수유실" in everyone


def test_results_follow_the_life_stages_in_the_order_a_family_meets_them(client):
    ProgramFactory(title_ko="청년 일자리", life_stage="jobs_housing", eligibility_rules=[])
    ProgramFactory(title_ko="육아 센터", life_stage="childcare_education", eligibility_rules=[])
    ProgramFactory(title_ko="산모 교실", life_stage="pregnancy_birth", eligibility_rules=[])
    results = client.get(reverse("programs:finder_results"), {"resident": "yes"}).context["results"]
    assert [row.program.title_ko for row in results.open_to_all] == ["산모 교실", "육아 센터", "청년 일자리"]


def test_save_to_profile_only_when_asked_and_can_be_forgotten(client, citizen):
    client.force_login(citizen)
    client.post(reverse("programs:finder_save"), {"resident": "yes", "age": "31", "child_ages": "0,4"})
    assert FinderProfile.objects.get(user=citizen).answers == {"resident": "yes", "age": "31", "child_ages": "0,4"}
    assert "저장한 답변으로 결과 보기" in client.get(reverse("accounts:me")).content.decode()
    client.post(reverse("programs:finder_forget"))
    assert not FinderProfile.objects.exists()


def test_saving_requires_sign_in(client):
    response = client.post(reverse("programs:finder_save"), {"resident": "yes"})
    assert response.status_code == 302 and not FinderProfile.objects.exists()


def test_timeline_from_due_date_and_its_ics(client):
    ProgramFactory(title_ko="임신·출산 교실", slug="class", timeline_anchor=Program.TimelineAnchor.DUE_DATE,
                   timeline_start_days=-200, timeline_end_days=-30)
    ProgramFactory(title_ko="출산 장려금", slug="incentive", timeline_anchor=Program.TimelineAnchor.BIRTH_DATE,
                   timeline_start_days=0, timeline_end_days=365)
    response = client.get(reverse("programs:timeline"), {"due_date": "2027-05-01"})
    items = response.context["items"]
    assert [(i.program.slug, i.ends_on) for i in items] == [("class", date(2027, 4, 1))]

    ics = client.get(reverse("programs:timeline_ics"), {"due_date": "2027-05-01", "birth_date": "2027-05-03"})
    assert ics["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(ics.content)
    events = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]).startswith("신청 마감")]
    assert len(events) == 2
    start = events[0].decoded("dtstart")
    assert start.date() == date(2027, 4, 1) and str(start.tzinfo) == "Asia/Seoul"


@pytest.mark.parametrize("query", [{}, {"due_date": "not-a-date"}, {"birth_date": "2027-02-30"}])
def test_timeline_bad_input_shows_a_message_not_an_error(client, query):
    assert client.get(reverse("programs:timeline"), query).status_code == 200
    assert client.get(reverse("programs:timeline_ics"), query).status_code == 404
