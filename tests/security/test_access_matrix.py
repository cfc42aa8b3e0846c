"""Every URL of the portal × every role, with the outcome each role must get (GET requests).

The table (``access_matrix.MATRIX``) lists every named URL; a URL added to the URL conf without
an entry fails ``test_every_url_has_an_entry``. Outcomes: an HTTP status, or "login" for a
redirect to a sign-in page. Object URLs point at objects owned by the citizen and by agency A
(광명경찰서), so "other_citizen" and "staff_b" must never get 200 on them.
To print the current outcomes when adding entries: ``ACCESS_MATRIX_RECORD=1 pytest -s tests/security``.
"""

import os

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .access_matrix import EXTRA_KWARGS, MATRIX, SKIPPED
from .world import ROLES, build_world


def named_urls():
    names = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                walk(pattern.url_patterns, f"{namespace}:{ns}" if namespace and ns else (ns or namespace))
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    return sorted(set(names))


def outcome(response) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        return "login" if "/login/" in location else "302"
    return str(response.status_code)


def admin_object_kwargs(name):
    """change/history/delete of a model admin: the first row of that model (unscoped)."""
    from django.apps import apps

    if not name.startswith("admin:"):
        return None
    rest = name.split(":", 1)[1]
    for model in apps.get_models():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if rest.startswith(prefix) and rest[len(prefix):] in ("change", "history", "delete"):
            obj = model._default_manager.order_by("pk").first()
            return {"object_id": obj.pk if obj else 999999}
    return None


def test_every_url_has_an_entry():
    missing = [name for name in named_urls() if name not in MATRIX and name not in SKIPPED]
    assert not missing, f"URLs without an access-control entry in tests/security/access_matrix.py: {missing}"
    stale = [name for name in MATRIX if name not in named_urls()]
    assert not stale, f"entries for URLs that no longer exist: {stale}"


@pytest.mark.django_db
def test_every_role_gets_the_expected_outcome_on_every_url(settings):
    settings.ACCOUNT_RATE_LIMITS = False
    world = build_world()
    record = os.environ.get("ACCESS_MATRIX_RECORD")
    clients = {"anonymous": Client()}
    for role in ROLES[1:]:
        clients[role] = Client()
        clients[role].force_login(world.users[role])
    failures, recorded = [], {}
    for name in named_urls():
        if name in SKIPPED:
            continue
        kwargs = world.kwargs.get(name) or EXTRA_KWARGS.get(name) or admin_object_kwargs(name) or {}
        url = reverse(name, kwargs=kwargs)
        got = {role: outcome(clients[role].get(url)) for role in ROLES}
        recorded[name] = got
        expected = MATRIX.get(name)
        if expected is None:
            continue
        for role, want in zip(ROLES, expected.split(), strict=True):
            if got[role] != want:
                failures.append(f"{name} ({url}) as {role}: expected {want}, got {got[role]}")
    if record:
        for name, got in recorded.items():
            print(f'    "{name}": "{" ".join(got[r] for r in ROLES)}",')
    assert not failures, "\n".join(failures)
