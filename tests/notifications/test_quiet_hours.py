"""No SMS between 21:00 and 08:00 Seoul time unless urgent: held, then sent at 08:00 (frozen clock)."""

from datetime import datetime

import pytest
import time_machine

from notifications import services
from notifications.models import Message
from notifications.quiet_hours import SEOUL, quiet_until

S = Message.Status


def seoul(*args):
    return datetime(*args, tzinfo=SEOUL)


@pytest.mark.parametrize(("now", "until"), [
    (seoul(2027, 3, 2, 20, 59), None),
    (seoul(2027, 3, 2, 21, 0), seoul(2027, 3, 3, 8, 0)),
    (seoul(2027, 3, 2, 23, 30), seoul(2027, 3, 3, 8, 0)),
    (seoul(2027, 3, 3, 0, 10), seoul(2027, 3, 3, 8, 0)),
    (seoul(2027, 3, 3, 7, 59, 59), seoul(2027, 3, 3, 8, 0)),
    (seoul(2027, 3, 3, 8, 0), None),
])
def test_quiet_hours_window(now, until):
    assert quiet_until(now) == until


@pytest.mark.django_db
def test_sms_at_night_is_held_until_eight_and_then_sent(phone_citizen, send_now, mailoutbox, caplog):
    with time_machine.travel(seoul(2027, 3, 2, 22, 30), tick=False):
        with send_now():
            messages = services.notify(recipient=phone_citizen, kind="notifications.test", context={"name": "밤"})
        rows = {m.channel: Message.objects.get(pk=m.pk) for m in messages}
        # E-mail and in-app go at once; the SMS waits (its eta task ran early and did nothing).
        assert rows["email"].status == S.SENT and rows["inapp"].status == S.SENT
        assert rows["sms"].status == S.HELD and rows["sms"].not_before == seoul(2027, 3, 3, 8, 0)
        assert rows["sms"].attempts == 0
        assert services.message_requeue_due() == 0
    with time_machine.travel(seoul(2027, 3, 3, 7, 59), tick=False):
        assert services.message_requeue_due() == 0
    with time_machine.travel(seoul(2027, 3, 3, 8, 0, 30), tick=False):
        # The 08:00 eta task was lost (say Redis restarted): the every-minute sweep sends it.
        assert services.message_requeue_due() == 1
    sms = Message.objects.get(pk=rows["sms"].pk)
    assert sms.status == S.SENT and sms.attempts == 1
    assert sms.sent_at == seoul(2027, 3, 3, 8, 0, 30)


@pytest.mark.django_db
def test_the_held_sms_task_carries_an_eta_of_eight_oclock(phone_citizen, django_capture_on_commit_callbacks,
                                                          monkeypatch):
    from notifications.tasks import deliver_message

    sent = []
    monkeypatch.setattr(deliver_message, "apply_async", lambda args, eta=None: sent.append((args[0], eta)))
    with time_machine.travel(seoul(2027, 3, 2, 23, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            messages = services.notify(recipient=phone_citizen, kind="notifications.test", context={"name": "x"})
    sms = next(m for m in messages if m.channel == "sms")
    assert (sms.pk, seoul(2027, 3, 3, 8, 0)) in sent
    assert sorted(eta is None for _, eta in sent) == [False, True]  # SMS with eta, e-mail without


@pytest.mark.django_db
def test_urgent_sms_is_sent_at_night(phone_citizen, send_now):
    with time_machine.travel(seoul(2027, 3, 2, 23, 0), tick=False):
        with send_now():
            messages = services.notify(recipient=phone_citizen, kind="notifications.urgent",
                                       context={"text": "하천 범람 주의"})
    assert {m.channel: Message.objects.get(pk=m.pk).status for m in messages} == {"inapp": S.SENT, "sms": S.SENT}
