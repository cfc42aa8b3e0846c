"""From the fair to the programs: a booth's QR poster leads to a page where a signed-in citizen
saves the booth's programs; they show on my registrations and the citizen is told when one opens."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events import services, tasks
from events.models import ProgramInterest
from notifications.models import Message
from programs.models import Program

from .factories import EventFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def make_program(slug, *, opens_on=None, status=Program.Status.PUBLISHED):
    return Program.objects.create(
        slug=slug, title_ko=f"사업 {slug}", summary_ko="요약", life_stage="pregnancy_birth",
        topic=Program.Topic.CLASSES, support_kind=Program.SupportKind.SERVICE, apply_method=Program.ApplyMethod.ONLINE,
        office_ko="여성가족과", office_phone="02-2680-6716", status=status, opens_on=opens_on,
    )


@pytest.fixture
def booth(db):
    later = make_program("later", opens_on=timezone.localdate() + timedelta(days=30))
    now_open = make_program("open-now")
    draft = make_program("draft", status=Program.Status.DRAFT)
    event = EventFactory(title_ko="출산 준비 부스")
    event.programs.set([later, now_open, draft])
    return event, later, now_open


def test_the_poster_carries_a_qr_code_to_the_interest_page(client, booth):
    event, *_ = booth
    response = client.get(f"/events/{event.pk}/poster/")
    content = response.content.decode()
    assert response.status_code == 200 and 'src="data:image/svg+xml' in content
    assert f"/events/{event.pk}/interest/" in content
    assert "사업 later" in content and "사업 draft" not in content
    assert client.get(f"/events/{EventFactory().pk}/poster/").status_code == 404  # no linked programs


def test_a_signed_in_citizen_records_interest_and_sees_it_on_my_page(client, booth, citizen):
    event, later, now_open = booth
    page = client.get(f"/events/{event.pk}/interest/").content.decode()
    assert "로그인하고 관심 사업 저장하기" in page
    assert client.post(f"/events/{event.pk}/interest/")["Location"].startswith("/accounts/login/")
    assert not ProgramInterest.objects.exists()

    client.force_login(citizen)
    client.post(f"/events/{event.pk}/interest/")
    client.post(f"/events/{event.pk}/interest/")  # scanning twice is harmless
    assert set(ProgramInterest.objects.values_list("program__slug", flat=True)) == {"later", "open-now"}
    my = client.get("/events/my/").content.decode()
    assert "사업 later" in my and "신청이 시작되면 알려 드립니다" in my and "지금 신청할 수 있습니다" in my


def test_citizens_are_told_once_when_a_noted_program_opens(booth, citizen):
    event, later, _ = booth
    services.program_interest_record(user=citizen, event=event)
    # The already open program needs no message: the citizen saw it was open.
    assert tasks.notify_open_programs.apply().get() == 0
    opening_day = datetime.combine(later.opens_on, datetime.min.time(), tzinfo=SEOUL) + timedelta(hours=9)
    assert services.program_interests_notify_open(now=opening_day) == 1
    assert services.program_interests_notify_open(now=opening_day) == 0
    message = Message.objects.get(kind="events.program_open", channel="inapp")
    assert message.recipient == citizen and "사업 later" in message.subject
    assert message.link == later.get_absolute_url()


def test_interest_is_in_the_data_download_and_removable(client, booth, citizen):
    event, *_ = booth
    services.program_interest_record(user=citizen, event=event)
    from django.apps import apps

    exported = apps.get_app_config("events").personal_data_export(citizen)
    assert {i["program"] for i in exported["program_interests"]} == {"사업 later", "사업 open-now"}
    client.force_login(citizen)
    item = ProgramInterest.objects.filter(user=citizen).first()
    client.post(f"/events/interests/{item.pk}/remove/")
    assert ProgramInterest.objects.filter(user=citizen).count() == 1
