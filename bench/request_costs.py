"""Benchmark: what one request costs the web process, page by page, on city-scale data.

Run by `make bench` (and alone: `.venv/bin/python bench/request_costs.py`). The rush (bench/rush.py)
says where the nodes saturate; this says which requests fill them. It makes a throw-away PostgreSQL
database with the demo data and bench/generate.py's city-scale rows (BENCH_SCALE, default 1), then a
child process with the production settings the nodes run (settings.bench: DEBUG off, Redis cache,
``cached_db`` sessions, every middleware) sends each request through Django's test client — no
socket, no gunicorn, no locust, so the figure is the portal's own work — and times it:

* CPU ms (``time.process_time``: this process, i.e. Python, psycopg2 and redis-py; not PostgreSQL's
  or Redis's own time) and wall ms, median of BENCH_COST_REQUESTS (150) requests after 5 to warm up;
* the number of SQL statements of one more request of the kind.

Signed-in citizens have fresh sign-in sessions (made by ``force_login``, which sends
``user_logged_in`` as allauth's sign-in does), one per request in turn, as registrants at an opening
are; the clerk has two-factor sign-in set up. Figures go to bench/results/request_costs.json. There
are no targets: docs/performance.md ("Profiled and fixed") compares runs of it before and after a
change, on the same machine.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
OUT = ROOT / "bench" / "results" / "request_costs.json"
REQUESTS = int(os.environ.get("BENCH_COST_REQUESTS", "150"))
CITIZENS = 600


def parent() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gwangmyeong_portal.settings.test")
    import load  # noqa: F401  (bench/load.py: django.setup())
    from django.core.management import call_command
    from django.db import connection
    from generate import generate

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        call_command("seed_demo", stdout=io.StringIO())
        generated = generate(scale=float(os.environ.get("BENCH_SCALE", "1")))
        db = connection.settings_dict
        connection.close()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gwangmyeong_portal.settings.bench",
               "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
               "DJANGO_SECRET_KEY": "request-costs-bench-only-" + "x" * 40,
               "BENCH_CACHE_PREFIX": f"costs-{os.getpid()}",
               "DJANGO_ALLOWED_HOSTS": "testserver", "MEDIA_ROOT": str(ROOT / "var" / "bench-costs-media"),
               "EMAIL_FILE_PATH": str(ROOT / "var" / "bench-costs-mail")}
        result = subprocess.run([sys.executable, __file__, "--measure"], env=env, cwd=ROOT, check=False,
                                capture_output=True, text=True)
        if os.environ.get("BENCH_COST_PROFILE"):
            print(result.stderr[-200000:], file=sys.stderr)
        if result.returncode != 0:
            print(result.stdout[-4000:], result.stderr[-4000:])
            return 1
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        figures["data"] = generated["counts"]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    for name, row in figures["requests"].items():
        print(f"{name:28} {row['status']}  cpu {row['cpu_ms']:6.1f} ms  wall {row['wall_ms']:6.1f} ms  "
              f"{row['queries']:3d} queries")
    return 0


def measure() -> None:  # noqa: C901 - one table of cases, read top to bottom
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from events.models import Event
    from gwangmyeong_portal.bench_urls import create_table
    from programs.models import Program

    create_table()
    citizens = list(User.objects.filter(email__endswith="@bench.example").order_by("pk")[:CITIZENS + 1])
    starts = timezone.localtime() + timedelta(days=20)

    def event(capacity: int) -> Event:
        return Event.objects.create(
            title_ko="비용 측정 강좌", title_en="Cost class", type=Event.Type.values[0], organiser_office="여성가족과",
            venue="광명시민회관", registration_required=True, capacity=capacity, waitlist_limit=0,
            registration_opens_at=timezone.now() - timedelta(minutes=1), starts_at=starts,
            ends_at=starts + timedelta(hours=2), status=Event.Status.SCHEDULED, is_public=True)

    roomy, full = event(10 ** 6), event(1)
    # One handler for every client: a new client would load the middleware (whitenoise scans files).
    first = Client()
    first.force_login(citizens[-1])
    first.post(f"/events/{full.pk}/register/", {"consent": "on"})  # the one place of ``full``

    def client_for(user) -> Client:
        client = Client()
        client.handler = first.handler
        client.force_login(user)
        return client

    fresh = iter([client_for(user) for user in citizens[:CITIZENS]])
    anonymous = Client()
    anonymous.handler = first.handler
    clerk_user = User.objects.get(email="clerk@example.com")
    Authenticator.objects.get_or_create(user=clerk_user, type=Authenticator.Type.TOTP,
                                        defaults={"data": {"secret": "request-costs-bench-only"}})
    clerk = client_for(clerk_user)
    signed_in = client_for(citizens[0])
    program = Program.objects.published().filter(slug__startswith="bench-program-").order_by("pk").first()
    month = f"{timezone.localdate():%Y-%m}"
    # Someone with no application to that program yet, so the form is shown (not their application).
    applicant = client_for(User.objects.filter(email__endswith="@bench.example").exclude(
        applications__program=program).order_by("pk").last())

    from programs.models import Application

    submitted = iter(Application.objects.filter(status=Application.Status.SUBMITTED).order_by("-pk")
                     .values_list("pk", flat=True)[:2 * REQUESTS + 20])
    changed = next(submitted)
    cases = {
        "write-ceiling (signed in)": lambda: next(fresh).post("/bench/write-ceiling"),
        "register → 302": lambda: next(fresh).post(f"/events/{roomy.pk}/register/", {"consent": "on"}),
        "register full → 409": lambda: next(fresh).post(f"/events/{full.pk}/register/", {"consent": "on"}),
        "event page, signed in": lambda: signed_in.get(f"/events/{full.pk}/"),
        "event page, anonymous": lambda: anonymous.get(f"/events/{full.pk}/"),
        "my page": lambda: signed_in.get("/me/"),
        "home, anonymous": lambda: anonymous.get("/"),
        "catalog, anonymous": lambda: anonymous.get("/programs/"),
        "program page, anonymous": lambda: anonymous.get(program.get_absolute_url()),
        "month, anonymous": lambda: anonymous.get(f"/events/?month={month}"),
        "finder results, anonymous": lambda: anonymous.get(
            "/programs/finder/results/?resident=yes&age=31&pregnant=yes"),
        "apply form": lambda: applicant.get(program.get_absolute_url() + "apply/"),
        "admin review queue": lambda: clerk.get("/admin/programs/application/?status__exact=submitted"),
        "admin change page": lambda: clerk.get(f"/admin/programs/application/{changed}/change/"),
        "admin approve": lambda: clerk.post("/admin/programs/application/?status__exact=submitted", {
            "action": "action_approve", "_selected_action": next(submitted), "index": "0"}),
        "clerk dashboard": lambda: clerk.get("/reports/"),
        "clerk CSV export": lambda: clerk.get("/reports/tables/applications_by_month.csv"),
    }
    rows = {}
    profiled = tuple(p for p in os.environ.get("BENCH_COST_PROFILE", "").split(",") if p)
    for name, send in cases.items():
        if profiled and not name.startswith(profiled):
            continue  # profiling one case: the others are not measured
        fresh_needed = name.startswith(("write-ceiling", "register"))
        count = min(REQUESTS, (CITIZENS // 3) - 6) if fresh_needed else REQUESTS
        for _ in range(5):
            send()
        cpu, wall = [], []
        for _ in range(count):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = send()
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        with CaptureQueriesContext(connection) as queries:
            send()
        if profiled and name.startswith(profiled):
            profile(name, send, count=min(count, 60))
        rows[name] = {"status": response.status_code, "requests": count,
                      "cpu_ms": round(statistics.median(cpu) * 1000, 1),
                      "wall_ms": round(statistics.median(wall) * 1000, 1), "queries": len(queries.captured_queries)}
    print(json.dumps({"measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "requests": rows}))


def profile(name: str, send, count: int) -> None:
    """BENCH_COST_PROFILE=<start of a case's name>[,<another>]: where that case's CPU goes (cProfile over ``count``
    more requests, CPU time), the functions by cumulative and by own time, on stderr."""
    import cProfile
    import pstats

    # CPU time (what the nodes run out of at an opening), not wall time: waits on PostgreSQL and Redis
    # then cost nothing, and the functions that fill the cores stand out.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(count):
        send()
    profiler.disable()
    if os.environ.get("BENCH_COST_PROFILE_FILE"):
        slug = "".join(c if c.isalnum() else "-" for c in name)
        profiler.dump_stats(f"{os.environ['BENCH_COST_PROFILE_FILE']}.{slug}")  # for pstats
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"\n=== {name}: {count} requests, by cumulative time ===\n")
    stats.sort_stats("cumulative").print_stats(60)
    out.write(f"=== {name}: by own time ===\n")
    stats.sort_stats("tottime").print_stats(30)
    print(out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    if "--measure" in sys.argv:
        sys.path.insert(0, str(ROOT))
        measure()
    else:
        sys.exit(parent())
