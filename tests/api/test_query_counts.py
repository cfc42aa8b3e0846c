"""List endpoints run the same number of queries for 2 rows as for 25 (nothing per row)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from gwangmyeong_portal import page_cache
from tests.events.factories import EventFactory, RegistrationFactory
from tests.partners.factories import AgencyFactory
from tests.programs.factories import HouseholdTagFactory, ProgramFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/programs?page_size=100", "/api/v1/facilities?page_size=100", "/api/v1/events?page_size=100",
         "/api/v1/events?page_size=100&has_places=true&include_sub_events=true", "/api/v1/agencies",
         "/api/v1/agreement"]


def grow(n):
    tag = HouseholdTagFactory(code="single_parent")
    for i in range(n):
        program = ProgramFactory(household_tags=[tag])
        RequiredDocumentFactory(program=program)
        ProgramFactory(is_facility=True)
        agency = AgencyFactory()
        event = EventFactory(organiser=agency if i % 2 else None, starts_at=timezone.now() + timedelta(days=1 + i))
        EventFactory(parent=event, starts_at=event.starts_at)
        RegistrationFactory(event=event, user=make_user(f"api-q-{event.pk}@example.com"))


def queries(client, path):
    for kind in page_cache.WATCHED:
        page_cache.forget(kind)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code in (200, 404), path
    return len(captured)


@pytest.mark.parametrize("path", LISTS)
def test_list_queries_do_not_grow_with_rows(client, path):
    grow(2)
    few = queries(client, path)
    grow(23)
    assert queries(client, path) == few


def test_a_repeated_list_costs_no_query_and_places_are_recounted_after_api_live_seconds(client, settings):
    grow(3)
    first = client.get("/api/v1/events").json()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/events").json() == first
    assert len(captured) == 0  # the whole answer from the cache
    event = next(row for row in first["results"] if row["places"]["capacity"])
    RegistrationFactory(event_id=event["id"], user=make_user("one.more@example.com"))
    from django.core.cache import cache

    for key in cache.keys("*api-body*"):  # as if API_LIVE_SECONDS had passed
        cache.delete(key)
    again = next(row for row in client.get("/api/v1/events").json()["results"] if row["id"] == event["id"])
    assert again["places"]["left"] == event["places"]["left"] - 1
