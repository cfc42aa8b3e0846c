"""Organisers in the admin: scoped to their agency, attendee exports (CSV with BOM, XLSX) logged,
messages to registrants."""

import csv
import io

import pytest
from openpyxl import load_workbook

from conftest import make_user
from events.models import Event, Registration
from gwangmyeong_portal.models import AccessLogEntry
from notifications.models import Message

from .factories import AgencyFactory, EventFactory, RegistrationFactory, staff_of

pytestmark = pytest.mark.django_db

S = Registration.Status


@pytest.fixture
def setup(db):
    a, b = AgencyFactory(slug="police", name_ko="광명경찰서"), AgencyFactory(slug="post", name_ko="광명우체국")
    staff_a = staff_of(a, "a.staff@example.com")
    event_a = EventFactory(title_ko="경찰서 인구교육", organiser=a, organiser_office="")
    event_b = EventFactory(title_ko="우체국 인구교육", organiser=b, organiser_office="")
    people = [make_user(f"p{i}@example.com", name=f"참가자{i}") for i in range(3)]
    RegistrationFactory(event=event_a, user=people[0])
    RegistrationFactory(event=event_a, user=people[1], status=S.WAITLISTED)
    RegistrationFactory(event=event_a, user=people[2], status=S.CANCELLED)
    reg_b = RegistrationFactory(event=event_b, user=people[0])
    return staff_a, event_a, event_b, reg_b


def test_agency_staff_see_only_their_agencys_events_and_registrations(client, setup):
    staff_a, event_a, event_b, reg_b = setup
    client.force_login(staff_a)
    listing = client.get("/admin/events/event/").content.decode()
    assert "경찰서 인구교육" in listing and "우체국 인구교육" not in listing
    assert client.get(f"/admin/events/event/{event_a.pk}/change/").status_code == 200
    assert client.get(f"/admin/events/event/{event_b.pk}/change/").status_code == 404
    assert client.get(f"/admin/events/registration/{reg_b.pk}/change/").status_code == 404
    registrations = client.get("/admin/events/registration/").content.decode()
    assert "우체국 인구교육" not in registrations and "경찰서 인구교육" in registrations


def test_clerks_see_every_agencys_events(client, setup, clerk):
    _, _, event_b, _ = setup
    client.force_login(clerk)
    assert client.get(f"/admin/events/event/{event_b.pk}/change/").status_code == 200


def _action(client, action, events, **extra):
    return client.post("/admin/events/event/", {"action": action, "_selected_action": [e.pk for e in events], **extra})


def test_csv_export_asks_for_a_reason_has_a_bom_and_is_logged(client, setup):
    staff_a, event_a, event_b, _ = setup
    client.force_login(staff_a)
    page = _action(client, "export_attendees_csv", [event_a])
    assert page.status_code == 200 and "내려받는 사유" in page.content.decode()
    assert not AccessLogEntry.objects.filter(action="export").exists()

    response = _action(client, "export_attendees_csv", [event_a, event_b], reason="행사 당일 명단 확인")
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:3] == ["행사", "일시", "이름"]
    # Only agency A's event is exported (B's id in the POST is ignored); cancelled rows are left out.
    assert sorted(r[2] for r in rows[1:]) == ["참가자0", "참가자1"]
    assert "@" not in body and "010-" not in body  # no contact details in any export
    entry = AccessLogEntry.objects.get(action="export")
    assert entry.detail["rows"] == 2 and entry.reason == "행사 당일 명단 확인" and entry.actor == staff_a


def test_xlsx_export_is_a_real_workbook_and_is_logged(client, setup, clerk):
    _, event_a, _, _ = setup
    client.force_login(clerk)
    response = _action(client, "export_attendees_xlsx", [event_a], reason="보고")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "행사" and len(rows) == 3
    assert {r[2] for r in rows[1:]} == {"참가자0", "참가자1"}
    assert AccessLogEntry.objects.get(action="export").detail == {"rows": 2, "format": "xlsx", "events": [event_a.pk]}


def test_message_registrants_by_status(client, setup):
    staff_a, event_a, _, _ = setup
    client.force_login(staff_a)
    assert _action(client, "message_registrants", [event_a]).status_code == 200
    _action(client, "message_registrants", [event_a], statuses=["waitlisted"], text="주차는 지하 2층입니다.")
    sent = Message.objects.filter(kind="events.organiser_message", channel="inapp")
    assert [m.recipient.email for m in sent] == ["p1@example.com"]
    assert "주차는 지하 2층입니다." in sent[0].body


def test_cancelling_in_the_admin_asks_for_confirmation_and_a_reason_registrants_receive(client, setup, clerk):
    _, event_a, _, _ = setup
    client.force_login(clerk)
    page = _action(client, "cancel_events", [event_a])
    assert page.status_code == 200 and "신청자 2명에게 사유와 함께 알립니다" in page.content.decode()
    _action(client, "cancel_events", [event_a], reason="강당 공사")  # not confirmed: nothing happens
    event_a.refresh_from_db()
    assert event_a.status == Event.Status.SCHEDULED and not Message.objects.exists()
    _action(client, "cancel_events", [event_a], reason="강당 공사", confirm="on")
    event_a.refresh_from_db()
    assert event_a.status == Event.Status.CANCELLED
    sent = Message.objects.filter(kind="events.event_cancelled", channel="inapp")
    assert sent.count() == 2 and all("사유: 강당 공사" in m.body for m in sent)


def test_postponing_in_the_admin_asks_for_a_reason_and_tells_registrants(client, setup, clerk):
    _, event_a, _, _ = setup
    client.force_login(clerk)
    assert "사유" in _action(client, "postpone_events", [event_a]).content.decode()
    _action(client, "postpone_events", [event_a], reason="강사 사정", confirm="on")
    event_a.refresh_from_db()
    assert event_a.status == Event.Status.POSTPONED
    sent = Message.objects.filter(kind="events.event_changed", channel="inapp")
    assert sent.count() == 2 and all("사유: 강사 사정" in m.body and "예정 → 연기" in m.body for m in sent)


def test_cancelling_from_the_change_form_needs_a_reason_and_a_confirmation(client, setup, clerk):
    from .test_offers_and_changes import _admin_form_data

    _, event_a, _, _ = setup
    client.force_login(clerk)
    data = _admin_form_data(client, event_a)
    data["status"] = "cancelled"
    page = client.post(f"/admin/events/event/{event_a.pk}/change/", data)
    assert page.status_code == 200 and "신청자에게 보낼 사유를 적어 주세요" in page.content.decode()
    event_a.refresh_from_db()
    assert event_a.status == Event.Status.SCHEDULED
    data.update(status_reason="참가 신청 저조", status_confirm="on")
    assert client.post(f"/admin/events/event/{event_a.pk}/change/", data).status_code == 302
    event_a.refresh_from_db()
    assert event_a.status == Event.Status.CANCELLED
    assert all("사유: 참가 신청 저조" in m.body
               for m in Message.objects.filter(kind="events.event_cancelled", channel="inapp"))


def test_agency_staff_create_events_for_their_own_agency(client, setup):
    staff_a, *_ = setup
    client.force_login(staff_a)
    response = client.post("/admin/events/event/add/", {
        "title_ko": "경찰서 부모 교육", "type": "lecture", "status": "scheduled", "is_public": "on",
        "life_stages": ["childcare_education"], "organiser": staff_a.agency_membership.agency_id,
        "starts_at_0": "2027-05-10", "starts_at_1": "14:00", "ends_at_0": "2027-05-10", "ends_at_1": "16:00",
        "party_size_max": "1", "waitlist_limit": "0", "offer_hold_hours": "24", "questions": "[]",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(title_ko="경찰서 부모 교육")
    assert event.organiser_id == staff_a.agency_membership.agency_id
    assert event.life_stages == "childcare_education" and event.created_by == staff_a


def test_a_name_that_looks_like_a_formula_stays_text_in_both_exports(client, setup):
    staff_a, event_a, _, _ = setup
    RegistrationFactory(event=event_a, user=make_user("evil@example.com", name='=HYPERLINK("http://x","y")'))
    client.force_login(staff_a)
    body = _action(client, "export_attendees_csv", [event_a], reason="확인").content.decode("utf-8")
    names = [r[2] for r in csv.reader(io.StringIO(body.lstrip("\ufeff")))]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names
    sheet = load_workbook(io.BytesIO(_action(client, "export_attendees_xlsx", [event_a], reason="확인").content)).active
    assert "'=HYPERLINK(\"http://x\",\"y\")" in [row[2] for row in sheet.iter_rows(values_only=True)]


def test_actions_that_write_need_more_than_the_view_permission(rf, db):
    """A manager who may only look (events.view_event, no change/add) is offered the attendee
    exports but not the actions that message registrants, cancel events or make occurrences."""
    from django.contrib import admin as django_admin
    from django.contrib.auth.models import Permission

    from events.models import EventSeries

    viewer = make_user("viewer@example.com", groups=(), is_staff=True)
    from partners.models import AgencyMembership

    AgencyMembership.objects.create(user=viewer, agency=AgencyFactory(slug="fire", name_ko="광명소방서"),
                                    can_manage_events=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_event", "view_eventseries"]))
    viewer = type(viewer).objects.get(pk=viewer.pk)  # fresh permission cache
    request = rf.get("/admin/events/event/")
    request.user = viewer
    event_actions = set(django_admin.site._registry[Event].get_actions(request))
    assert {"export_attendees_csv", "export_attendees_xlsx"} <= event_actions
    assert not event_actions & {"message_registrants", "cancel_events"}
    assert "generate_occurrences" not in django_admin.site._registry[EventSeries].get_actions(request)
