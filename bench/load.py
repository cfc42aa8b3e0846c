"""Benchmark: the public pages and a signed-in page under load, against gunicorn on PostgreSQL.

Run by `make bench` (DJANGO_SETTINGS_MODULE=gwangmyeong_portal.settings.test). Creates its own
throw-away PostgreSQL database, loads the demo data and city-scale data (bench/generate.py: 20,000
citizens, 200,000 applications, 5,000 events, 100,000 registrations), then starts gunicorn with
production settings (gwangmyeong_portal/settings/bench.py: DEBUG off, Redis cache, plain HTTP) on a
free local port and runs locust headless against one URL at a time:

    /bench/ceiling (a bare Django view: the ceiling), /, /programs/, a program page,
    /events/?month=<this month>, /events/feed.ics, the open data API's programs and events lists
    (/api/v1/programs, /api/v1/events), and /me/ signed in.

Each URL gets BENCH_SECONDS (15) of BENCH_USERS (8) users that send the next request as soon as
the last answer came; the whole sequence runs BENCH_ROUNDS (2) times, because the machine is shared
and one run can be unlucky. Targets (issue 9): anonymous pages ≥ 50% of the ceiling's requests/s,
signed-in ≥ 20%, no errors. Figures go to bench/results/load.json. BENCH_SCALE=0.1 makes a tenth
of the data for a quick run. The users read every answer to its last byte but do not inflate gzip
bodies (a real client does that on its own device; here locust shares the server's cores):
BENCH_INFLATE=1 makes them inflate too and writes bench/results/load-inflated.json instead.
gunicorn is stopped and the database dropped at the end, whatever happens.
"""

import csv
import io
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gwangmyeong_portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
USERS = int(os.environ.get("BENCH_USERS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
INFLATE = os.environ.get("BENCH_INFLATE") == "1"  # passed on to the locustfile through the environment
# BENCH_ONLY=api_programs,api_events measures only those URLs (and the ceiling, always) and writes
# bench/results/load-<names>.json, leaving the full run's load.json as it was.
ONLY = [name for name in os.environ.get("BENCH_ONLY", "").split(",") if name]
SIGNED_IN_SESSIONS = 16
ANONYMOUS_TARGET = 0.5
SIGNED_IN_TARGET = 0.2
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_sessions(secret_key: str) -> list[str]:
    """Signed-in sessions of generated citizens with the most applications, as login would write them
    (signed with the server's key, so gunicorn accepts them)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from django.test import override_settings

    from accounts.models import User

    users = (User.objects.filter(email__endswith="@bench.example").annotate(n=Count("applications"))
             .order_by("-n", "pk")[:SIGNED_IN_SESSIONS])
    keys = []
    with override_settings(SECRET_KEY=secret_key):
        for user in users:
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            keys.append(session.session_key)
    return keys


def targets() -> list[dict]:
    from django.utils import timezone

    from events.models import Event
    from programs.models import Program

    month = timezone.localdate().strftime("%Y-%m")
    in_month = Event.objects.filter(starts_at__year=int(month[:4]), starts_at__month=int(month[5:])).count()
    assert in_month, "the generator left this month without events"
    program = Program.objects.published().filter(slug__startswith="bench-program-").order_by("pk").first()
    return [
        {"name": "ceiling", "path": "/bench/ceiling", "kind": "ceiling"},
        {"name": "home", "path": "/", "kind": "anonymous"},
        {"name": "catalog", "path": "/programs/", "kind": "anonymous"},
        {"name": "program", "path": program.get_absolute_url(), "kind": "anonymous"},
        {"name": "month", "path": f"/events/?month={month}", "kind": "anonymous", "events_in_month": in_month},
        {"name": "feed", "path": "/events/feed.ics", "kind": "anonymous"},
        {"name": "api_programs", "path": "/api/v1/programs", "kind": "anonymous"},
        {"name": "api_events", "path": "/api/v1/events", "kind": "anonymous"},
        {"name": "me", "path": "/me/", "kind": "signed_in"},
    ]


class Gunicorn:
    # A pool of its own (bench/rush.py's staff pool) sets these: its worker count (None: WORKERS) and
    # what its command starts with (``nice -n 10``: nice execs, so the pid is still gunicorn's).
    workers: int | None = None
    prefix: tuple[str, ...] = ()
    name = "portal"

    def __init__(self, *, database: str, secret_key: str, cache_prefix: str, workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "gunicorn.log"
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gwangmyeong_portal.settings.bench",
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{database}",
            "DJANGO_SECRET_KEY": secret_key,
            "BENCH_CACHE_PREFIX": cache_prefix,
            # One load generator on one address: the open data API's per-address limit stays on (its
            # counter is part of the cost measured) but high enough never to refuse the benchmark.
            "API_RATE_LIMIT": "100000000/m",
        }
        self.process = None

    def start(self, timeout: float = 30):
        self.process = subprocess.Popen(
            [*self.prefix, str(BIN / "gunicorn"), "gwangmyeong_portal.wsgi:application",
             "--workers", str(self.workers or WORKERS), "--name", self.name,
             "--bind", f"127.0.0.1:{self.port}", "--error-logfile", str(self.log), "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/bench/ceiling", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def get(self, path: str, session: str | None = None) -> tuple[int, bytes]:
        # Always http://127.0.0.1:<port>: the scheme is ours, never a caller's.
        request = urllib.request.Request(  # noqa: S310
            self.url + path, headers={"Cookie": f"sessionid={session}"} if session else {})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def run_locust(server: Gunicorn, target: dict, sessions: list[str], workdir: Path) -> dict:
    prefix = workdir / f"locust-{target['name']}"
    env = {**os.environ, "BENCH_PATH": target["path"],
           "BENCH_SESSIONS": ",".join(sessions) if target["kind"] == "signed_in" else ""}
    subprocess.run(
        [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locust" / "locustfile.py"), "--headless",
         "--users", str(USERS), "--spawn-rate", str(USERS), "--run-time", f"{SECONDS}s", "--host", server.url,
         "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "5"],
        cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=SECONDS + 120,
    )
    with open(f"{prefix}_stats.csv", newline="") as stats:
        row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    return {
        "requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
        "rps": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"]),
    }


def summarise(rounds: list[dict]) -> tuple[list[dict], bool]:
    met = True
    for results in rounds:
        ceiling = results["ceiling"]["rps"] or 1
        for figures in results.values():
            figures["ratio_to_ceiling"] = round(figures["rps"] / ceiling, 2)
            kind = figures["kind"]
            target = {"anonymous": ANONYMOUS_TARGET, "signed_in": SIGNED_IN_TARGET}.get(kind)
            figures["met"] = figures["errors"] == 0 and (target is None or figures["ratio_to_ceiling"] >= target)
            met = met and figures["met"]
    return rounds, met


def main() -> int:
    from django.core.management import call_command
    from django_redis import get_redis_connection

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    database = connection.settings_dict["NAME"]
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    cache_prefix = f"gm-bench-{os.getpid()}"
    server = Gunicorn(database=database, secret_key=secrets.token_urlsafe(50), cache_prefix=cache_prefix,
                      workdir=workdir)
    try:
        call_command("seed_demo", stdout=io.StringIO())
        generated = generate(scale=SCALE)
        print(f"generated in {generated['total_seconds']} s: {generated['counts']}", flush=True)
        sessions = make_sessions(server.env["DJANGO_SECRET_KEY"])
        plan = [t for t in targets() if not ONLY or t["kind"] == "ceiling" or t["name"] in ONLY]
        connection.close()
        server.start()
        for target in plan:  # every page answers, /me/ really signed in; and caches are warm
            status, body = server.get(target["path"], sessions[0] if target["kind"] == "signed_in" else None)
            assert status == 200, f"{target['path']} answered {status}: {body[:300]!r}"
            if target["kind"] == "signed_in":
                assert b"/accounts/logout/" in body, "the bench session is not signed in"
        rounds = []
        for number in range(1, ROUNDS + 1):
            results = {}
            for target in plan:
                figures = run_locust(server, target, sessions, workdir)
                results[target["name"]] = {"path": target["path"], "kind": target["kind"], **figures}
                print(f"round {number} {target['name']:8} {target['path']:28} {figures['rps']:8.1f} req/s  "
                      f"p50 {figures['p50_ms']:5.0f}  p95 {figures['p95_ms']:5.0f}  p99 {figures['p99_ms']:5.0f} ms  "
                      f"errors {figures['errors']}", flush=True)
            rounds.append(results)
        rounds, met = summarise(rounds)
        figures = {
            "rounds": rounds,
            "targets": {"anonymous_ratio_to_ceiling": ANONYMOUS_TARGET, "signed_in_ratio_to_ceiling": SIGNED_IN_TARGET,
                        "errors": 0},
            "met": met,
            "load": f"locust {USERS} users with no wait, {SECONDS} s per URL, one URL at a time, {ROUNDS} rounds; "
                    + ("bodies inflated by the load tool" if INFLATE else
                       "each body read whole as sent (gzip where the page is compressed), not inflated"),
            "server": f"gunicorn {WORKERS} sync workers, settings.bench (production, DEBUG off), PostgreSQL, "
                      "Redis cache",
            "data": generated,
            "machine": {"cpus": os.cpu_count(), "cpu": _cpu_model(), "python": platform.python_version(),
                        "postgresql": _pg_version()},
        }
    finally:
        server.stop()
        try:
            redis = get_redis_connection("default")
            for key in redis.scan_iter(f"{cache_prefix}:*"):
                redis.delete(key)
        except Exception as exc:  # noqa: BLE001 - leftover cache keys expire; never mask the real error
            print(f"could not clean the bench cache keys: {exc}", file=sys.stderr)
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    name = "load-inflated" if INFLATE else "load"
    out = ROOT / "bench" / "results" / (f"{name}-{'-'.join(ONLY)}.json" if ONLY else f"{name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps({"met": figures["met"]}, ensure_ascii=False))
    return 0 if figures["met"] else 1


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _pg_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
