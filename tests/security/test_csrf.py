"""CSRF is enforced on every POST of every URL in the URL conf, the admin's included.

A forged form (another site making a signed-in browser POST here) arrives without the CSRF
token. Each named URL gets such a POST from anonymous visitors, a citizen, a clerk and a
superuser, and must answer 403 "CSRF verification failed" before the view runs; a few real
state-changing POSTs show that nothing changed. A view marked csrf_exempt fails the test unless
it is listed in EXEMPT with the reason.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from notifications.models import Message
from programs.models import Application, Program

from . import test_access_matrix as matrix
from .access_matrix import EXTRA_KWARGS
from .world import build_world

pytestmark = pytest.mark.django_db

# URL name -> why it may take a POST without a token. None today: every form is one of ours or
# allauth's, and all carry the token (no webhooks or third-party callbacks post to the portal).
OPEN_DATA = "read-only open data API: GET only, a POST is 405"
EXEMPT: dict[str, str] = {
    # Changes only the display language (a cookie); without a token anonymous pages can be cached
    # whole. A forged request could at worst switch someone's page to English.
    "set_language": "display language only",
    # django-ninja marks its views csrf_exempt; the open data API is anonymous and read-only (GET
    # only: a POST is answered 405 before anything runs), so there is nothing to forge.
    "api-v1:agencies_list": OPEN_DATA,
    "api-v1:agreement_detail": OPEN_DATA,
    "api-v1:events_detail": OPEN_DATA,
    "api-v1:events_list": OPEN_DATA,
    "api-v1:facilities_detail": OPEN_DATA,
    "api-v1:facilities_list": OPEN_DATA,
    "api-v1:programs_detail": OPEN_DATA,
    "api-v1:programs_list": OPEN_DATA,
    # SOLAPI's delivery-report webhook: a provider, not a browser, posts here; it is authenticated by
    # the secret token in its URL (SOLAPI_WEBHOOK_TOKEN) and the address allow-list, and a wrong
    # token answers 403 before anything is read (tests/notifications/test_alimtalk.py).
    "notifications:solapi_reports": "provider webhook, secret-token URL",
}

ROLES = ("anonymous", "citizen", "clerk", "superuser")
CSRF_FAILURE = "CSRF"  # Django's failure page names it; our permission 403 page does not


def url_callbacks() -> dict[str, object]:
    """Every named URL → its view function."""
    found = {}

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                walk(pattern.url_patterns, f"{namespace}:{ns}" if namespace and ns else (ns or namespace))
            elif isinstance(pattern, URLPattern) and pattern.name:
                found[f"{namespace}:{pattern.name}" if namespace else pattern.name] = pattern.callback

    walk(get_resolver().url_patterns)
    return found


def forged_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def test_no_view_is_exempt_from_csrf_unless_listed():
    exempt = sorted(name for name, view in url_callbacks().items() if getattr(view, "csrf_exempt", False))
    assert exempt == sorted(EXEMPT), f"csrf_exempt views not in EXEMPT (with a reason): {exempt}"


def test_every_url_refuses_a_post_without_a_token_for_every_role(settings):
    settings.ACCOUNT_RATE_LIMITS = False
    world = build_world()
    clients = {"anonymous": forged_client(), **{role: forged_client(world.users[role]) for role in ROLES[1:]}}
    posted, failures = 0, []
    for name in sorted(url_callbacks()):
        if name in EXEMPT:
            continue
        kwargs = world.kwargs.get(name) or EXTRA_KWARGS.get(name) or matrix.admin_object_kwargs(name) or {}
        url = reverse(name, kwargs=kwargs)
        for role in ROLES:
            response = clients[role].post(url, {"confirm": "on", "action": "delete_selected", "post": "yes"})
            posted += 1
            if response.status_code != 403 or CSRF_FAILURE not in response.content.decode(errors="replace"):
                failures.append(f"{name} ({url}) as {role}: {response.status_code}")
    assert not failures, "POST without CSRF token not refused:\n" + "\n".join(failures)
    assert posted > 4 * 150  # the walk really covered the URL conf, the admin included


def test_forged_posts_change_nothing_and_the_same_post_with_a_token_does(settings):
    """The refusals above are about the token: state-changing POSTs leave every row as it was,
    and the same request carrying the token goes through."""
    settings.ACCOUNT_RATE_LIMITS = False
    world = build_world()
    citizen, superuser = world.users["citizen"], world.users["superuser"]
    reference = world.kwargs["my_applications:withdraw"]["reference"]
    program = Program.objects.get(slug=world.kwargs["programs:detail"]["slug"])
    inbox = Message.objects.filter(recipient=citizen, channel=Message.Channel.INAPP)
    unread = inbox.filter(read_at__isnull=True).count()
    assert unread

    forged = forged_client(citizen)
    for url, data in [
        (reverse("my_applications:withdraw", kwargs={"reference": reference}), {}),
        (reverse("notifications:mark_all_read"), {}),
        (reverse("accounts:delete"), {"confirm": "on", "password": "correct-horse-battery-staple"}),
    ]:
        assert forged.post(url, data).status_code == 403
    admin = forged_client(superuser)
    delete_url = reverse("admin:programs_program_delete", kwargs={"object_id": program.pk})
    assert admin.post(delete_url, {"post": "yes"}).status_code == 403

    assert Application.objects.get(reference=reference).status == Application.Status.SUBMITTED
    assert inbox.filter(read_at__isnull=True).count() == unread
    assert get_user_model().objects.filter(pk=citizen.pk, is_active=True).exists()
    assert Program.objects.filter(pk=program.pk).exists()

    # The same request with the token that the page gives: accepted.
    forged.get(reverse("notifications:inbox"))
    token = forged.cookies["csrftoken"].value
    response = forged.post(reverse("notifications:mark_all_read"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not inbox.filter(read_at__isnull=True).exists()
