"""The singles meetups are for the institutions' staff (issue 13.8): never on the public home page,
calendar, list or feed, nor in everyone's main menu; the entry is on the partners page and, for
registry members, on my page (tested in test_views.test_my_page_links_the_registry_only_for_registrants)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from events.services import event_create
from gwangmyeong_portal import page_cache

from .factories import make_session

pytestmark = pytest.mark.django_db

TITLE = "광명 미혼 직원 만남의 날"


@pytest.fixture
def meetup():
    session = make_session(start_in_days=3)
    # A public event a day later, so the home page has something to list.
    event_create(title_ko="가족 봄 소풍", starts_at=session.starts_at + timedelta(days=1),
                 ends_at=session.starts_at + timedelta(days=1, hours=2), type=Event.Type.OTHER)
    return session


def public_pages(client, session) -> dict[str, str]:
    month = timezone.localtime(session.starts_at).strftime("%Y-%m")
    urls = ["/", f"/events/?month={month}", f"/events/?month={month}&type=meetup", "/events/list/",
            "/events/feed.ics", "/events/feed.ics?type=meetup",
            f"/events/week/?week={timezone.localtime(session.starts_at).date().isoformat()}"]
    return {url: client.get(url).content.decode() for url in urls}


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_meetups_are_not_on_the_public_home_page_calendar_or_feed(client, meetup, who, citizen):
    if who == "citizen":
        client.force_login(citizen)
    pages = public_pages(client, meetup)
    assert "가족 봄 소풍" in pages["/"]
    assert [url for url, body in pages.items() if TITLE in body] == []
    assert client.get(f"/events/{meetup.event_id}/").status_code == 404
    assert client.get(f"/events/{meetup.event_id}/event.ics").status_code == 404


def test_a_meetup_event_made_public_by_hand_stays_off_the_home_page_and_calendar(client, meetup):
    # The selectors leave meetups out whatever the flag says (an organiser may tick "public").
    Event.objects.filter(pk=meetup.event_id).update(is_public=True)
    for kind in page_cache.WATCHED:
        page_cache.forget(kind)
    pages = public_pages(client, meetup)
    assert [url for url, body in pages.items() if TITLE in body] == []


def test_the_meetups_are_not_in_the_main_menu_but_on_the_partners_page(client):
    home = client.get("/").content.decode()
    assert 'href="/matchmaking/"' not in home and "미혼남녀 만남" not in home
    partners = client.get("/partners/").content.decode()
    assert 'href="/matchmaking/"' in partners

