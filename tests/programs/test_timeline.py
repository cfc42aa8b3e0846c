"""The personal timeline: passed windows said so, a calendar file RFC 5545 accepts (VTIMEZONE, VALARM),
"알림 받기" for signed-in citizens and the beat job that reminds before windows open and close, once."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from notifications.models import Message
from programs.models import Program, TimelineReminder, TimelineSubscription
from programs.tasks import timeline_reminders_task
from programs.timeline import timeline_reminders_send

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def programs():
    # Prenatal class: from 200 to 30 days before the due date. Birth incentive: the year after the birth.
    ProgramFactory(title_ko="임신·출산 교실", slug="class", timeline_anchor=Program.TimelineAnchor.DUE_DATE,
                   timeline_start_days=-200, timeline_end_days=-30)
    ProgramFactory(title_ko="출산 장려금", slug="incentive", timeline_anchor=Program.TimelineAnchor.BIRTH_DATE,
                   timeline_start_days=0, timeline_end_days=365)


def _calendar(client, **dates):
    response = client.get(reverse("programs:timeline_ics"), {k: v.isoformat() for k, v in dates.items()})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return response.content, Calendar.from_ical(response.content)


# --- Page: passed windows --------------------------------------------------------------------------

def test_a_past_due_date_lists_closed_windows_as_passed_not_as_open(client, programs):
    due = TODAY - timedelta(days=400)  # the class closed 430 days ago; the incentive 35 days ago
    response = client.get(reverse("programs:timeline"), {"due_date": due.isoformat(),
                                                         "birth_date": due.isoformat()})
    assert response.context["ahead"] == []
    assert [item.program.slug for item in response.context["behind"]] == ["incentive", "class"]
    body = response.content.decode()
    assert "지난 일정" in body and "신청 기간 지남" in body
    assert "이 날짜로 신청할 수 있는 기간은 모두 지났습니다." in body
    assert "지금 신청할 수 있어요" not in body and "알림 받기" not in body


def test_open_and_upcoming_windows_say_when(client, programs):
    due = TODAY + timedelta(days=100)  # the class is open (closes in 70 days); the birth comes later
    body = client.get(reverse("programs:timeline"), {"due_date": due.isoformat(),
                                                     "birth_date": (TODAY + timedelta(days=5)).isoformat()}
                      ).content.decode()
    assert "지금 신청할 수 있어요 · 마감까지 70일" in body
    assert "5일 뒤 신청 시작" in body


# --- Calendar file ---------------------------------------------------------------------------------

def test_ics_has_the_vtimezone_its_tzid_needs_and_alarms(client, programs):
    raw, calendar = _calendar(client, due_date=TODAY + timedelta(days=250), birth_date=TODAY + timedelta(days=10))
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Asia/Seoul"]
    events = calendar.walk("VEVENT")
    for event in events:
        assert event["DTSTART"].params["TZID"] == "Asia/Seoul"
        assert str(event.decoded("dtstart").tzinfo) == "Asia/Seoul"
    by_summary = {str(e["SUMMARY"]): e for e in events}
    # The class opens in 50 days: a start entry with an alarm 3 days before, and the deadline entry.
    assert set(by_summary) == {"신청 시작: 임신·출산 교실", "신청 마감: 임신·출산 교실",
                               "신청 시작: 출산 장려금", "신청 마감: 출산 장려금"}
    start = by_summary["신청 시작: 임신·출산 교실"]
    assert start.decoded("dtstart").date() == TODAY + timedelta(days=50)
    assert [a.decoded("trigger") for a in start.walk("VALARM")] == [timedelta(days=-3)]
    deadline = by_summary["신청 마감: 임신·출산 교실"]
    alarms = deadline.walk("VALARM")
    assert sorted(a.decoded("trigger") for a in alarms) == [timedelta(days=-7), timedelta(days=-1)]
    assert all(str(a["ACTION"]) == "DISPLAY" and a.get("DESCRIPTION") for a in alarms)
    assert b"BEGIN:VTIMEZONE" in raw and b"BEGIN:VALARM" in raw


def test_ics_leaves_out_passed_windows_and_alarms_already_past(client, programs):
    # The class closed yesterday; the incentive closes in 3 days (its 7-day alarm is past, the 1-day one not).
    due = TODAY + timedelta(days=29)
    birth = TODAY - timedelta(days=362)
    _raw, calendar = _calendar(client, due_date=due, birth_date=birth)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["신청 마감: 출산 장려금"]
    assert [a.decoded("trigger") for a in events[0].walk("VALARM")] == [timedelta(days=-1)]


# --- "알림 받기" -----------------------------------------------------------------------------------

def test_anonymous_visitors_are_offered_sign_in_and_cannot_subscribe(client, programs):
    query = {"due_date": (TODAY + timedelta(days=100)).isoformat()}
    body = client.get(reverse("programs:timeline"), query).content.decode()
    assert "로그인하면 신청 시작 3일 전과 마감 7일 전에 알림을 받을 수 있습니다." in body
    response = client.post(reverse("programs:timeline_subscribe"), query)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not TimelineSubscription.objects.exists()


def test_a_citizen_subscribes_sees_it_and_turns_it_off(client, citizen, programs):
    client.force_login(citizen)
    query = {"due_date": (TODAY + timedelta(days=100)).isoformat()}
    page = client.get(reverse("programs:timeline"), query).content.decode()
    assert 'action="/programs/timeline/reminders/"' in page and "알림 받기" in page

    response = client.post(reverse("programs:timeline_subscribe"), query, follow=True)
    subscription = TimelineSubscription.objects.get(user=citizen)
    assert subscription.due_date == TODAY + timedelta(days=100) and subscription.birth_date is None
    body = response.content.decode()
    assert "신청 일정 알림을 켰습니다." in body and "이 일정의 알림을 받고 있습니다." in body and "알림 끄기" in body
    assert "신청 일정 알림을 받고 있습니다." in client.get(reverse("accounts:me")).content.decode()

    response = client.post(reverse("programs:timeline_unsubscribe"), follow=True)
    assert not TimelineSubscription.objects.exists()
    assert "신청 일정 알림을 껐습니다." in response.content.decode()


def test_subscribing_with_bad_dates_keeps_nothing(client, citizen):
    client.force_login(citizen)
    client.post(reverse("programs:timeline_subscribe"), {"due_date": "2027-02-30"})
    client.post(reverse("programs:timeline_subscribe"), {})
    assert not TimelineSubscription.objects.exists()


def test_the_dates_are_in_the_data_download_and_go_with_the_account(citizen, programs):
    from django.apps import apps

    config = apps.get_app_config("programs")
    TimelineSubscription.objects.create(user=citizen, due_date=date(2027, 5, 1))
    assert config.personal_data_export(citizen)["timeline_reminders"]["due_date"] == "2027-05-01"
    config.personal_data_erase(citizen)
    assert not TimelineSubscription.objects.exists()


# --- The beat job --------------------------------------------------------------------------------

def _messages(user):
    return list(Message.objects.filter(recipient=user, kind="programs.timeline_reminder", channel="inapp")
                .order_by("id").values_list("context", flat=True))


def test_reminds_before_a_window_opens_and_before_it_closes_each_once(citizen, programs):
    due = TODAY + timedelta(days=202)  # the class opens in 2 days, closes in 172
    TimelineSubscription.objects.create(user=citizen, due_date=due)

    assert timeline_reminders_send(today=TODAY)["sent"] == 1
    assert timeline_reminders_send(today=TODAY)["sent"] == 0  # a second run that day sends nothing
    assert timeline_reminders_send(today=TODAY + timedelta(days=1))["sent"] == 0  # nor the next day
    [opens] = _messages(citizen)
    assert opens["what"] == "신청 시작" and opens["date"] == (TODAY + timedelta(days=2)).isoformat()
    assert opens["title"] == "임신·출산 교실" and opens["days"] == "2"

    assert timeline_reminders_send(today=TODAY + timedelta(days=100))["sent"] == 0  # mid-window: quiet
    week_before = due - timedelta(days=37)
    assert timeline_reminders_send(today=week_before)["sent"] == 1
    assert timeline_reminders_send(today=week_before + timedelta(days=3))["sent"] == 0
    closes = _messages(citizen)[1]
    assert closes["what"] == "신청 마감" and closes["date"] == (due - timedelta(days=30)).isoformat()
    assert TimelineReminder.objects.count() == 2


def test_a_reminder_already_claimed_is_not_sent_again(citizen, programs):
    due = TODAY + timedelta(days=202)
    subscription = TimelineSubscription.objects.create(user=citizen, due_date=due)
    TimelineReminder.objects.create(subscription=subscription, program=Program.objects.get(slug="class"),
                                    edge="opens", window_date=TODAY + timedelta(days=2))
    assert timeline_reminders_send(today=TODAY)["sent"] == 0
    assert _messages(citizen) == []


def test_subscriptions_with_every_window_passed_are_deleted(citizen, other_citizen, programs):
    TimelineSubscription.objects.create(user=citizen, due_date=TODAY - timedelta(days=400))
    TimelineSubscription.objects.create(user=other_citizen, due_date=TODAY + timedelta(days=100))
    result = timeline_reminders_task()
    assert result["subscriptions_finished"] == 1
    assert list(TimelineSubscription.objects.values_list("user", flat=True)) == [other_citizen.pk]


def test_the_job_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["programs-timeline-reminders"]
    assert entry["task"] == timeline_reminders_task.name and entry["schedule"] <= 3600
