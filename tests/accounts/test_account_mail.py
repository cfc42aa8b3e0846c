"""allauth's mails go through the outbox: a mail relay that is down never breaks sign-up or password
reset; the mail is a message row, retried, and visible in the delivery log without its links."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Message
from notifications.services import message_requeue_due

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-77"


@pytest.fixture
def relay_down(settings):
    """SMTP to a closed port: every send is refused at once, as when the city's relay is down."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 1, False
    return settings


def relay_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_sign_up_with_the_mail_relay_down_says_we_sent_a_mail_and_it_follows_when_the_relay_is_back(
        client, relay_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), {"email": "relay-down@example.com", "password1": PASSWORD,
                                                           "password2": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    page = response.content.decode()
    assert "메일을 보냈습니다" in page and reverse("account_login") in page  # and how to ask for it again

    user = User.objects.get(email="relay-down@example.com")
    row = Message.objects.get(recipient=user)  # one row, e-mail only: no in-app copy of a link
    assert (row.kind, row.channel, row.status) == ("accounts.email_confirmation", "email", "pending")
    assert "Connection refused" in row.last_error or "Errno 111" in row.last_error
    assert mail.outbox == []

    relay_back(relay_down)
    assert message_requeue_due(now=timezone.now() + timedelta(minutes=10)) == 1
    row.refresh_from_db()
    assert row.status == "sent"
    assert mail.outbox[-1].to == ["relay-down@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    # The link does not stay in the database once it has left.
    assert row.body == "" and link not in str(row.context)
    assert client.post(link).status_code == 302
    assert user.emailaddress_set.get().verified


@pytest.mark.parametrize("known", [True, False], ids=["known address", "unknown address"])
def test_password_reset_with_the_mail_relay_down_answers_normally(client, citizen, relay_down, known,
                                                                   django_capture_on_commit_callbacks):
    email = citizen.email if known else "nobody@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": email})
    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_done")
    rows = Message.objects.filter(kind="accounts.password_reset")
    if known:
        assert rows.get().recipient == citizen and rows.get().status == "pending"
    else:
        assert not rows.exists()  # nobody to write a row for, and no mail to a stranger


def test_a_mail_to_a_newly_added_address_goes_to_that_address(client, citizen, django_capture_on_commit_callbacks):
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_email"), {"action_add": "", "email": "second@example.com"})
    row = Message.objects.get(kind="accounts.email_confirmation")
    assert row.recipient == citizen and row.status == "sent"
    assert mail.outbox[-1].to == ["second@example.com"]


def test_the_delivery_log_lists_account_mails_but_never_shows_their_links(
        client, citizen, clerk, relay_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": citizen.email})
    row = Message.objects.get(kind="accounts.password_reset")
    assert "/accounts/password/reset/key/" in row.context["body"]  # kept for the retry...
    client.force_login(clerk)
    changelist = client.get(reverse("admin:notifications_message_changelist"))
    assert changelist.status_code == 200 and "accounts.password_reset" in changelist.content.decode()
    change = client.get(reverse("admin:notifications_message_change", args=[row.pk])).content.decode()
    assert "Connection refused" in change or "111" in change  # ...the failure is there for the clerk,
    assert "/accounts/password/reset/key/" not in change  # the link is not


def test_account_mails_are_not_offered_on_the_preferences_page(client, citizen):
    client.force_login(citizen)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert "accounts.password_reset" not in page and "비밀번호 재설정 메일" not in page


def test_signing_in_before_the_address_is_confirmed_sends_the_confirmation_again(
        client, relay_down, django_capture_on_commit_callbacks):
    relay_down.ACCOUNT_RATE_LIMITS = {"confirm_email": "5/m/key"}  # allauth: one per 3 minutes in settings
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {"email": "again@example.com", "password1": PASSWORD,
                                                "password2": PASSWORD})
    relay_back(relay_down)
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"), {"login": "again@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    rows = Message.objects.filter(kind="accounts.email_confirmation").order_by("pk")
    assert [row.status for row in rows] == ["pending", "sent"]  # the first still waits for its retry
    assert mail.outbox[-1].to == ["again@example.com"] and "/accounts/confirm-email/" in mail.outbox[-1].body
