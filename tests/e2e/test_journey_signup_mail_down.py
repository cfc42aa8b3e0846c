"""Journey: someone signs up while the city's mail relay is down. The page says the mail is on its way
(never an error page) and how to ask for it again; once the relay is back the waiting mail goes out and
its link signs them in. On a phone and a desktop; axe-core on every page."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from notifications.models import Message
from notifications.services import message_requeue_due

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_with_the_mail_relay_down_shows_we_sent_you_a_mail(page, axe_audit, viewport, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 1, False  # nobody listens
    # One address per viewport: allauth sends one confirmation per address every 3 minutes (Redis counters).
    email = f"relay.down.{viewport['width']}@example.com"
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form[action*='signup'] button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    expect(page.get_by_role("heading", level=1)).to_have_text("메일을 보냈습니다")
    expect(page.get_by_role("link", name="로그인하고 확인 메일 다시 받기")).to_be_visible()
    axe_audit(page)
    row = Message.objects.get(recipient__email=email)
    assert row.status == "pending" and row.last_error  # waiting for a retry, the failure logged

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the relay is back
    message_requeue_due(now=timezone.now() + timedelta(minutes=10))
    sent = [m for m in mail.outbox if email in m.to]
    assert len(sent) == 1
    page.goto(re.search(r"https?://\S+/accounts/confirm-email/\S+/", sent[0].body).group(0))
    page.locator("form[action*='confirm-email'] button[type=submit]").click()
    page.wait_for_url("**/me/")
    axe_audit(page)
