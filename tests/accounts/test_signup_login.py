import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.roles import CITIZEN

pytestmark = pytest.mark.django_db


def test_signup_sends_a_verification_email_and_the_link_lets_the_citizen_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the mail is sent once the sign-up commits
        response = client.post(
            reverse("account_signup"),
            {"email": "new@example.com", "password1": "a-long-passphrase-77", "password2": "a-long-passphrase-77"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.groups.filter(name=CITIZEN).exists()

    # Not verified yet: login is held back until the email is confirmed.
    client.logout()
    response = client.post(reverse("account_login"), {"login": "new@example.com", "password": "a-long-passphrase-77"})
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) >= 1
    body = mail.outbox[-1].body
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", body).group(1)

    page = client.get(link)
    assert page.status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    client.logout()
    response = client.post(reverse("account_login"), {"login": "new@example.com", "password": "a-long-passphrase-77"})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get(reverse("accounts:me")).status_code == 200


def test_signup_with_bad_input_shows_errors_next_to_fields_and_saves_nothing(client):
    response = client.post(reverse("account_signup"), {"email": "not-an-email", "password1": "x", "password2": "y"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.exists()


def test_the_sixth_wrong_password_in_a_row_is_refused_even_with_the_right_password(client, citizen, password):
    from django.core.cache import cache

    cache.delete_pattern("*")  # this run's keys only (KEY_PREFIX): clear() would flush the shared Redis database
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": citizen.email, "password": "wrong-password"})
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": citizen.email, "password": password})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    cache.delete_pattern("*")  # this run's keys only (KEY_PREFIX): clear() would flush the shared Redis database


def test_password_reset_sends_an_email(client, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": citizen.email})
    assert response.status_code == 302
    assert any(citizen.email in m.to for m in mail.outbox)


def test_social_login_buttons_appear_only_when_configured(client, settings):
    assert "kakao" not in client.get(reverse("account_login")).content.decode().lower()
    settings.SOCIALACCOUNT_PROVIDERS = {"kakao": {"APPS": [{"client_id": "id", "secret": "s"}]}}
    assert "kakao" in client.get(reverse("account_login")).content.decode().lower()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/kakao/login/", "/accounts/naver/login/callback/"])
def test_unconfigured_social_login_pages_are_not_found_rather_than_errors(client, url):
    assert client.get(url).status_code == 404


def test_someone_signing_up_on_the_english_site_gets_english_notifications_and_mail(
        client, settings, django_capture_on_commit_callbacks):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "visitor@example.com", "password1": "a-long-passphrase-77", "password2": "a-long-passphrase-77"},
            HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
        )
    assert response.status_code == 302
    assert User.objects.get(email="visitor@example.com").preferred_language == "en"
    # The verification mail's subject carries the portal's English name, not the fixed Korean prefix.
    subject = mail.outbox[-1].subject
    assert subject.startswith("[Gwangmyeong Child- and Mom-Friendly City] ")
    assert "광명시" not in subject


def test_someone_signing_up_on_the_korean_site_keeps_korean_notifications(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "local@example.com", "password1": "a-long-passphrase-77", "password2": "a-long-passphrase-77"},
            HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9",
        )
    assert response.status_code == 302
    assert User.objects.get(email="local@example.com").preferred_language == "ko"
    assert mail.outbox[-1].subject.startswith("[광명시 아이와 맘 편한 도시] ")
