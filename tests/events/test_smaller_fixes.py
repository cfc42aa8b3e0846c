"""Issue #20, item 10: English day labels, the organiser field's help text, attendee exports with one
readable column per question. (Feedback from checked-in attendees only: test_reminders, test_views.)"""

import csv
import io
from datetime import datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from conftest import make_user

from .factories import AgencyFactory, EventFactory, RegistrationFactory, staff_of

pytestmark = pytest.mark.django_db


def test_english_week_and_phone_month_lists_print_readable_day_labels(client):
    start = timezone.make_aware(datetime(2027, 12, 13, 10, 0))  # a Monday
    EventFactory(title_ko="주간 행사", starts_at=start, ends_at=start)
    client.cookies["django_language"] = "en"
    week = client.get("/events/week/?week=2027-12-13").content.decode()
    month = client.get("/events/?month=2027-12").content.decode()
    for page in (week, month):
        assert "12Mon" not in page and "13Sun" not in page
    assert "Mon 12/13" in week and "Sun 12/12" in week
    assert "Mon 12/13" in month
    client.cookies["django_language"] = "ko"
    assert "12월 13일 (월요일)" in client.get("/events/week/?week=2027-12-13").content.decode()


def test_the_organiser_help_text_matches_the_field_being_required_for_agency_staff(client, clerk):
    agency = AgencyFactory(slug="police", name_ko="광명경찰서")
    staff = staff_of(agency, "a.staff@example.com")
    client.force_login(staff)
    page = client.get("/admin/events/event/add/").content.decode()
    assert "비워 두면 광명시 부서가 주관합니다" not in page
    assert "소속 기관의 행사로 등록됩니다" in page
    client.force_login(clerk)  # clerks may leave it blank for a city office
    assert "비워 두면 광명시 부서가 주관합니다" in client.get("/admin/events/event/add/").content.decode()


def test_attendee_exports_give_one_readable_column_per_question(client, clerk):
    questions = [{"key": "due", "label_ko": "출산 예정 월", "required": True},
                 {"key": "note", "label_ko": "하고 싶은 말"}]
    event = EventFactory(title_ko="출산 교실", questions=questions)
    other = EventFactory(title_ko="부모 교실", starts_at=event.starts_at, questions=[
        {"key": "child_age", "label_ko": "아이 나이"}])
    RegistrationFactory(event=event, user=make_user("a@example.com", name="가"),
                        answers={"due": "2027-06", "note": "쌍둥이, \"첫째\""})
    RegistrationFactory(event=other, user=make_user("b@example.com", name="나"), answers={"child_age": "3"})
    client.force_login(clerk)
    post = {"_selected_action": [event.pk, other.pk], "reason": "명단 확인"}
    body = client.post("/admin/events/event/", {**post, "action": "export_attendees_csv"}).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    header = rows[0]
    assert header[-3:] == ["출산 예정 월", "하고 싶은 말", "아이 나이"]
    assert "추가 질문 답변" not in header and "{" not in body
    by_name = {row[2]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_name["가"]["출산 예정 월"] == "2027-06" and by_name["가"]["하고 싶은 말"] == '쌍둥이, "첫째"'
    assert by_name["나"]["아이 나이"] == "3" and by_name["나"]["출산 예정 월"] == ""
    sheet = load_workbook(io.BytesIO(client.post("/admin/events/event/", {
        **post, "action": "export_attendees_xlsx"}).content)).active
    xlsx = list(sheet.iter_rows(values_only=True))
    assert list(xlsx[0][-3:]) == ["출산 예정 월", "하고 싶은 말", "아이 나이"]

