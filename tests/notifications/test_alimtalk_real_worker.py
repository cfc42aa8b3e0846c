"""알림톡 through a real Celery worker, Redis and PostgreSQL, against the fake SOLAPI on loopback:
each 알림톡 handed to SOLAPI once, also when the worker is killed mid-batch and another takes over."""

from collections import Counter

import pytest
from django.db import transaction

from conftest import make_user
from notifications import services
from notifications.models import Message

from .solapi_fake import API_KEY, API_SECRET, FakeSolapi
from .test_real_worker import run, wait_until  # noqa: F401 — the fixture and the helper of the e-mail tests

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
TEMPLATES = "notifications.test=KA01TP-TEST"


@pytest.fixture
def solapi(settings):
    with FakeSolapi() as fake:
        env = {"ALIMTALK_BACKEND": "notifications.alimtalk.SolapiAlimtalkBackend", "ALIMTALK_TEMPLATES": TEMPLATES,
               "SOLAPI_API_URL": fake.url, "SOLAPI_API_KEY": API_KEY, "SOLAPI_API_SECRET": API_SECRET,
               "SOLAPI_PF_ID": "KA01PF-GWANGMYEONG", "SOLAPI_SENDER": "0226806716"}
        settings.ALIMTALK_BACKEND = env["ALIMTALK_BACKEND"]
        settings.ALIMTALK_TEMPLATES = {"notifications.test": "KA01TP-TEST"}
        settings.SOLAPI_API_URL, settings.SOLAPI_API_KEY, settings.SOLAPI_API_SECRET = fake.url, API_KEY, API_SECRET
        settings.SOLAPI_PF_ID, settings.SOLAPI_SENDER = env["SOLAPI_PF_ID"], env["SOLAPI_SENDER"]
        fake.worker_env = env
        yield fake


def fan_out(count):
    people = []
    for n in range(count):
        person = make_user(f"talk{n}@example.com")
        person.phone = f"010-5555-{n:04d}"
        person.save(update_fields=["phone"])
        people.append(person)
    with transaction.atomic():
        services.notify_many(recipients=people, kind="notifications.test", context={"name": "다수"},
                             channels=["alimtalk"])
    return dict(Message.objects.filter(channel="alimtalk").values_list("idempotency_key", "pk"))


def handed_over(fake) -> Counter:
    return Counter(message["customFields"]["reference"] for message in list(fake.sent))


def test_a_worker_killed_mid_batch_hands_each_alimtalk_to_solapi_once(run, solapi, settings):  # noqa: F811
    settings.NOTIFY_CLAIM_TIMEOUT = 3
    settings.NOTIFY_REQUEUE_AFTER = 5
    solapi.delay = 0.03  # each send takes a moment, like the real API
    env = {**solapi.worker_env, "NOTIFY_CLAIM_TIMEOUT": 3, "NOTIFY_TEST_VISIBILITY_TIMEOUT": 4}
    first = run["worker"](**env)
    keys = fan_out(250)
    assert wait_until(lambda: len(solapi.sent) >= 40, timeout=45), run["log"].read_text()[-3000:]
    first.kill()
    assert len(solapi.sent) < len(keys), "the worker finished before it was killed; the test proved nothing"

    run["worker"](**env)
    done = wait_until(lambda: not Message.objects.filter(channel="alimtalk").exclude(status="sent").exists(),
                      timeout=90, tick=services.message_requeue_due, every=0.5)
    assert done, (Counter(Message.objects.values_list("status", flat=True)), run["log"].read_text()[-3000:])
    counts = handed_over(solapi)
    assert set(counts) == set(keys)  # not one lost
    repeated = {key: n for key, n in counts.items() if n > 1}
    # At most the one in flight when the worker died (accepted by SOLAPI, its id not yet noted).
    assert len(repeated) <= 1 and all(n == 2 for n in repeated.values()), repeated
    # Each row knows the id SOLAPI gave it, so receipts find it.
    ids = {m["messageId"] for m in solapi.sent}
    assert set(Message.objects.filter(channel="alimtalk").values_list("provider_message_id", flat=True)) <= ids
    assert not Message.objects.filter(channel="sms").exists()
