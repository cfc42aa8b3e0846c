"""Every page a signed-in person gets carries Cache-Control: private, no-store — walked over every named
URL of the portal (the access matrix's list) as a citizen, agency staff and a clerk — so a shared
computer in a community centre or library keeps nobody's my page, applications or inbox."""

import pytest
from django.test import Client
from django.urls import reverse

from .access_matrix import EXTRA_KWARGS, SKIPPED
from .test_access_matrix import admin_object_kwargs, named_urls
from .world import build_world

ROLES = ("citizen", "staff_a", "clerk")


def _directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
def test_every_signed_in_url_sends_private_no_store(settings):
    settings.ACCOUNT_RATE_LIMITS = False
    world = build_world()
    failures, checked = [], 0
    for role in ROLES:
        client = Client()
        client.force_login(world.users[role])
        for name in named_urls():
            if name in SKIPPED:
                continue
            kwargs = world.kwargs.get(name) or EXTRA_KWARGS.get(name) or admin_object_kwargs(name) or {}
            url = reverse(name, kwargs=kwargs)
            response = client.get(url)
            if "_auth_user_id" not in client.session:
                client.force_login(world.users[role])  # a page that signed them out (none should)
                continue
            checked += 1
            if not {"private", "no-store"} <= _directives(response):
                failures.append(f"{url} as {role} ({response.status_code}): {response.get('Cache-Control')!r}")
    assert checked > 100
    assert not failures, "signed-in pages a shared browser may keep:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_anonymous_pages_stay_cacheable_and_carry_no_session(client):
    response = client.get(reverse("home"))
    assert "no-store" not in response.get("Cache-Control", "")
    assert not response.cookies
