"""The HTTP SMS adapter against a local fake provider: retried on 5xx, given up on 4xx."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications import services
from notifications.models import Message
from notifications.sms import HttpSmsBackend, PermanentSmsError, TransientSmsError


class FakeProvider:
    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                provider.requests.append({"headers": dict(self.headers), "json": json.loads(body)})
                status = provider.answers.pop(0) if provider.answers else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"status": status}).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_sms(settings):
    settings.SMS_BACKEND = "notifications.sms.HttpSmsBackend"
    settings.SMS_API_KEY, settings.SMS_SENDER = "test-key", "0226806716"

    def start(*answers):
        provider = FakeProvider(answers)
        settings.SMS_API_URL = provider.url
        return provider

    return start


def test_adapter_posts_json_with_the_key_and_sorts_errors(http_sms):
    with http_sms(500, 200, 400, 429) as provider:
        backend = HttpSmsBackend()
        with pytest.raises(TransientSmsError, match="500"):
            backend.send("010-1111-2222", "안녕하세요", reference="k1")
        backend.send("010-1111-2222", "안녕하세요", reference="k1")
        with pytest.raises(PermanentSmsError, match="400"):
            backend.send("010-1111-2222", "안녕하세요", reference="k2")
        with pytest.raises(TransientSmsError, match="429"):
            backend.send("010-1111-2222", "안녕하세요", reference="k3")
    first = provider.requests[0]
    assert first["headers"]["X-Api-Key"] == "test-key"
    assert first["json"] == {"from": "0226806716", "to": "010-1111-2222", "text": "안녕하세요", "reference": "k1"}


def test_adapter_treats_an_unreachable_provider_as_transient(settings):
    with FakeProvider([]) as provider:
        url = provider.url
    backend = HttpSmsBackend(url=url, api_key="k", sender="s")  # nothing listens there any more
    with pytest.raises(TransientSmsError, match="unreachable"):
        backend.send("010", "x")


@pytest.mark.django_db
def test_a_5xx_answer_is_retried_until_the_sms_is_sent(http_sms, phone_citizen, send_now, eager_retries):
    with http_sms(500, 502) as provider, send_now():
        messages = services.notify(recipient=phone_citizen, kind="notifications.test", context={"name": "x"},
                                   channels=["sms"])
    sms = Message.objects.get(pk=next(m.pk for m in messages if m.channel == "sms"))
    assert (sms.status, sms.attempts) == (Message.Status.SENT, 3)
    assert len(provider.requests) == 3
    assert {r["json"]["reference"] for r in provider.requests} == {sms.idempotency_key}


@pytest.mark.django_db
def test_a_4xx_answer_gives_up_at_once_with_the_reason(http_sms, phone_citizen, send_now, eager_retries):
    with http_sms(400) as provider, send_now():
        messages = services.notify(recipient=phone_citizen, kind="notifications.test", context={"name": "x"},
                                   channels=["sms"])
    sms = Message.objects.get(pk=next(m.pk for m in messages if m.channel == "sms"))
    assert (sms.status, sms.attempts, len(provider.requests)) == (Message.Status.FAILED, 1, 1)
    assert "SMS provider refused (400)" in sms.last_error


def test_the_logging_backend_masks_the_number(caplog):
    import logging

    from notifications.sms import LoggingSmsBackend

    with caplog.at_level(logging.INFO, logger="notifications.sms"):
        LoggingSmsBackend().send("010-1234-5678", "안내", reference="k")
    assert "5678" in caplog.text and "1234" not in caplog.text


def test_without_a_provider_production_texts_fail_with_a_reason():
    import pytest

    from notifications.sms import DisabledSmsBackend, PermanentSmsError

    with pytest.raises(PermanentSmsError, match="SMS_BACKEND"):
        DisabledSmsBackend().send("010-1234-5678", "안내")
