"""notify_many() and the batch delivery task: what notify() does for each recipient, in bulk, and
every e-mail exactly once — also when a batch runs twice or one of its messages fails for a while."""

import smtplib
from datetime import datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.template import engines
from django.template.loaders.filesystem import Loader as FilesystemLoader
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from notifications import services
from notifications.kinds import get_kind
from notifications.models import Message, NotificationPreference
from notifications.quiet_hours import SEOUL
from notifications.rendering import render_kind
from notifications.services import sending
from notifications.tasks import deliver_message, deliver_messages

from .backends import CountingEmailBackend, FlakyEmailBackend

pytestmark = pytest.mark.django_db

S = Message.Status
REMINDER = {"title": "건강검진", "when": "5월 1일"}


def people(count, *, phone=""):
    users = [make_user(f"p{n}@example.com") for n in range(count)]
    if phone:
        for user in users:
            user.phone = phone
            user.save(update_fields=["phone"])
    return users


def channels_by_person(users):
    rows = Message.objects.filter(recipient__in=users).values_list("recipient_id", "channel")
    result = {user.pk: [] for user in users}
    for recipient_id, channel in rows:
        result[recipient_id].append(channel)
    return {pk: sorted(channels) for pk, channels in result.items()}


def email_ids(users=None):
    rows = Message.objects.filter(channel="email")
    if users is not None:
        rows = rows.filter(recipient__in=users)
    return sorted(rows.values_list("pk", flat=True))


def test_each_recipient_gets_what_notify_would_give_them(send_now, mailoutbox):
    plain, email_off, sms_on = people(3, phone="010-0000-0000")
    kind = "notifications.reminder"
    services.preferences_update(user=email_off, choices={(kind, "email"): False})
    services.preferences_update(user=sms_on, choices={(kind, "sms"): True})
    with send_now():
        written = services.notify_many(recipients=[plain, email_off, sms_on], kind=kind, context=REMINDER,
                                       link="/events/1/")
    assert written == 6
    assert channels_by_person([plain, email_off, sms_on]) == {
        plain.pk: ["email", "inapp"], email_off.pk: ["inapp"], sms_on.pk: ["email", "inapp", "sms"],
    }
    # In-app rendered and delivered in the caller's transaction; e-mail and SMS sent after commit.
    assert set(Message.objects.values_list("status", flat=True)) == {S.SENT}
    inapp = Message.objects.get(recipient=plain, channel="inapp")
    assert inapp.subject == "[일정 알림] 건강검진" and "http://" in inapp.body
    assert sorted(m.to[0] for m in mailoutbox) == [plain.email, sms_on.email]
    # The same rows, keys included, as one notify() per person: notify() afterwards adds nothing.
    with send_now() as callbacks:
        again = services.notify(recipient=plain, kind=kind, context=REMINDER, link="/events/1/")
    assert callbacks == [] and len(again) == 2 and Message.objects.count() == 6


def test_mandatory_kinds_go_by_email_whatever_the_preferences_and_offered_channels(citizen, other_citizen):
    kind = "notifications.service_notice"
    NotificationPreference.objects.create(user=citizen, kind=kind, channel="email", enabled=False)
    services.notify_many(recipients=[citizen, other_citizen], kind=kind, context={"text": "결정"},
                         channels=["inapp"])
    assert channels_by_person([citizen, other_citizen]) == {citizen.pk: ["email", "inapp"],
                                                            other_citizen.pk: ["email", "inapp"]}


def test_offered_channels_limit_and_preferences_still_turn_off(citizen, other_citizen):
    kind = "notifications.test"
    services.preferences_update(user=citizen, choices={(kind, "email"): False})
    services.notify_many(recipients=[citizen, other_citizen], kind=kind, context={"name": "x"}, channels=["email"])
    assert channels_by_person([citizen, other_citizen]) == {citizen.pk: ["inapp"],
                                                            other_citizen.pk: ["email", "inapp"]}


def test_a_repeated_call_writes_nothing_and_sends_nothing_again(send_now, mailoutbox):
    users = people(4)
    with send_now():
        assert services.notify_many(recipients=users, kind="notifications.reminder", context=REMINDER,
                                    idempotency_key="event-7-d1") == 8
    keys = set(Message.objects.values_list("idempotency_key", flat=True))
    assert f"event-7-d1:{users[0].pk}:email" in keys and f"event-7-d1:{users[0].pk}:inapp" in keys
    with send_now() as callbacks:
        # Even with another context: the key says it is the same message.
        assert services.notify_many(recipients=[*users, users[0]], kind="notifications.reminder",
                                    context={"title": "바뀜", "when": "다른 날"}, idempotency_key="event-7-d1") == 0
    assert callbacks == []
    assert Message.objects.count() == 8 and len(mailoutbox) == 4
    # notify() for one of them with the per-recipient key is the same message too.
    with send_now() as callbacks:
        services.notify(recipient=users[1], kind="notifications.reminder", context=REMINDER,
                        idempotency_key=f"event-7-d1:{users[1].pk}")
    assert callbacks == [] and Message.objects.count() == 8


def test_refuses_bad_input_before_writing_anything(citizen):
    with pytest.raises(ValueError):
        services.notify_many(recipients=[citizen], kind="notifications.test", context={"name": "x"},
                             channels=["fax"])
    with pytest.raises(TypeError):
        services.notify_many(recipients=[citizen], kind="notifications.test", context={"name": timezone.now()})
    with pytest.raises(ValueError):
        services.notify_many(recipients=[citizen], kind="notifications.test", context={"name": "x"},
                             idempotency_key="k" * 240)
    assert not Message.objects.exists()
    assert services.notify_many(recipients=[], kind="notifications.test", context={"name": "x"}) == 0


def test_the_same_number_of_queries_for_more_recipients(django_capture_on_commit_callbacks):
    few, more = people(3), [make_user(f"m{n}@example.com") for n in range(30)]

    def queries(users, key):
        with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks():
            services.notify_many(recipients=users, kind="notifications.reminder", context=REMINDER,
                                 idempotency_key=key)
        return [q["sql"] for q in captured]

    for_few, for_more = queries(few, "a"), queries(more, "b")
    assert len(for_few) == len(for_more)
    assert sum("notifications_notificationpreference" in sql for sql in for_more) == 1


def test_delivery_is_enqueued_after_commit_in_batches_of_ids(django_capture_on_commit_callbacks, monkeypatch):
    users = people(5)
    sent = []
    monkeypatch.setattr(sending, "DELIVERY_BATCH", 2)  # notify_many reads it from sending
    monkeypatch.setattr(deliver_messages, "apply_async",
                        lambda args, eta=None: sent.append((list(args[0]), eta)))
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify_many(recipients=users, kind="notifications.reminder", context=REMINDER)
        assert sent == []  # nothing before the caller's commit
    for callback in callbacks:
        callback()
    assert [len(ids) for ids, _ in sent] == [2, 2, 1]
    assert sorted(pk for ids, _ in sent for pk in ids) == email_ids()
    assert all(eta is None for _, eta in sent)


def test_sms_at_night_is_held_until_eight_and_the_sweep_sends_it(send_now, mailoutbox, monkeypatch):
    users = people(3, phone="010-1234-5678")
    night = datetime(2027, 3, 2, 22, 30, tzinfo=SEOUL)
    eight = datetime(2027, 3, 3, 8, 0, tzinfo=SEOUL)
    with time_machine.travel(night, tick=False):
        with send_now():
            services.notify_many(recipients=users, kind="notifications.test", context={"name": "밤"})
        sms = Message.objects.filter(channel="sms")
        # E-mail and in-app go at once; the SMS waits (its batch ran early and claimed nothing).
        assert {m.status for m in Message.objects.exclude(channel="sms")} == {S.SENT}
        assert [(m.status, m.not_before, m.attempts) for m in sms] == [(S.HELD, eight, 0)] * 3
        assert len(mailoutbox) == 3

        sent = []
        monkeypatch.setattr(deliver_messages, "apply_async",
                            lambda args, eta=None: sent.append((sorted(args[0]), eta)))
        with send_now():
            services.notify_many(recipients=users, kind="notifications.test", context={"name": "둘째 밤"})
        held = sorted(Message.objects.filter(channel="sms", context__name="둘째 밤").values_list("pk", flat=True))
        assert (held, eight) in sent and sorted(eta is None for _, eta in sent) == [False, True]
        monkeypatch.undo()
    with time_machine.travel(eight + timedelta(seconds=30), tick=False):
        # Six held SMS, and the second call's e-mail, whose batch was captured above and never ran.
        assert services.message_requeue_due() == 9
    assert set(Message.objects.values_list("status", "attempts")) == {(S.SENT, 1)}


def test_one_connection_per_batch_and_each_row_marked(settings, send_now, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notifications.backends.CountingEmailBackend"
    CountingEmailBackend.opened = 0
    users = people(5)
    with send_now():
        services.notify_many(recipients=users, kind="notifications.reminder", context=REMINDER)
    assert CountingEmailBackend.opened == 1
    assert len(mailoutbox) == 5
    rows = Message.objects.filter(channel="email")
    assert {(m.status, m.attempts, bool(m.sent_at), m.subject) for m in rows} == {
        (S.SENT, 1, True, "[일정 알림] 건강검진")}
    headers = sorted(m.extra_headers["Message-ID"] for m in mailoutbox)
    assert headers == sorted(services.message_id_header(m) for m in rows)


def test_a_batch_run_twice_sends_each_email_once(django_capture_on_commit_callbacks, mailoutbox):
    users = people(4)
    with django_capture_on_commit_callbacks():  # enqueued, never run: as if the task were still queued
        services.notify_many(recipients=users, kind="notifications.reminder", context=REMINDER)
    ids = email_ids()
    deliver_messages.delay(ids)
    deliver_messages.delay(ids)  # redelivered after a lost acknowledgement
    assert deliver_message.delay(ids[0]).get() == "skipped"  # and the sweep's single task too
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in users)
    assert set(Message.objects.filter(channel="email").values_list("status", "attempts")) == {(S.SENT, 1)}
    outcome = services.message_deliver_many(message_ids=ids)
    assert outcome.skipped == ids and outcome.sent == []


def test_claims_follow_the_single_task_rules(citizen, settings, mailoutbox):
    settings.NOTIFY_CLAIM_TIMEOUT = 60
    now = timezone.now()

    def row(key, **fields):
        return Message.objects.create(recipient=citizen, kind="notifications.test", channel="email",
                                      idempotency_key=key, context={"name": key}, **fields).pk

    pending = row("pending")
    busy = row("busy", status=S.SENDING, claimed_at=now - timedelta(seconds=5))
    stale = row("stale", status=S.SENDING, claimed_at=now - timedelta(seconds=61))
    early = row("early", status=S.HELD, not_before=now + timedelta(hours=1))
    done = row("done", status=S.SENT, sent_at=now)
    failed = row("failed", status=S.FAILED)
    outcome = services.message_deliver_many(message_ids=[pending, busy, stale, early, done, failed, 999999])
    assert sorted(outcome.sent) == sorted([pending, stale])
    assert sorted(outcome.skipped) == sorted([busy, early, done, failed, 999999])
    assert len(mailoutbox) == 2


def test_a_transient_failure_of_one_message_retries_it_alone(settings, django_capture_on_commit_callbacks,
                                                             mailoutbox, eager_retries):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyEmailBackend"
    FlakyEmailBackend.failures, FlakyEmailBackend.calls = 1, 0
    FlakyEmailBackend.error = smtplib.SMTPResponseException(421, b"try later")
    users = people(4)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_many(recipients=users, kind="notifications.reminder", context=REMINDER)
    rows = {m.pk: m for m in Message.objects.filter(channel="email")}
    first = min(rows)
    # The first message failed once and was retried on its own; the others went once.
    assert sorted(m.extra_headers["Message-ID"] for m in mailoutbox) == sorted(
        services.message_id_header(m) for m in rows.values())
    assert {pk: (m.status, m.attempts) for pk, m in rows.items()} == {
        pk: (S.SENT, 2 if pk == first else 1) for pk in rows}
    assert FlakyEmailBackend.calls == 5


def test_a_transient_failure_leaves_the_row_pending_for_a_retry_of_its_id(settings, citizen, other_citizen,
                                                                           django_capture_on_commit_callbacks,
                                                                           mailoutbox):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyEmailBackend"
    FlakyEmailBackend.failures, FlakyEmailBackend.calls = 1, 0
    FlakyEmailBackend.error = smtplib.SMTPServerDisconnected("connection lost")
    with django_capture_on_commit_callbacks():
        services.notify_many(recipients=[citizen, other_citizen], kind="notifications.reminder", context=REMINDER)
    first, second = email_ids()
    outcome = services.message_deliver_many(message_ids=[first, second])
    assert (outcome.retry, outcome.sent) == ([first], [second])
    row = Message.objects.get(pk=first)
    assert (row.status, row.attempts, row.claimed_at) == (S.PENDING, 1, None)
    assert "SMTPServerDisconnected" in row.last_error
    assert [m.to for m in mailoutbox] == [[other_citizen.email]]
    # Given up on the final attempt, like deliver_message.
    FlakyEmailBackend.failures = 1
    outcome = services.message_deliver_many(message_ids=[first, second], final_attempt=True)
    assert (outcome.failed, outcome.skipped) == ([first], [second])
    assert Message.objects.get(pk=first).last_error.startswith("gave up after 2 attempts")


def test_a_permanent_failure_fails_that_row_only(citizen, other_citizen, django_capture_on_commit_callbacks,
                                                 mailoutbox):
    type(citizen).objects.filter(pk=citizen.pk).update(email="")
    with django_capture_on_commit_callbacks():
        services.notify_many(recipients=[citizen, other_citizen], kind="notifications.reminder", context=REMINDER)
    outcome = services.message_deliver_many(message_ids=email_ids())
    assert len(outcome.failed) == 1 and len(outcome.sent) == 1
    assert Message.objects.get(pk=outcome.failed[0]).last_error == services.NO_EMAIL
    assert [m.to for m in mailoutbox] == [[other_citizen.email]]


def test_out_of_time_a_batch_hands_back_untried_rows_uncounted(django_capture_on_commit_callbacks, mailoutbox):
    users = people(3)
    with django_capture_on_commit_callbacks():
        services.notify_many(recipients=users, kind="notifications.reminder", context=REMINDER)
    ids = email_ids()
    outcome = services.message_deliver_many(message_ids=ids, budget=-1)
    assert outcome.deferred == ids and mailoutbox == []
    assert set(Message.objects.filter(pk__in=ids).values_list("status", "attempts", "claimed_at")) == {
        (S.PENDING, 0, None)}
    assert deliver_messages.delay(ids).get() == {"sent": 3, "failed": 0, "skipped": 0}


def test_lost_batch_tasks_are_found_by_the_sweep(settings, django_capture_on_commit_callbacks, mailoutbox):
    settings.NOTIFY_REQUEUE_AFTER = 300
    users = people(3)
    with django_capture_on_commit_callbacks():  # the tasks are lost with a Redis restart
        services.notify_many(recipients=users, kind="notifications.reminder", context=REMINDER)
    assert services.message_requeue_due() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        assert services.message_requeue_due() == 3
    assert len(mailoutbox) == 3
    assert set(Message.objects.values_list("status", flat=True)) == {S.SENT}


def test_templates_are_compiled_once_not_read_per_message():
    kind = get_kind("notifications.reminder")
    context = {"recipient_name": "a", "portal_name": "p", "link_url": "/", **REMINDER}
    with mock.patch.object(FilesystemLoader, "get_contents", autospec=True,
                           side_effect=FilesystemLoader.get_contents) as read:
        engines["django"].engine.template_loaders[0].reset()  # a fresh process: nothing compiled yet
        render_kind(kind, language="ko", context=context)
        assert read.call_count == 3  # subject, body, sms: read and compiled once
        for _ in range(20):
            render_kind(kind, language="ko", context=context)
        assert read.call_count == 3
