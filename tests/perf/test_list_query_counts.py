"""Every list page runs the same number of queries with few rows and with many (no N+1)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from events.models import Registration
from notifications.services import notify
from programs.models import Application
from tests.events.factories import AgencyFactory, EventFactory
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url, **params):
    client.get(url, params)  # warm per-process caches (content types, translations)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def add_events(n, start):
    agency = AgencyFactory()
    for i in range(n):
        EventFactory(organiser=agency if i % 2 else None, starts_at=start + timedelta(hours=i % 100))


@pytest.mark.parametrize("url", ["/events/list/", "/events/week/"])
def test_event_lists(client, url):
    start = timezone.now() + timedelta(days=1)
    add_events(10, start)
    params = {"week": f"{timezone.localdate(start):%Y-%m-%d}"} if "week" in url else {}
    small = count_queries(client, url, **params)
    add_events(200, start)
    assert count_queries(client, url, **params) == small


def test_my_applications(client, citizen):
    client.force_login(citizen)

    def add(n):
        for _ in range(n):
            Application.objects.create(program=ProgramFactory(), applicant=citizen, single_per_person=True)

    add(3)
    small = count_queries(client, "/me/applications/")
    add(60)
    assert count_queries(client, "/me/applications/") == small


def test_my_registrations(client, citizen):
    client.force_login(citizen)

    def add(n):
        for _ in range(n):
            Registration.objects.create(event=EventFactory(), user=citizen, party_size=1,
                                        status=Registration.Status.CONFIRMED)

    add(3)
    small = count_queries(client, "/events/my/")
    add(60)
    assert count_queries(client, "/events/my/") == small


def test_inbox_and_my_page(client, citizen):
    client.force_login(citizen)

    def add(n, start):
        for i in range(start, start + n):
            notify(recipient=citizen, kind="notifications.welcome", context={"name": "김시민", "tip": str(i)},
                   channels=["inapp"])

    add(3, 0)
    inbox, me = count_queries(client, "/me/notifications/"), count_queries(client, "/me/")
    add(60, 3)
    assert count_queries(client, "/me/notifications/") == inbox
    assert count_queries(client, "/me/") == me


def test_partners_index(client):
    make_user("someone@example.com")
    small = count_queries(client, "/partners/")
    for n in range(20):
        AgencyFactory(slug=f"extra-{n}")
    assert count_queries(client, "/partners/") == small
