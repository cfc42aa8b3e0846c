"""notice_prepare + notice_write: what a caller holding a lock uses. The same rows as notify, with
nothing written until notice_write, and that one INSERT."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from notifications import services
from notifications.models import Message

pytestmark = pytest.mark.django_db

S = Message.Status


def test_a_prepared_notice_writes_the_rows_notify_writes_and_sends_after_commit(phone_citizen, mailoutbox, send_now):
    with CaptureQueriesContext(connection) as preparing:
        notice = services.notice_prepare(recipient=phone_citizen, kind="notifications.test",
                                         context={"name": "하늘"}, link="/programs/1/")
    assert not Message.objects.exists()
    assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE")) for q in preparing.captured_queries)
    with send_now():
        with transaction.atomic(), CaptureQueriesContext(connection) as writing:
            messages = services.notice_write(notice, idempotency_key="test:1")
            assert mailoutbox == []
    # Under a caller's lock: one INSERT of every channel's row (RETURNING their ids), nothing else.
    statements = [q["sql"] for q in writing.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 1 and statements[0].startswith('INSERT INTO "notifications_message"')
    rows = {m.channel: Message.objects.get(pk=m.pk) for m in messages}
    assert set(rows) == {"inapp", "email", "sms"}
    assert {r.idempotency_key for r in rows.values()} == {"test:1:inapp", "test:1:email", "test:1:sms"}
    assert rows["inapp"].subject == "테스트 알림: 하늘" and rows["inapp"].status == S.SENT
    assert rows["email"].status == S.SENT and rows["sms"].status == S.SENT
    assert len(mailoutbox) == 1


def test_notice_write_refuses_a_key_used_before(citizen):
    notice = services.notice_prepare(recipient=citizen, kind="notifications.test", context={"name": "x"})
    services.notice_write(notice, idempotency_key="test:again")
    with pytest.raises(IntegrityError), transaction.atomic():
        services.notice_write(notice, idempotency_key="test:again")
    first = Message.objects.filter(idempotency_key__startswith="test:again")
    assert first.count() == len(notice.rows)  # the first write only


def test_notify_still_writes_nothing_twice_for_one_key(citizen):
    first = services.notify(recipient=citizen, kind="notifications.test", context={"name": "x"},
                            idempotency_key="same")
    again = services.notify(recipient=citizen, kind="notifications.test", context={"name": "x"},
                            idempotency_key="same")
    assert [m.pk for m in first] == [m.pk for m in again]
