"""notify() and delivery: rows first, sending after commit, exactly once, failures marked and logged."""

import logging
import smtplib
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications import services
from notifications.kinds import UnknownKind
from notifications.models import Message, NotificationPreference
from notifications.tasks import deliver_message

from .backends import FlakyEmailBackend

pytestmark = pytest.mark.django_db

S = Message.Status


def by_channel(messages):
    return {m.channel: Message.objects.get(pk=m.pk) for m in messages}


def test_notify_writes_a_row_per_channel_and_sends_after_commit(phone_citizen, mailoutbox, caplog,
                                                                django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger="notifications.sms")
    with django_capture_on_commit_callbacks() as callbacks:
        messages = services.notify(recipient=phone_citizen, kind="notifications.test", context={"name": "하늘"},
                                   link="/programs/1/")
        # E-mail and SMS are written, not sent, until the caller's transaction commits; the
        # in-app row is delivered in that transaction, so it shows when (and only if) it commits.
        assert {m.channel: m.status for m in messages} == {"inapp": S.SENT, "email": S.PENDING,
                                                           "sms": S.PENDING}
        assert mailoutbox == []
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    rows = by_channel(messages)
    assert {c: r.status for c, r in rows.items()} == {"inapp": S.SENT, "email": S.SENT, "sms": S.SENT}
    assert all(r.attempts == 1 and r.sent_at for r in rows.values())
    assert rows["inapp"].subject == "테스트 알림: 하늘"
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [phone_citizen.email] and email.subject == "테스트 알림: 하늘"
    assert email.extra_headers["Message-ID"] == services.message_id_header(rows["email"])
    assert any("***-5678" in r.getMessage() and "[광명시] 테스트 하늘" in r.getMessage() for r in caplog.records)


def test_a_rolled_back_transaction_sends_nothing(citizen, mailoutbox, send_now):
    with send_now(), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.notify(recipient=citizen, kind="notifications.test", context={"name": "x"})
            raise RuntimeError("the caller's work failed")
    assert not Message.objects.exists()
    assert mailoutbox == []


def test_a_repeated_call_and_a_redelivered_task_send_nothing_twice(citizen, mailoutbox, send_now):
    with send_now():
        first = services.notify(recipient=citizen, kind="notifications.reminder",
                                context={"title": "요가", "when": "내일"})
    with send_now() as callbacks:
        again = services.notify(recipient=citizen, kind="notifications.reminder",
                                context={"title": "요가", "when": "내일"})
    assert callbacks == []
    assert [m.pk for m in again] == [m.pk for m in first]
    assert deliver_message.delay(first[1].pk).get() == "skipped"
    assert len(mailoutbox) == 1
    assert Message.objects.count() == 2
    # A different context is a different message; an explicit key is honoured per channel.
    with send_now():
        services.notify(recipient=citizen, kind="notifications.reminder", context={"title": "요가", "when": "모레"})
        keyed = services.notify(recipient=citizen, kind="notifications.reminder", idempotency_key="event-7-d1",
                                context={"title": "요가", "when": "모레"})
        services.notify(recipient=citizen, kind="notifications.reminder", idempotency_key="event-7-d1",
                        context={"title": "바뀐 내용", "when": "모레"})
    assert sorted(m.idempotency_key for m in keyed) == ["event-7-d1:email", "event-7-d1:inapp"]
    assert len(mailoutbox) == 3


def test_english_speakers_get_english(citizen, mailoutbox, send_now):
    citizen.preferred_language = "en"
    citizen.save()
    with send_now():
        services.notify(recipient=citizen, kind="notifications.reminder", context={"title": "Yoga", "when": "Mon"})
    assert mailoutbox[0].subject == "[Reminder] Yoga"
    assert "Dear 김시민" in mailoutbox[0].body


def test_unknown_kind_and_non_json_context_are_refused_loudly(citizen):
    with pytest.raises(UnknownKind):
        services.notify(recipient=citizen, kind="programs.no_such_kind", context={})
    with pytest.raises(TypeError):
        services.notify(recipient=citizen, kind="notifications.test", context={"name": timezone.now()})
    with pytest.raises(ValueError):
        services.notify(recipient=citizen, kind="notifications.test", context={"name": "x"}, channels=["fax"])
    assert not Message.objects.exists()


def test_a_user_without_an_email_address_gets_a_failed_row_and_an_error_log(citizen, mailoutbox, send_now, caplog):
    User.objects.filter(pk=citizen.pk).update(email="")
    citizen.refresh_from_db()
    with send_now():
        rows = by_channel(services.notify(recipient=citizen, kind="notifications.reminder",
                                          context={"title": "a", "when": "b"}))
    rows = by_channel(rows.values())
    assert rows["email"].status == S.FAILED
    assert rows["email"].last_error == "recipient has no email address"
    assert rows["inapp"].status == S.SENT
    assert mailoutbox == []
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "notifications.services"]
    assert any("recipient has no email address" in r.getMessage() for r in errors)


def test_a_missing_template_variable_fails_the_row_with_the_reason(citizen, mailoutbox, send_now, caplog):
    with send_now():
        rows = by_channel(services.notify(recipient=citizen, kind="notifications.reminder",
                                          context={"title": "제목만"}))
    rows = by_channel(rows.values())
    assert {r.status for r in rows.values()} == {S.FAILED}
    assert "missing template variable 'when'" in rows["email"].last_error
    assert mailoutbox == []
    assert any(r.levelno == logging.ERROR and "'when'" in r.getMessage() for r in caplog.records)


def test_no_phone_number_fails_the_sms_row(citizen, send_now):
    with send_now():
        rows = by_channel(services.notify(recipient=citizen, kind="notifications.test", context={"name": "x"}))
    assert Message.objects.get(pk=rows["sms"].pk).last_error == "recipient has no phone number"


def test_transient_smtp_errors_are_retried_until_sent(citizen, settings, send_now, mailoutbox, eager_retries):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyEmailBackend"
    FlakyEmailBackend.failures, FlakyEmailBackend.calls = 2, 0
    FlakyEmailBackend.error = smtplib.SMTPServerDisconnected("connection lost")
    with send_now():
        rows = by_channel(services.notify(recipient=citizen, kind="notifications.test", context={"name": "x"},
                                          channels=["email"]))
    email = Message.objects.get(pk=rows["email"].pk)
    assert (email.status, email.attempts, FlakyEmailBackend.calls, len(mailoutbox)) == (S.SENT, 3, 3, 1)


def test_permanent_smtp_errors_fail_at_once_and_endless_transient_ones_give_up(citizen, settings, send_now,
                                                                                 eager_retries):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyEmailBackend"
    FlakyEmailBackend.failures, FlakyEmailBackend.calls = 1, 0
    FlakyEmailBackend.error = smtplib.SMTPResponseException(550, b"mailbox unavailable")
    with send_now():
        rows = by_channel(services.notify(recipient=citizen, kind="notifications.test", context={"name": "a"},
                                          channels=["email"]))
    email = Message.objects.get(pk=rows["email"].pk)
    assert (email.status, email.attempts) == (S.FAILED, 1)
    assert "SMTP 550" in email.last_error

    FlakyEmailBackend.failures, FlakyEmailBackend.calls = 100, 0
    FlakyEmailBackend.error = smtplib.SMTPResponseException(421, b"try later")
    with send_now():
        rows = by_channel(services.notify(recipient=citizen, kind="notifications.test", context={"name": "b"},
                                          channels=["email"]))
    email = Message.objects.get(pk=rows["email"].pk)
    assert email.status == S.FAILED and email.attempts == 7  # first try + max_retries
    assert email.last_error.startswith("gave up after 7 attempts: SMTP 421")


def test_a_fresh_claim_belongs_to_another_worker_and_a_stale_one_is_taken_over(citizen, settings, mailoutbox):
    message = Message.objects.create(recipient=citizen, kind="notifications.test", channel="email",
                                     idempotency_key="k:email", context={"name": "x"}, status=S.SENDING,
                                     claimed_at=timezone.now() - timedelta(seconds=5))
    settings.NOTIFY_CLAIM_TIMEOUT = 60
    assert services.message_deliver(message_id=message.pk) == "skipped"
    assert mailoutbox == []
    Message.objects.filter(pk=message.pk).update(claimed_at=timezone.now() - timedelta(seconds=61))
    assert services.message_deliver(message_id=message.pk) == "sent"
    assert services.message_deliver(message_id=message.pk) == "skipped"
    assert len(mailoutbox) == 1


def test_the_sweep_requeues_lost_and_stuck_messages_only(citizen, settings, mailoutbox):
    settings.NOTIFY_REQUEUE_AFTER, settings.NOTIFY_CLAIM_TIMEOUT = 300, 120
    now = timezone.now()

    def row(key, created=now - timedelta(hours=1), **fields):
        message = Message.objects.create(recipient=citizen, kind="notifications.test", channel="email",
                                         idempotency_key=key, context={"name": key}, **fields)
        Message.objects.filter(pk=message.pk).update(created_at=created)
        return message

    lost = row("lost")
    row("young", created=now)
    stuck = row("stuck", status=S.SENDING, claimed_at=now - timedelta(minutes=5))
    row("busy", status=S.SENDING, claimed_at=now - timedelta(seconds=10))
    row("done", status=S.SENT, sent_at=now)
    row("failed", status=S.FAILED)
    assert services.message_requeue_due() == 2
    assert sorted(m.to[0] for m in mailoutbox) == [citizen.email] * 2
    assert {m.idempotency_key for m in Message.objects.filter(status=S.SENT)} == {lost.idempotency_key,
                                                                                  stuck.idempotency_key, "done"}


def test_resend_puts_a_failed_message_back_and_sends_it(citizen, send_now, mailoutbox):
    message = Message.objects.create(recipient=citizen, kind="notifications.test", channel="email",
                                     idempotency_key="r:email", context={"name": "x"}, status=S.FAILED,
                                     last_error="SMTP 421")
    with send_now():
        assert services.message_resend(message=message) is True
        assert services.message_resend(message=Message.objects.get(pk=message.pk)) is False
    message.refresh_from_db()
    assert message.status == S.SENT and len(mailoutbox) == 1


# --- Preferences --------------------------------------------------------------------------

def channels_of(messages):
    return sorted(m.channel for m in messages)


def test_preferences_choose_channels_and_in_app_is_always_on(phone_citizen):
    kind = "notifications.reminder"
    assert channels_of(services.notify(recipient=phone_citizen, kind=kind, context={"n": 1})) == ["email", "inapp"]
    services.preferences_update(user=phone_citizen, choices={(kind, "email"): False, (kind, "sms"): True,
                                                             (kind, "inapp"): False})
    assert channels_of(services.notify(recipient=phone_citizen, kind=kind, context={"n": 2})) == ["inapp", "sms"]
    # A caller offering only some channels: preferences may still turn them off, never add others.
    assert channels_of(services.notify(recipient=phone_citizen, kind=kind, context={"n": 3},
                                       channels=["email"])) == ["inapp"]


def test_mandatory_kinds_always_go_in_app_and_by_email(citizen):
    kind = "notifications.service_notice"
    services.preferences_update(user=citizen, choices={(kind, "email"): False})
    assert not NotificationPreference.objects.filter(user=citizen, kind=kind).exists()
    # Even a preference row written behind the service's back does not silence a mandatory kind.
    NotificationPreference.objects.create(user=citizen, kind=kind, channel="email", enabled=False)
    assert channels_of(services.notify(recipient=citizen, kind=kind, context={"text": "결정"},
                                       channels=["inapp"])) == ["email", "inapp"]


def test_personal_data_export_and_erase(citizen, other_citizen, send_now):
    from django.apps import apps

    with send_now():
        services.notify(recipient=citizen, kind="notifications.test", context={"name": "x"}, channels=["email"])
        services.notify(recipient=other_citizen, kind="notifications.test", context={"name": "y"})
    services.preferences_update(user=citizen, choices={("notifications.reminder", "email"): False})
    config = apps.get_app_config("notifications")
    exported = config.personal_data_export(citizen)["messages"]
    assert {(m["channel"], m["status"]) for m in exported} == {("inapp", "sent"), ("email", "sent")}
    assert config.personal_data_erase(citizen) == []
    assert not Message.objects.filter(recipient=citizen).exists()
    assert not NotificationPreference.objects.filter(user=citizen).exists()
    assert Message.objects.filter(recipient=other_citizen).exists()
