"""Benchmark: fan a reminder out to 10,000 recipients and deliver it with one real Celery worker.

The fan-out is one ``notify_many`` call (bulk rows, batched delivery tasks of 200 ids, one SMTP
connection per batch), in one transaction as a caller would make it.

Run by `make bench` (DJANGO_SETTINGS_MODULE=gwangmyeong_portal.settings.test). Creates its own
throw-away PostgreSQL database, uses Redis (a queue of its own) as the broker and a file sink as
the e-mail backend, and checks that every e-mail arrived exactly once (zero duplicates, zero
losses). Target: all 10,000 delivered in under 60 s on a 2-core machine. Figures go to
bench/results/notifications.json.
"""

import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gwangmyeong_portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "10000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", str(os.cpu_count() or 2)))
TARGET_SECONDS = 60
UNUSABLE = "!"  # an unusable password hash: nobody signs in as these users


def main() -> int:
    from accounts.models import User
    from notifications import services
    from notifications.models import Message
    from tests.notifications.realworker import Worker, celery_sends_to
    from tests.notifications.sink import read_sink

    old_name = connection.settings_dict["NAME"]
    # serialize=False: nothing here rolls back to a serialized copy, so do not dump every table.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    workdir = Path(tempfile.mkdtemp(prefix="bench-notifications-"))
    queue = f"bench-notifications-{os.getpid()}"
    worker = Worker(queue=queue, sink=workdir / "sink.txt", log=workdir / "worker.log", pool="prefork",
                    concurrency=CONCURRENCY)
    try:
        User.objects.bulk_create(
            [User(email=f"parent{n}@example.com", name=f"보호자{n}", password=UNUSABLE) for n in range(RECIPIENTS)],
            batch_size=2000,
        )
        recipients = list(User.objects.order_by("pk"))
        with celery_sends_to(queue):
            worker.start(timeout=60)
            started = time.monotonic()
            with transaction.atomic():
                written = services.notify_many(recipients=recipients, kind="notifications.reminder",
                                               link="/events/1/",
                                               context={"title": "우리 아이 건강검진", "when": "5월 1일 10:00"})
            fanned_out = time.monotonic()
            assert written == RECIPIENTS * 2, written
            expected = RECIPIENTS * 2  # in-app and e-mail each
            deadline = fanned_out + 300
            while time.monotonic() < deadline:
                if Message.objects.filter(status=Message.Status.SENT).count() == expected:
                    break
                time.sleep(0.25)
            finished = time.monotonic()
            worker.stop()
        email_ids = set(Message.objects.filter(channel="email").values_list("pk", flat=True))
        delivered = Counter(read_sink(workdir / "sink.txt"))
        statuses = dict(Counter(Message.objects.values_list("status", flat=True)))
        duplicates = sum(n - 1 for n in delivered.values() if n > 1)
        losses = len(email_ids - set(delivered))
        total = finished - started
        figures = {
            "recipients": RECIPIENTS,
            "messages": expected,
            "emails_delivered": len(delivered),
            "duplicates": duplicates,
            "losses": losses,
            "statuses": statuses,
            "fan_out_seconds": round(fanned_out - started, 2),
            "delivery_seconds": round(finished - fanned_out, 2),
            "total_seconds": round(total, 2),
            "messages_per_second": round(expected / total, 1),
            "emails_per_second": round(len(delivered) / total, 1),
            "fan_out": f"one notify_many call, delivery tasks of {services.DELIVERY_BATCH} message ids",
            "worker": f"1 worker, prefork concurrency {CONCURRENCY}",
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "target": f"all {RECIPIENTS} e-mails delivered in under {TARGET_SECONDS} s",
            "met": losses == 0 and duplicates == 0 and total < TARGET_SECONDS,
        }
    finally:
        worker.kill()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    out = ROOT / "bench" / "results" / "notifications.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0 if figures["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
