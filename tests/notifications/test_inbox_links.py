"""Links in the in-app inbox are real links — to the portal's own pages only, and escaped."""

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from notifications.services import notify

pytestmark = pytest.mark.django_db


def _inbox_row(user, body):
    return Message.objects.create(recipient=user, kind="notifications.test", channel="inapp", status="sent",
                                  sent_at=timezone.now(), idempotency_key=f"t:{body[:40]}", subject="제목", body=body)


def test_a_notifications_link_to_our_site_is_a_link_in_the_inbox(client, citizen, settings):
    settings.NOTIFY_SITE_URL = "https://portal.example.go.kr"
    notify(recipient=citizen, kind="notifications.service_notice", context={"text": "안내"}, link="/programs/")
    client.force_login(citizen)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert '<a href="/programs/">https://portal.example.go.kr/programs/</a>' in page


def test_only_our_own_addresses_become_links_and_everything_is_escaped(client, citizen, settings):
    settings.NOTIFY_SITE_URL = "https://portal.example.go.kr"
    _inbox_row(citizen, "신청서: https://portal.example.go.kr/me/applications/GM-1/?tab=a&b=1.\n"
                        "다른 곳: https://evil.example/phish <script>alert(1)</script>\n"
                        "속임수: https://portal.example.go.kr//evil.example/x "
                        "https://portal.example.go.kr@evil.example/ javascript:alert(1)")
    client.force_login(citizen)
    page = client.get(reverse("notifications:inbox")).content.decode()
    body = page[page.index('class="notification-body"'):]
    body = body[:body.index("</p>")]
    assert '<a href="/me/applications/GM-1/?tab=a&amp;b=1">' in body  # the full stop is not part of it
    assert "https://evil.example/phish" in body and 'href="https://evil.example' not in body
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert '<a href="/evil.example/x">' in body  # the path stays on our site
    assert 'href="//' not in body and "evil.example/\"" not in body
    assert 'href="javascript' not in body
    assert "<br>" in body
