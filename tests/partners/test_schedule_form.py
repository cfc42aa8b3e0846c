"""The lecturer schedule page: date and time pickers for start and end, and a refusal shown once."""

import pytest

from partners import services

from .factories import LectureRequestFactory, future

pytestmark = pytest.mark.django_db


def _picker_data(lecturer, start, end):
    return {"lecturer": lecturer.pk, "start_0": f"{start:%Y-%m-%d}", "start_1": f"{start:%H:%M}",
            "end_0": f"{end:%Y-%m-%d}", "end_1": f"{end:%H:%M}"}


def test_schedule_page_has_date_and_time_pickers(client, clerk, agency_a, roles):
    lecture = LectureRequestFactory(agency=agency_a)
    client.force_login(clerk)
    page = client.get(f"/admin/partners/lecturerequest/{lecture.pk}/schedule/").content.decode()
    assert 'name="start_0"' in page and 'class="vDateField' in page and 'class="vTimeField' in page
    assert "admin/js/admin/DateTimeShortcuts.js" in page and "admin/js/calendar.js" in page


def test_a_double_booking_is_refused_with_one_message_next_to_the_lecturer(client, clerk, agency_a, lecturer, roles):
    start, end = future(9, 14), future(9, 16)
    booked = LectureRequestFactory(agency=agency_a)
    services.lecture_request_schedule(lecture=booked, actor=clerk, lecturer=lecturer, start=start, end=end)
    other = LectureRequestFactory(agency=agency_a)
    client.force_login(clerk)
    response = client.post(f"/admin/partners/lecturerequest/{other.pk}/schedule/", _picker_data(lecturer, start, end))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("강의가 잡혀 있습니다") == 1
    assert response.context["form"].errors["lecturer"]
    other.refresh_from_db()
    assert other.status == "requested"
