"""Nothing personal, ever: every endpoint of the open data API, every page of it, both languages,
and the downloads, against a city full of personal data (tests/api/conftest.py)."""

import json

import pytest

from accounts.models import User
from events.models import Event
from programs.models import Program

from .conftest import SECRETS

pytestmark = pytest.mark.django_db

FORBIDDEN_KEYS = {"email", "user", "user_id", "applicant", "registrant", "attendee", "contact", "answers",
                  "profile", "party_size", "checked_in_at", "consent", "reason", "actor", "ip"}


def every_path(client):
    document = client.get("/api/v1/openapi.json").json()
    for template in document["paths"]:
        if "{slug}" in template:
            facility = template.startswith("/api/v1/facilities")
            for slug in Program.objects.filter(is_facility=facility).values_list("slug", flat=True):
                yield template.replace("{slug}", slug)
        elif "{event_id}" in template:
            for pk in Event.objects.values_list("pk", flat=True):
                yield template.replace("{event_id}", str(pk))
        else:
            yield template
            if template == "/api/v1/events":
                yield template + "?include_sub_events=true&has_places=true"
    yield from ("/api/v1/downloads/events.csv", "/api/v1/downloads/programs.csv", "/api/v1/downloads/programs.json")


def keys_of(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from keys_of(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys_of(inner)


def test_no_endpoint_and_no_field_carries_personal_data(client, city):
    people = list(User.objects.values_list("email", "name", "phone"))
    assert len(people) >= 3
    secrets = [s for group in SECRETS.values() for s in group] + [v for person in people for v in person if v]
    secrets += ["미혼 직원 만남의 날", "직원 전용 강의"]  # a meetup and a staff-only event
    walked = 0
    for path in every_path(client):
        for lang in ("ko", "en"):
            sep = "&" if "?" in path else "?"
            response = client.get(f"{path}{sep}lang={lang}")
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8-sig")
            if response.status_code == 404:
                continue  # a private event or the meetup: not found, which is the point
            assert response.status_code == 200, path
            walked += 1
            leaked = [secret for secret in secrets if secret in text]
            assert leaked == [], (path, leaked)
            if response["Content-Type"].startswith("application/json"):
                assert FORBIDDEN_KEYS.isdisjoint(keys_of(json.loads(text))), path
    assert walked >= 30
