"""A fake SOLAPI on loopback, answering in SOLAPI's messages API v4 format as the ``solapi`` SDK
(5.0.x) sends and parses it:

- ``POST /messages/v4/send-many/detail`` — body ``{"messages": [...], "allowDuplicates", "agent"}``;
  answer ``{"failedMessageList": [...], "groupInfo": {...}, "messageList": [{"messageId",
  "statusCode": "2000", "statusMessage", "customFields"}]}``;
- ``GET /messages/v4/list-old?messageId=…`` — answer ``{"limit", "messageList": {id: {...,
  "statusCode"}}, "startKey", "nextKey"}``;
- every request must carry ``Authorization: HMAC-SHA256 ApiKey=…, Date=…, salt=…, signature=…``
  with signature = HMAC-SHA256(secret, date + salt), else 403 ``{"errorCode", "errorMessage"}``;
- ``report(message_id)`` builds the single-report webhook body SOLAPI posts back
  (``[{"eventDataId", "data": {"messageId", "statusCode", …}, "retryCount"}]``).

Outcomes are set per phone number: ``not_kakao`` numbers are accepted (2000) and later reported
3104 (not a KakaoTalk user), as SOLAPI does; ``refused`` numbers fail registration (the SDK
raises MessageNotReceivedError). ``answers`` is a queue of HTTP statuses for the next requests
(500 → the SDK's "UnknownError"); ``delay`` holds every answer that many seconds, ``delays``
the next few answers one each.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_KEY = "NCSFAKEKEY0000001"
API_SECRET = "FAKESECRETFAKESECRETFAKESECRET12"
AUTH = re.compile(r"HMAC-SHA256 ApiKey=(?P<key>[^,]+), Date=(?P<date>[^,]+), salt=(?P<salt>[^,]+), "
                  r"signature=(?P<sig>[0-9a-f]+)$")


def _group(count: int, failed: int) -> dict:
    cash = {"requested": 0, "replacement": 0, "refund": 0, "sum": 0}
    return {
        "count": {"total": count, "sentTotal": 0, "sentSuccess": 0, "sentPending": count - failed,
                  "sentReplacement": 0, "refund": 0, "registeredFailed": failed,
                  "registeredSuccess": count - failed},
        "countForCharge": {}, "balance": cash, "point": cash, "app": {"profit": {}, "appId": None}, "log": [],
        "status": "SENDING", "allowDuplicates": False, "isRefunded": False, "accountId": "12345678",
        "masterAccountId": None, "apiVersion": "4", "groupId": "G4V" + uuid.uuid4().hex[:20].upper(),
        "price": {}, "dateCreated": "2026-12-02T03:00:00.000Z", "dateUpdated": "2026-12-02T03:00:00.000Z",
    }


class FakeSolapi:
    def __init__(self):
        self.answers: list[int] = []
        self.delay = 0.0  # every answer
        self.delays: list[float] = []  # the next answers, one each
        self.not_kakao: set[str] = set()
        self.refused: set[str] = set()
        self.sent: list[dict] = []  # every message accepted, in order
        self.requests: list[dict] = []
        self.final: dict[str, str] = {}  # messageId → the status the report will carry
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except BrokenPipeError:  # the client gave up waiting (the timeout test)
                    pass

            def _authorised(self) -> bool:
                match = AUTH.match(self.headers.get("Authorization", ""))
                if not match or match["key"] != API_KEY:
                    return False
                expected = hmac.new(API_SECRET.encode(), (match["date"] + match["salt"]).encode(),
                                    hashlib.sha256).hexdigest()
                return hmac.compare_digest(expected, match["sig"])

            def _common(self, body=None):
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "json": body})
                with fake.lock:
                    pause = fake.delays.pop(0) if fake.delays else fake.delay
                if pause:
                    time.sleep(pause)
                if not self._authorised():
                    self._answer(403, {"errorCode": "SignatureDoesNotMatch", "errorMessage": "bad signature"})
                    return False
                with fake.lock:
                    status = fake.answers.pop(0) if fake.answers else 200
                if status >= 500:
                    self._answer(status, {"errorCode": "InternalError", "errorMessage": "try later"})
                    return False
                if status >= 400:
                    self._answer(status, {"errorCode": "ValidationError", "errorMessage": "refused"})
                    return False
                return True

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not self._common(body):
                    return
                if urlsplit(self.path).path != "/messages/v4/send-many/detail":
                    self._answer(404, {"errorCode": "NotFound", "errorMessage": self.path})
                    return
                accepted, failed = [], []
                for message in body["messages"]:
                    message_id = "M4V" + uuid.uuid4().hex[:20].upper()
                    item = {"messageId": message_id, "to": message["to"], "from": message.get("from"),
                            "type": message.get("type"), "country": "82", "accountId": "12345678",
                            "customFields": message.get("customFields")}
                    if message["to"] in fake.refused:
                        failed.append({**item, "statusCode": "1062", "statusMessage": "유효하지 않은 수신번호"})
                        continue
                    with fake.lock:
                        fake.sent.append({**message, "messageId": message_id})
                        kakao = message.get("type") == "ATA"
                        fake.final[message_id] = "3104" if kakao and message["to"] in fake.not_kakao else "4000"
                    accepted.append({"messageId": message_id, "statusCode": "2000",
                                     "statusMessage": "정상 접수(이통사로 접수 예정) ",
                                     "customFields": message.get("customFields")})
                self._answer(200, {"failedMessageList": failed, "groupInfo": _group(len(body["messages"]),
                                                                                    len(failed)),
                                   "messageList": accepted})

            def do_GET(self):
                if not self._common():
                    return
                url = urlsplit(self.path)
                if url.path != "/messages/v4/list-old":
                    self._answer(404, {"errorCode": "NotFound", "errorMessage": self.path})
                    return
                message_id = parse_qs(url.query).get("messageId", [""])[0]
                found = {}
                for message in fake.sent:
                    if message["messageId"] == message_id:
                        found[message_id] = {"messageId": message_id, "to": message["to"],
                                             "from": message.get("from"), "type": message.get("type"),
                                             "statusCode": fake.final[message_id], "country": "82"}
                self._answer(200, {"limit": 1, "messageList": found, "startKey": None, "nextKey": None})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def report(self, message_id: str, status: str | None = None) -> list[dict]:
        """The webhook body SOLAPI posts for one message's final status."""
        message = next(m for m in self.sent if m["messageId"] == message_id)
        return [{"eventDataId": uuid.uuid4().hex, "retryCount": 0, "data": {
            "messageId": message_id, "groupId": "G4V", "type": message.get("type"), "to": message["to"],
            "from": message.get("from"), "statusCode": status or self.final[message_id],
            "statusMessage": "카카오톡 미사용자" if (status or self.final[message_id]) == "3104" else "수신완료",
            "dateProcessed": "2026-12-02T03:00:01.000Z", "dateReported": "2026-12-02T03:00:02.000Z",
            "customFields": message.get("customFields") or {}}}]
