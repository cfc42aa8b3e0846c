"""카카오 알림톡 through SOLAPI, against a fake SOLAPI on loopback (tests/notifications/solapi_fake.py):
refused when written (no template, too long), sent with the approved template and variables,
undelivered → the same words once as SMS/LMS, 5xx and timeouts retried, receipts by webhook
(authenticated, idempotent) and by poll."""

import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.alimtalk import LoggingAlimtalkBackend, sms_type
from notifications.models import Message
from notifications.quiet_hours import SEOUL

from .solapi_fake import API_KEY, API_SECRET, FakeSolapi

pytestmark = pytest.mark.django_db
TOKEN = "t0ken-for-the-callback-url-0123456789"


@pytest.fixture
def solapi(settings):
    settings.ALIMTALK_BACKEND = "notifications.alimtalk.SolapiAlimtalkBackend"
    settings.SMS_BACKEND = "notifications.alimtalk.SolapiSmsBackend"
    settings.ALIMTALK_TEMPLATES = {"notifications.test": "KA01TP-TEST", "notifications.urgent": "KA01TP-URGENT"}
    settings.SOLAPI_API_KEY, settings.SOLAPI_API_SECRET = API_KEY, API_SECRET
    settings.SOLAPI_PF_ID, settings.SOLAPI_SENDER = "KA01PF-GWANGMYEONG", "0226806716"
    settings.SOLAPI_WEBHOOK_TOKEN, settings.SOLAPI_WEBHOOK_ALLOWED_IPS = TOKEN, []
    with FakeSolapi() as fake:
        settings.SOLAPI_API_URL = fake.url
        yield fake


def notify_test(user, **kwargs):
    kwargs.setdefault("context", {"name": "김광명"})
    return services.notify(recipient=user, kind="notifications.test", **kwargs)


def row(channel, **filters):
    return Message.objects.get(channel=channel, **filters)


def post_report(client, body, token=TOKEN, **extra):
    return client.post(reverse("notifications:solapi_reports", args=[token]), data=json.dumps(body),
                       content_type="application/json", **extra)


# --- Refused when written ----------------------------------------------------------------------

def test_a_kind_without_an_approved_template_is_refused_when_written(solapi, phone_citizen):
    with pytest.raises(ValueError, match="no approved 알림톡 template"):
        services.notify(recipient=phone_citizen, kind="notifications.reminder", context={"title": "t", "when": "w"},
                        channels=["alimtalk"])
    assert not Message.objects.exists()


def test_a_message_over_kakaos_1000_characters_is_refused_when_written(solapi, phone_citizen):
    with pytest.raises(ValueError, match="over Kakao's 1000"):
        notify_test(phone_citizen, context={"name": "가" * 1000})
    assert not Message.objects.exists()  # not even the in-app copy
    with pytest.raises(ValueError, match="over Kakao's 1000"):
        services.notify_many(recipients=[phone_citizen], kind="notifications.test", context={"name": "가" * 1000})
    assert not Message.objects.exists()


def test_without_a_template_a_kind_goes_by_text_as_before(solapi, phone_citizen, send_now):
    solapi_templates = {}
    with send_now():
        from django.conf import settings

        settings.ALIMTALK_TEMPLATES = solapi_templates
        notify_test(phone_citizen)
    assert set(Message.objects.values_list("channel", flat=True)) == {"inapp", "email", "sms"}


# --- Sending -----------------------------------------------------------------------------------

def test_alimtalk_goes_first_with_the_template_and_variables_and_the_text_is_not_sent(
        solapi, phone_citizen, send_now):
    with send_now():
        notify_test(phone_citizen, link="/programs/")
    assert set(Message.objects.values_list("channel", flat=True)) == {"inapp", "email", "alimtalk"}
    talk = row("alimtalk")
    assert (talk.status, talk.receipt, talk.provider_status) == ("sent", "awaiting", "2000")
    [sent] = solapi.sent
    assert talk.provider_message_id == sent["messageId"]
    assert sent["type"] == "ATA" and sent["to"] == "01012345678" and sent["from"] == "0226806716"
    options = sent["kakaoOptions"]
    assert options["pfId"] == "KA01PF-GWANGMYEONG" and options["templateId"] == "KA01TP-TEST"
    assert options["disableSms"] is True  # the portal sends its own fallback, logged as a row
    assert options["variables"]["#{name}"] == "김광명"
    assert options["variables"]["#{link_url}"] == "http://127.0.0.1:8000/programs/"
    assert sent["customFields"] == {"reference": talk.idempotency_key}
    # Every message says how to stop it.
    assert sent["text"].rstrip().endswith("수신 설정 변경·중단: http://127.0.0.1:8000/me/notifications/settings/")
    assert talk.body == sent["text"]


def test_a_5xx_is_retried_with_backoff_until_the_alimtalk_is_accepted(solapi, phone_citizen, send_now,
                                                                       eager_retries):
    solapi.answers = [500, 503]
    with send_now():
        notify_test(phone_citizen, channels=["alimtalk"])
    talk = row("alimtalk")
    assert (talk.status, talk.attempts, len(solapi.sent)) == ("sent", 3, 1)
    assert not Message.objects.filter(channel="sms").exists()


def test_a_provider_that_does_not_answer_in_time_is_tried_again(solapi, phone_citizen, send_now, eager_retries):
    solapi.delays = [6]  # the first answer comes after the SDK's 5 s timeout
    with send_now():
        notify_test(phone_citizen, channels=["alimtalk"])
    talk = row("alimtalk")
    assert (talk.status, talk.attempts, len(solapi.sent)) == ("sent", 2, 1)
    assert talk.receipt == "awaiting"


def test_a_refused_alimtalk_fails_with_the_reason_and_goes_once_as_sms(solapi, phone_citizen, send_now):
    solapi.refused.add("01012345678")
    with send_now():
        notify_test(phone_citizen, channels=["alimtalk"])
    talk = row("alimtalk")
    assert talk.status == "failed" and "SOLAPI 1062" in talk.last_error and "text message instead" in talk.last_error
    assert row("sms").fallback_of == talk


def test_a_provider_down_past_every_retry_sends_the_text_instead(solapi, phone_citizen, send_now, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    solapi.answers = [500]
    with send_now():
        notify_test(phone_citizen, channels=["alimtalk"])
    talk = row("alimtalk")
    assert talk.status == "failed" and "gave up after 1 attempts" in talk.last_error
    text = row("sms", fallback_of=talk)
    assert text.status == "sent" and [m["type"] for m in solapi.sent] == ["SMS"]  # its own short text
    assert "[광명시]" in solapi.sent[0]["text"]


# --- Fallback after a receipt ------------------------------------------------------------------

def test_not_a_kakaotalk_user_gets_the_same_words_once_by_lms_and_the_log_shows_both(
        solapi, phone_citizen, send_now, client, admin_user):
    solapi.not_kakao.add("01012345678")
    with send_now():
        notify_test(phone_citizen, channels=["alimtalk"])
    talk = row("alimtalk")
    solapi.refused.add("never")  # keep the fake honest: only the fallback below may be sent now
    with send_now():
        response = post_report(client, solapi.report(talk.provider_message_id))
    assert response.status_code == 200 and response.json()["undelivered"] == 1
    talk.refresh_from_db()
    assert (talk.receipt, talk.provider_status) == ("undelivered", "3104")
    assert "not a KakaoTalk user" in talk.last_error
    text = row("sms", fallback_of=talk)
    assert text.status == "sent" and text.body == talk.body
    assert [m["type"] for m in solapi.sent] == ["ATA", "LMS"]  # over 90 bytes in EUC-KR
    assert solapi.sent[1]["text"] == talk.body and solapi.sent[1]["to"] == "01012345678"
    # SOLAPI reports the LMS too: acknowledged, not an unknown 알림톡.
    lms_report = post_report(client, solapi.report(solapi.sent[1]["messageId"]))
    assert lms_report.status_code == 200 and lms_report.json()["ignored"] == 1

    # SOLAPI retries its webhook, someone replays it, the poll comes round: still one text.
    with send_now():
        assert post_report(client, solapi.report(talk.provider_message_id)).status_code == 200
        services.alimtalk_receipts_poll(now=timezone.now() + timedelta(days=1))
    assert Message.objects.filter(channel="sms").count() == 1 and len(solapi.sent) == 2

    client.force_login(admin_user)
    page = client.get(reverse("admin:notifications_message_changelist")).content.decode()
    assert f"대체 문자 #{text.pk}" in page and f"원래 알림톡 #{talk.pk}" in page
    detail = client.get(reverse("admin:notifications_message_change", args=[talk.pk])).content.decode()
    assert "not a KakaoTalk user" in detail and "3104" in detail


def test_a_delivered_receipt_settles_the_row_and_a_duplicate_changes_nothing(solapi, phone_citizen, send_now,
                                                                             client):
    with send_now():
        notify_test(phone_citizen, channels=["alimtalk"])
    talk = row("alimtalk")
    report = solapi.report(talk.provider_message_id)
    assert post_report(client, report).json()["delivered"] == 1
    talk.refresh_from_db()
    assert (talk.receipt, talk.provider_status) == ("delivered", "4000")
    settled_at = talk.receipt_at
    again = post_report(client, report)
    assert again.status_code == 200 and again.json()["unchanged"] == 1
    # A late failure report for a delivered message is ignored too.
    assert post_report(client, solapi.report(talk.provider_message_id, status="3104")).json()["unchanged"] == 1
    talk.refresh_from_db()
    assert (talk.receipt, talk.receipt_at) == ("delivered", settled_at)
    assert not Message.objects.filter(channel="sms").exists()


def test_the_callback_refuses_a_bad_token_an_unknown_id_and_a_foreign_address(solapi, phone_citizen, send_now,
                                                                             client, settings, caplog):
    with send_now():
        notify_test(phone_citizen, channels=["alimtalk"])
    talk = row("alimtalk")
    report = solapi.report(talk.provider_message_id, status="3104")
    with caplog.at_level(logging.WARNING, logger="notifications.webhooks"):
        assert post_report(client, report, token="wrong").status_code == 403
        unknown = report + [{"eventDataId": "x", "data": {"messageId": "M4VNOSUCHID", "statusCode": "4000"}}]
        assert post_report(client, unknown).status_code == 404  # all or nothing: the known one unchanged too
        assert post_report(client, {"not": "a list"}).status_code == 400
        settings.SOLAPI_WEBHOOK_ALLOWED_IPS = ["203.0.113.7"]
        assert post_report(client, report).status_code == 403
    assert "bad token" in caplog.text and "unknown message M4VNOSUCHID" in caplog.text
    assert "address not allowed" in caplog.text
    talk.refresh_from_db()
    assert talk.receipt == "awaiting" and not Message.objects.filter(channel="sms").exists()
    settings.SOLAPI_WEBHOOK_ALLOWED_IPS = ["127.0.0.1"]
    assert post_report(client, report).status_code == 200


def test_receipts_that_do_not_come_are_polled(solapi, phone_citizen, send_now, settings):
    solapi.not_kakao.add("01012345678")
    with send_now():
        notify_test(phone_citizen, channels=["alimtalk"])
    talk = row("alimtalk")
    assert services.alimtalk_receipts_poll() == 0  # too early: the webhook may still come
    with send_now():
        later = timezone.now() + timedelta(seconds=settings.ALIMTALK_RECEIPT_WAIT + 1)
        assert services.alimtalk_receipts_poll(now=later) == 1
    talk.refresh_from_db()
    assert talk.receipt == "undelivered"
    assert row("sms", fallback_of=talk).status == "sent"
    assert any(r["path"].startswith("/messages/v4/list-old?") for r in solapi.requests)


# --- Quiet hours, logging ------------------------------------------------------------------------

def test_quiet_hours_hold_alimtalk_like_sms_but_not_urgent_ones(solapi, phone_citizen):
    night = timezone.now().astimezone(SEOUL).replace(hour=22, minute=30)
    with time_machine.travel(night, tick=False):
        notify_test(phone_citizen, channels=["alimtalk"])
        services.notify(recipient=phone_citizen, kind="notifications.urgent", context={"text": "단수"})
    assert row("alimtalk", kind="notifications.test").status == "held"
    assert row("alimtalk", kind="notifications.urgent").status == "pending"


def test_the_logging_backend_masks_the_number(caplog):
    with caplog.at_level(logging.INFO, logger="notifications.alimtalk"):
        LoggingAlimtalkBackend().send("010-1234-5678", "안내", template_id="T", variables={}, reference="k")
    assert "5678" in caplog.text and "1234" not in caplog.text and "안내" in caplog.text


def test_sms_or_lms_by_euc_kr_bytes():
    assert sms_type("가" * 45) == "SMS" and sms_type("가" * 46) == "LMS" and sms_type("a" * 90) == "SMS"


# --- Preferences ---------------------------------------------------------------------------------

@pytest.fixture
def templates(settings):
    settings.ALIMTALK_TEMPLATES = {"notifications.reminder": "KA01TP-REMINDER", "notifications.urgent": "KA01TP-URG"}


def test_citizens_choose_alimtalk_text_or_email_per_kind(templates, phone_citizen, client):
    client.force_login(phone_citizen)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert 'name="notifications.reminder__alimtalk"' in page and 'name="notifications.urgent__alimtalk"' in page
    assert 'name="notifications.welcome__alimtalk"' not in page  # no approved template: not offered
    response = client.post(reverse("notifications:settings"), {
        "notifications.reminder__sms": "on", "notifications.urgent__alimtalk": "on"})
    assert response.status_code == 302
    services.notify(recipient=phone_citizen, kind="notifications.reminder", context={"title": "t", "when": "w"})
    services.notify(recipient=phone_citizen, kind="notifications.urgent", context={"text": "단수"})
    channels = set(Message.objects.values_list("kind", "channel"))
    assert ("notifications.reminder", "sms") in channels and ("notifications.reminder", "alimtalk") not in channels
    assert ("notifications.reminder", "email") not in channels
    assert ("notifications.urgent", "alimtalk") in channels and ("notifications.urgent", "sms") not in channels


def test_an_urgent_kind_cannot_be_turned_off_entirely(templates, phone_citizen, client):
    client.force_login(phone_citizen)
    response = client.post(reverse("notifications:settings"), {"notifications.reminder__email": "on"})
    assert response.status_code == 400
    assert "긴급 안내는 이메일, 문자, 알림톡 중 하나 이상으로 받아야 합니다." in response.content.decode()
    assert not phone_citizen.notification_preferences.exists()
    with pytest.raises(ValueError, match="urgent"):
        services.preferences_update(user=phone_citizen, choices={
            ("notifications.urgent", "email"): False, ("notifications.urgent", "sms"): False,
            ("notifications.urgent", "alimtalk"): False})
    assert not phone_citizen.notification_preferences.exists()


def test_every_email_and_alimtalk_says_how_to_stop_it(templates, phone_citizen, send_now):
    from django.core import mail

    with send_now():
        services.notify(recipient=phone_citizen, kind="notifications.reminder", context={"title": "t", "when": "w"},
                        channels=["email", "alimtalk"])
    assert "수신 설정 변경·중단: http://127.0.0.1:8000/me/notifications/settings/" in mail.outbox[0].body
    assert row("alimtalk").body.endswith("수신 설정 변경·중단: http://127.0.0.1:8000/me/notifications/settings/")


def test_make_run_logs_alimtalk_with_the_number_masked(templates, phone_citizen, send_now, caplog, settings):
    settings.ALIMTALK_BACKEND = "notifications.alimtalk.LoggingAlimtalkBackend"
    lg = logging.getLogger("notifications.alimtalk")
    caplog.set_level(logging.INFO, logger="notifications.alimtalk")
    lg.addHandler(caplog.handler)  # the eager task runs under Celery's logging set-up
    with send_now():
        services.notify(recipient=phone_citizen, kind="notifications.urgent", context={"text": "단수 안내"})
    talk = row("alimtalk")
    lg.removeHandler(caplog.handler)
    assert (talk.status, talk.receipt) == ("sent", "delivered"), talk.last_error
    assert "알림톡 to ***-5678" in caplog.text and "010-1234" not in caplog.text and "단수 안내" in caplog.text
