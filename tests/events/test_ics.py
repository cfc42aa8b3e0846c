"""Calendar files parse back with icalendar, carry Asia/Seoul times and mark cancellations."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from events import services

from .factories import AgencyFactory, EventFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_event_ics_parses_back_with_seoul_times(client):
    start = datetime(2027, 4, 17, 10, 0, tzinfo=SEOUL)
    event = EventFactory(title_ko="아이와 맘 편한 우리동네 박람회", starts_at=start, ends_at=start + timedelta(hours=7),
                         venue="광명시민체육관", address="경기도 광명시 오리로 970")
    cal = parse(client.get(f"/events/{event.pk}/event.ics"))
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "아이와 맘 편한 우리동네 박람회"
    assert vevent["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert vevent.decoded("DTSTART") == start
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=9)
    assert vevent.decoded("DTEND") == start + timedelta(hours=7)
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "광명시민체육관" in str(vevent["LOCATION"])
    assert str(vevent["UID"]) == f"event-{event.pk}@events.gwangmyeong-portal"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Seoul"]
    assert b"TZID=Asia/Seoul:20270417T100000" in client.get(f"/events/{event.pk}/event.ics").content


def test_a_cancelled_event_is_sent_as_cancelled_with_a_higher_sequence(client):
    event = EventFactory()
    services.event_cancel(event=event)
    [vevent] = parse(client.get(f"/events/{event.pk}/event.ics")).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 1


def test_feed_takes_the_same_filters_and_includes_sub_events(client):
    agency = AgencyFactory(slug="nhis")
    now = timezone.now()
    fair = EventFactory(title_ko="박람회", type="fair", life_stages="pregnancy_birth,jobs_housing",
                        starts_at=now + timedelta(days=10))
    EventFactory(title_ko="부스", parent=fair, type="fair", life_stages="pregnancy_birth",
                 starts_at=now + timedelta(days=10))
    EventFactory(title_ko="강연", type="lecture", organiser=agency, organiser_office="",
                 life_stages="childcare_education", starts_at=now + timedelta(days=3))
    EventFactory(title_ko="오래된 행사", starts_at=now - timedelta(days=400))

    def titles(query=""):
        return sorted(str(v["SUMMARY"]) for v in parse(client.get(f"/events/feed.ics{query}")).walk("VEVENT"))

    assert titles() == ["강연", "박람회", "부스"]
    assert titles("?stage=pregnancy_birth") == ["박람회", "부스"]
    assert titles("?type=lecture") == ["강연"]
    assert titles("?organiser=nhis") == ["강연"]
    assert titles("?organiser=city") == ["박람회", "부스"]
    assert titles("?stage=nonsense&type=%00&organiser=../../") == ["강연", "박람회", "부스"]


def test_unpublished_events_are_not_in_the_public_feed_or_downloadable(client):
    event = EventFactory(is_public=False)
    assert client.get(f"/events/{event.pk}/event.ics").status_code == 404
    assert not parse(client.get("/events/feed.ics")).walk("VEVENT")


@pytest.mark.django_db
def test_feed_is_sent_compressed_to_clients_that_accept_it(client):
    import gzip

    from icalendar import Calendar

    plain = client.get("/events/feed.ics")
    packed = client.get("/events/feed.ics", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    Calendar.from_ical(gzip.decompress(packed.content))


@pytest.mark.django_db
def test_feed_answers_304_until_an_event_changes(client):
    event = EventFactory(title_ko="부부 출산 교실")
    first = client.get("/events/feed.ics")
    etag = first["ETag"]
    assert client.get("/events/feed.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304
    event.title_ko = "예비 부모 교실"
    event.save()
    changed = client.get("/events/feed.ics", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "예비 부모 교실" in changed.content.decode()
    assert changed["ETag"] != etag
