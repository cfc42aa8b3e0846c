"""Benchmark: the opening-morning rush on the production topology, with faults injected.

Run alone by `make rush`, and by `make bench` with the others (DJANGO_SETTINGS_MODULE=…settings.test).
Everything is on loopback and thrown away at the end:

* a PostgreSQL database filled by bench/generate.py (BENCH_SCALE, default 1: city scale) plus ten
  "popular" events of 30 places (and 30 waitlist places) whose registration opens at T0, and one
  program, with a required PDF, whose application window opens at T0 (the bench moves its opening
  day to today at T0, as a clerk's edit would: windows are whole days);
* its own redis-server on a free port (append-only file, like the production broker) — never the
  shared one; the cache, sessions' cache and Celery broker all use it;
* two gunicorn nodes (settings/bench.py: production settings, DEBUG off, Redis cache, cached_db
  sessions) behind nginx from Debian's package (installed with apt-get when missing), round robin,
  ``proxy_next_upstream error timeout http_502 http_503`` (nginx retries only idempotent requests);
  on each node the staff's and clerk's pages (/admin/, /reports/) go to a pool of its own at a
  lower CPU priority (BENCH_STAFF_THREADS, BENCH_STAFF_NICE; docs/deploy.md);
* one Celery worker and one beat, started as in production; e-mail through Django's file backend into
  a folder the run reads back.

Phases, each through nginx: the bare view (``/bench/ceiling``) and the bare write view
(``/bench/write-ceiling``) for BENCH_CEILING_SECONDS (15) each, a warm-up of BENCH_WARMUP_SECONDS (30)
with the browsing, finder, staff and clerk users, then the rush: locust headless with
BENCH_USERS (300) users for BENCH_SECONDS (180) (bench/locust/rushfile.py has the mix). Faults at
fixed moments: the worker is killed with SIGKILL 2 s after T0 (while it delivers the confirmations)
and restarted 5 s later; node A is killed with SIGKILL at 55% of the run and restarted 20 s later;
the bench's Redis is restarted at 80%.

At the end the run waits for the notifications to drain, then checks the invariants (each printed
held / broken), writes bench/results/rush.json and exits 1 if an invariant broke or a target was
missed. docs/performance.md ("The registration rush") defines each figure.
"""

import collections
import io
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gwangmyeong_portal.settings.test")

import load  # noqa: E402  (bench/load.py: django.setup(), free_port, Gunicorn, machine facts)
from django.db import connection  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "180"))
USERS = int(os.environ.get("BENCH_USERS", "300"))
CEILING_SECONDS = int(os.environ.get("BENCH_CEILING_SECONDS", "15"))
CEILING_USERS = int(os.environ.get("BENCH_CEILING_USERS", "16"))
LOAD_BEFORE = None  # the machine's 1-minute load average when the run starts (main)
WARMUP_SECONDS = int(os.environ.get("BENCH_WARMUP_SECONDS", "30"))  # before the rush: no registration
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))  # gunicorn workers per node (see THREADS)
# Threads per worker (gthread); 1 = gunicorn's sync workers. With sync workers, parents waiting on the
# popular event's row lock held every worker of a node and the browsing queued behind them.
# 24 threads a node: registrations waiting on the row lock and uploads being checked hold a thread
# while using no CPU, and with 12 (3 × 4) the browsing queued behind them at the opening (browse p95
# 427 → 154 ms with 3 × 8, same load; docs/performance.md). Not more: six processes × 16 threads each
# holding a database connection reached PostgreSQL's default max_connections (100) and the warm-up
# halved. 6 × 4 (BENCH_WORKERS=6 BENCH_THREADS=4) shares each interpreter lock among half as many
# threads and answered more registrations a second when the waiting room was raised; at 20/s the two
# are alike, and 3 × 8 is fewer processes.
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
CITIZENS = int(os.environ.get("BENCH_CITIZENS", "2000"))
# The registration waiting room at nginx (docs/nginx.conf): registrations let through a second, and how
# many may wait beyond that (past it nginx answers 429 with the portal's page). Unlimited, the
# registrations held every thread and browsing waited behind them.
# 20: the pages keep their targets with a margin; at 40/s (6 × 4) they held them in one run of two, so
# 40 is the edge of what two shared cores sustain (docs/performance.md).
REGISTER_RATE = int(os.environ.get("BENCH_REGISTER_RATE", "20"))
REGISTER_BURST = int(os.environ.get("BENCH_REGISTER_BURST", "3000"))
# The staff's and the clerk's pages (/admin/, /reports/) on a pool of their own on each node: one
# worker of STAFF_THREADS threads (0: on the citizens' pool, as before), at CPU priority STAFF_NICE.
# They are 5% of the users but were 43% of the nodes' request CPU (a review queue page 67 ms, the
# dashboard 53 ms against 2-9 ms for a public page), and in the citizens' workers they took the CPU
# and the GIL from the parents' pages at the opening. At nice 10 the kernel gives them what the
# parents' pages leave: the admin slows down at 10:00, the citizens' pages do not (docs/deploy.md).
STAFF_THREADS = int(os.environ.get("BENCH_STAFF_THREADS", "4"))
STAFF_NICE = int(os.environ.get("BENCH_STAFF_NICE", "10"))
DRAIN_SECONDS = int(os.environ.get("BENCH_DRAIN_SECONDS", "180"))
# CPU priority of the Celery worker and beat (nice): 0 as the web nodes, or higher so that on a host
# they share with the web nodes the notifications wait a moment rather than the pages (docs/performance.md).
SERVICE_NICE = int(os.environ.get("BENCH_WORKER_NICE", "0"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"  # py-spy on node B for 12 s from T0 (summary in rush.json)
POPULAR, PLACES, WAITLIST = 10, 30, 30
T0_AT = 0.3  # of the rush
WORKER_KILL_AFTER_T0, WORKER_DOWN = 2.0, 5.0
NODE_KILL_AT, NODE_DOWN = 0.55, 20.0
REDIS_RESTART_AT = 0.8
SETTLE = 5.0  # seconds after a restart still counted in its fault window
TARGETS = {"registration_ratio_to_write_ceiling": 0.35, "browse_p95_ms": 150, "browse_p99_ms": 400,
           "seconds_to_full": 10}
BROWSE = ("home", "catalog", "search", "program", "month", "feed", "me", "finder", "finder-results")
BIN = load.BIN
NGINX = Path("/usr/sbin/nginx")


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- Preflight and processes -----------------------------------------------------------------------

def preflight() -> None:
    if not NGINX.exists():
        log("nginx is missing: apt-get install -y nginx")
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=False, stdout=subprocess.DEVNULL)
        if not NGINX.exists():
            subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True, stdout=subprocess.DEVNULL)
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is missing (apt-get install redis-server)")


def kill_tree(pid: int) -> None:
    """SIGKILL a process and every descendant at once, as a crashed machine would lose them."""
    children = collections.defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children[int(fields[1])].append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    doomed, stack = [], [pid]
    while stack:
        current = stack.pop()
        doomed.append(current)
        stack.extend(children.get(current, []))
    for target in doomed:
        try:
            os.kill(target, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Redis:
    def __init__(self, workdir: Path):
        self.port = load.free_port()
        self.dir = workdir / "redis"
        self.dir.mkdir()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--save", "", "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("the bench's redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis writes its append-only file and exits, like a restart
            self.process.wait(timeout=30)


class Service:
    """A Celery worker or beat, started as docker-compose.yml starts them in production, under a
    supervisor as there (``restart: unless-stopped``; systemd ``Restart=always``): a process that
    exits on its own is started again within a second and the exit recorded (``exits``). The
    worker does exit on its own: when Redis restarts while it holds unacknowledged tasks, kombu's
    Redis transport fails restoring them ("Unrecoverable error: AttributeError … 'hostname'")."""

    def __init__(self, name: str, args: list[str], env: dict, workdir: Path):
        self.name, self.args, self.env, self.log = name, args, env, workdir / f"{name}.log"
        self.process = None
        self.wanted = False  # False while stopped or killed on purpose (a fault): not restarted then
        self.exits: list[dict] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._supervise, daemon=True).start()

    def start(self):
        with self._lock:
            nice = ["nice", "-n", str(SERVICE_NICE)] if SERVICE_NICE else []  # nice execs: the pid is celery's
            self.process = subprocess.Popen([*nice, str(BIN / "celery"), "-A", "gwangmyeong_portal", *self.args],
                                            cwd=ROOT, env=self.env, stdout=open(self.log, "a"),  # noqa: SIM115
                                            stderr=subprocess.STDOUT)
            self.wanted = True

    def _supervise(self):
        while True:
            time.sleep(1)
            with self._lock:
                exited = self.wanted and self.process is not None and self.process.poll() is not None
                code = self.process.returncode if exited else None
            if exited:
                log(f"supervisor: {self.name} exited on its own (code {code}); starting it again")
                self.exits.append({"at": time.time(), "code": code})
                self.start()

    def kill(self):
        with self._lock:
            self.wanted = False
        if self.process:
            kill_tree(self.process.pid)
            self.process.wait()

    def stop(self):
        with self._lock:
            self.wanted = False
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def gthread_args(threads: int) -> str:
    return f"--worker-class gthread --threads {threads} --limit-request-line 8190"


class Node(load.Gunicorn):
    """One web node: the citizens' gunicorn and, with STAFF_THREADS, the staff's pool beside it
    (``staff``: same code, settings and database, its own port). Started, killed and stopped together."""

    def __init__(self, name: str, env: dict, workdir: Path, **kwargs):
        folder = workdir / name
        folder.mkdir()
        super().__init__(workdir=folder, **kwargs)
        self.name = name
        (folder / "prometheus").mkdir()
        # One metrics folder for both pools: the node's /metrics adds up every process of the node.
        self.env.update(env, PROMETHEUS_MULTIPROC_DIR=str(folder / "prometheus"))
        if THREADS > 1:  # gunicorn reads extra options from GUNICORN_CMD_ARGS (load.Gunicorn builds the rest)
            self.env["GUNICORN_CMD_ARGS"] = gthread_args(THREADS)
        self.staff = None
        if STAFF_THREADS:
            self.staff = load.Gunicorn(workdir=folder, **kwargs)
            self.staff.log, self.staff.workers, self.staff.name = folder / "staff.log", 1, "portal-staff"
            self.staff.prefix = ("nice", "-n", str(STAFF_NICE)) if STAFF_NICE else ()
            self.staff.env = {**self.env, "GUNICORN_CMD_ARGS": gthread_args(STAFF_THREADS)}

    @property
    def ports(self) -> tuple[int, ...]:
        return (self.port, self.staff.port) if self.staff else (self.port,)

    def start(self, timeout: float = 30):
        super().start(timeout)
        if self.staff:
            self.staff.start(timeout)

    def kill(self):
        for pool in (self, self.staff) if self.staff else (self,):
            kill_tree(pool.process.pid)
            pool.process.wait()

    def stop(self):
        super().stop()
        if self.staff:
            self.staff.stop()


NGINX_CONF = """
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format rush '$msec $request_time $status $request_method "$upstream_addr" "$upstream_status" '
                    '$request_id "$http_x_bench_name" "$http_x_bench_citizen" $request_length '
                    '"$upstream_http_x_bench_cpu"';
    access_log {dir}/access.log rush;
    limit_req_zone $server_name zone=registrations:1m rate={register_rate}r/s;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 12m;
    upstream portal {{
        server 127.0.0.1:{port_a} max_fails=3 fail_timeout=5s;
        server 127.0.0.1:{port_b} max_fails=3 fail_timeout=5s;
        keepalive 32;
        # Shorter than gunicorn's --keep-alive (2 s): nginx never reuses a connection gunicorn is closing
        # (that race answers "connection reset" and would count against a healthy node).
        keepalive_timeout 1s;
    }}
    upstream staff {{
        server 127.0.0.1:{staff_a} max_fails=3 fail_timeout=5s;
        server 127.0.0.1:{staff_b} max_fails=3 fail_timeout=5s;
        keepalive 8;
        keepalive_timeout 1s;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        # As docs/nginx.conf: an address too long for nginx gets the portal's own 414 page.
        error_page 414 /errors/request-too-long/;
        location = /errors/request-too-long/ {{
            internal;
            proxy_pass http://portal;
            proxy_set_header Host $server_name;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
        # /metrics is for operators' scrapers on the nodes themselves, never through the public edge.
        location = /metrics {{ return 404; }}
        # Every location below proxies alike (they set no proxy_set_header of their own).
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Request-ID $request_id;
        # Only idempotent requests are retried on the other node (nginx never resends a POST
        # unless non_idempotent is listed here, and it is not).
        proxy_next_upstream error timeout http_502 http_503;
        proxy_connect_timeout 2s;
        proxy_read_timeout 60s;
        # As docs/nginx.conf: the registration waiting room (in order of arrival, {register_rate} a second).
        location ~ ^/events/(series/)?\\d+/register/$ {{
            limit_req zone=registrations burst={register_burst};
            limit_req_status 429;
            error_page 429 /errors/busy/;
            proxy_pass http://portal;
        }}
        location = /errors/busy/ {{
            internal;
            proxy_pass http://portal;
            proxy_set_header Host $server_name;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
        # As docs/nginx.conf: the staff's and the clerk's pages on the nodes' staff pools.
        location /admin/ {{
            proxy_pass http://staff;
        }}
        location /reports/ {{
            proxy_pass http://staff;
        }}
        location / {{
            proxy_pass http://portal;
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, workdir: Path, node_a: Node, node_b: Node):
        self.dir = workdir / "nginx"
        self.dir.mkdir()
        self.port = load.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf = self.dir / "nginx.conf"
        self.conf.write_text(NGINX_CONF.format(user="user root;" if os.geteuid() == 0 else "", dir=self.dir,
                                               port=self.port, port_a=node_a.port, port_b=node_b.port,
                                               # Without staff pools, the staff's pages go to the nodes alike.
                                               staff_a=node_a.ports[-1], staff_b=node_b.ports[-1],
                                               register_rate=REGISTER_RATE, register_burst=REGISTER_BURST))
        self.process = None

    def start(self):
        subprocess.run([str(NGINX), "-t", "-q", "-p", str(self.dir), "-e", str(self.dir / "error.log"),
                        "-c", str(self.conf)], check=True)
        self.process = subprocess.Popen([str(NGINX), "-p", str(self.dir), "-e", str(self.dir / "error.log"),
                                         "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/bench/ceiling", timeout=2):  # noqa: S310 - loopback
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("nginx did not answer")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def entries(self) -> list[dict]:
        rows = []
        # $upstream_addr lists every node tried ("127.0.0.1:A, 127.0.0.1:B" after a retry): quoted.
        pattern = re.compile(r'^(\S+) (\S+) (\d+) (\S+) "([^"]*)" "([^"]*)" (\S+) "([^"]*)" "([^"]*)" (\d+)'
                             r'(?: "([^"]*)")?')
        for line in (self.dir / "access.log").read_text().splitlines():
            match = pattern.match(line)
            if not match:
                continue
            end, took = float(match.group(1)), float(match.group(2))
            rows.append({"end": end, "start": end - took, "ms": took * 1000, "status": int(match.group(3)),
                         "method": match.group(4), "upstream": match.group(5), "upstream_status": match.group(6),
                         "id": match.group(7), "name": match.group(8) or "-", "citizen": match.group(9),
                         "bytes_in": int(match.group(10)), **cpu_and_wall(match.group(11))})
        return rows


def cpu_and_wall(header: str | None) -> dict:
    """X-Bench-CPU as nginx logged it ("12.3 45.6", or "12.3 45.6, 1.0 2.0" after a retry: the last)."""
    try:
        cpu, wall = (header or "").split(",")[-1].split()
        return {"cpu_ms": float(cpu), "node_ms": float(wall)}
    except ValueError:
        return {}


# --- Data ------------------------------------------------------------------------------------------

def prepare(t0: float, workdir: Path, secret_key: str) -> dict:
    """The popular events, the program opening at T0, sessions of citizens and one clerk, the files."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings
    from django.utils import timezone

    from accounts.middleware import staff_role_check
    from accounts.models import User
    from events.models import Event
    from gwangmyeong_portal.bench_urls import create_table
    from programs.models import Program, RequiredDocument

    create_table()
    at_t0 = timezone.datetime.fromtimestamp(t0, tz=timezone.get_current_timezone())
    starts = timezone.localtime() + timedelta(days=20)
    popular = []
    for n in range(POPULAR):
        popular.append(Event.objects.create(
            title_ko=f"인기 육아 강좌 {n + 1}", title_en=f"Popular parenting class {n + 1}",
            description_ko="선착순 강좌", type=Event.Type.values[0], organiser=None, organiser_office="여성가족과",
            venue="광명시민회관",
            registration_required=True, capacity=PLACES, waitlist_limit=WAITLIST, registration_opens_at=at_t0,
            starts_at=starts + timedelta(hours=n), ends_at=starts + timedelta(hours=n + 2),
            status=Event.Status.SCHEDULED, is_public=True,
        ).pk)
    today = timezone.localdate()
    program = Program.objects.create(
        slug="rush-opening-program", title_ko="출산 축하 지원 (선착순)", title_en="Birth support (first come)",
        summary_ko="T0에 신청을 받기 시작합니다.", life_stage="pregnancy_birth", topic=Program.Topic.values[0],
        support_kind=Program.SupportKind.SERVICE, apply_method=Program.ApplyMethod.ONLINE, office_ko="여성가족과",
        opens_on=today + timedelta(days=1), closes_on=today + timedelta(days=30), status=Program.Status.PUBLISHED,
    )
    document = RequiredDocument.objects.create(program=program, name_ko="소득 증빙", is_required=True)

    citizens = list(User.objects.filter(email__endswith="@bench.example").order_by("pk")[:CITIZENS])
    clerk = User.objects.get(email="clerk@example.com")
    # Staff hold two-factor sign-in in production; the session below is one made after the code was given.
    Authenticator.objects.get_or_create(user=clerk, type=Authenticator.Type.TOTP,
                                        defaults={"data": {"secret": "rush-bench-not-a-real-secret"}})
    sessions = {}
    with override_settings(SECRET_KEY=secret_key):
        for user in [*citizens, clerk]:
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            staff_role_check(session, user)  # as a sign-in leaves it (accounts' user_logged_in receiver)
            session.create()
            sessions[user.pk] = [user.pk, session.session_key]
    pairs = [sessions[user.pk] for user in citizens]
    n = len(pairs)
    pools = {"register": pairs[: int(n * 0.75)], "apply": pairs[int(n * 0.75): int(n * 0.85)],
             "hostile": pairs[int(n * 0.85): int(n * 0.9)], "browse": pairs[int(n * 0.9):]}
    programs = list(Program.objects.published().filter(slug__startswith="bench-program-").order_by("pk")[:5])
    pdf, exe = workdir / "income.pdf", workdir / "setup.exe"
    make_pdf(pdf)
    exe.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + secrets.token_bytes(60_000))
    plan = {
        "t0": t0, "popular": popular, "program_slug": program.slug, "program_id": program.pk,
        "doc_field": f"doc_{document.pk}", "citizens": pools, "staff": sessions[clerk.pk],
        "month": timezone.localdate().strftime("%Y-%m"), "program_paths": [p.get_absolute_url() for p in programs],
        "pdf_path": str(pdf), "exe_path": str(exe),
    }
    (workdir / "plan.json").write_text(json.dumps(plan))
    return plan


def make_pdf(path: Path) -> None:
    """A real, valid PDF of about 200 kB: one page whose content stream draws a few thousand lines."""
    from pypdf import PdfWriter
    from pypdf.generic import ContentStream, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    operations = "\n".join(f"{i % 595} {i % 842} m {(i * 7) % 595} {(i * 13) % 842} l S" for i in range(9000))
    stream = ContentStream(None, writer)
    stream.set_data(operations.encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    writer.add_metadata({"/Title": "소득 증빙 (bench)"})
    with open(path, "wb") as out:
        writer.write(out)


def set_opening(event_ids: list[int], t0: float) -> None:
    """The popular events' registration opens at T0 (saved as an organiser would, signals and all)."""
    from django.utils import timezone

    from events.models import Event

    at_t0 = timezone.datetime.fromtimestamp(t0, tz=timezone.get_current_timezone())
    for event in Event.objects.filter(pk__in=event_ids):
        event.registration_opens_at = at_t0
        event.save(update_fields=["registration_opens_at"])


def open_program_at_t0(program_id: int) -> None:
    """At T0 the clerk's edit: the window's first day becomes today (saved, so page caches move on)."""
    from django.db import close_old_connections
    from django.utils import timezone

    from programs.models import Program

    close_old_connections()
    program = Program.objects.get(pk=program_id)
    program.opens_on = timezone.localdate()
    program.save()
    connection.close()


# --- Running ---------------------------------------------------------------------------------------

def run_locust(phase: str, users: int, seconds: int, url: str, workdir: Path, env: dict) -> dict:
    prefix = workdir / f"locust-{phase}"
    subprocess.run(
        [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locust" / "rushfile.py"), "--headless",
         "--users", str(users), "--spawn-rate", str(users if phase != "rush" else max(users / 5, 1)),
         "--run-time", f"{seconds}s",
         "--host", url, "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "10"],
        cwd=ROOT, env={**os.environ, **env, "RUSH_PHASE": phase}, check=False, stdout=subprocess.DEVNULL,
        stderr=open(workdir / f"locust-{phase}.log", "w"), timeout=seconds + 180,  # noqa: SIM115
    )
    with open(f"{prefix}_stats.csv") as stats:
        import csv

        return {row["Name"]: {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                              "rps": round(float(row["Requests/s"]), 1), "p50_ms": float(row["50%"]),
                              "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"])}
                for row in csv.DictReader(stats)}


class Sampler(threading.Thread):
    """Reads /metrics of node B every 2 s: the queue length and the oldest waiting message, as a scraper would."""

    def __init__(self, node_url: str):
        super().__init__(daemon=True)
        self.url, self.samples, self.stop_event = node_url + "/metrics", [], threading.Event()

    def run(self):
        while not self.stop_event.wait(2):
            try:
                with urllib.request.urlopen(self.url, timeout=3) as response:  # noqa: S310 - loopback
                    body = response.read().decode()
                self.samples.append({"at": time.time(), **metric_values(body)})
            except OSError:
                continue


def metric_values(body: str) -> dict:
    values: dict = {}
    for line in body.splitlines():
        if line.startswith("portal_celery_queue_length "):
            values["queue"] = float(line.split()[1])
        elif line.startswith('portal_notification_oldest_waiting_seconds{status="pending"}'):
            values["oldest_pending_s"] = float(line.split()[1])
    return values


def scrape_totals(node: Node) -> dict:
    """Server-side totals of one node from its /metrics (every worker, including killed ones)."""
    try:
        with urllib.request.urlopen(node.url + "/metrics", timeout=10) as response:  # noqa: S310 - loopback
            body = response.read().decode()
    except OSError as exc:
        return {"error": str(exc)}
    totals: dict = collections.Counter()
    for line in body.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        family = name.split("{", 1)[0]
        if family in ("django_http_responses_total_by_status_total", "django_db_execute_total",
                      "django_cache_get_total", "django_cache_get_hits_total", "django_cache_get_misses_total",
                      "django_http_requests_total_by_method_total", "django_db_errors_total"):
            label = re.search(r'status="(\d+)"', name)
            totals[family + (f"[{label.group(1)}]" if label else "")] += float(value)
    return {key: int(value) for key, value in sorted(totals.items())}


def main() -> int:  # noqa: C901, PLR0912, PLR0915 - one script, read top to bottom
    from django.core.management import call_command
    from generate import generate

    preflight()
    global LOAD_BEFORE  # noqa: PLW0603 - read once, before this run adds its own load
    LOAD_BEFORE = round(os.getloadavg()[0], 2)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    database = connection.settings_dict["NAME"]
    workdir = Path(tempfile.mkdtemp(prefix="bench-rush-"))
    mail_dir, media = workdir / "mail", workdir / "media"
    mail_dir.mkdir()
    media.mkdir()
    secret_key = secrets.token_urlsafe(50)
    redis_server = Redis(workdir)
    shared_env = {
        "REDIS_URL": redis_server.url, "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir), "MEDIA_ROOT": str(media), "NOTIFY_SEND_TIME_LIMIT": "5",
        "NOTIFY_CLAIM_TIMEOUT": "10", "NOTIFY_REQUEUE_AFTER": "10", "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    load.WORKERS = WORKERS
    cache_prefix = f"gm-rush-{os.getpid()}"
    nodes = [Node(name, shared_env, workdir, database=database, secret_key=secret_key, cache_prefix=cache_prefix)
             for name in ("node-a", "node-b")]
    service_env = {**nodes[0].env, "PROMETHEUS_MULTIPROC_DIR": ""}
    service_env.pop("PROMETHEUS_MULTIPROC_DIR")
    worker = Service("worker", ["worker", "--loglevel=INFO", "--concurrency=2"], service_env, workdir)
    beat = Service("beat", ["beat", "--loglevel=INFO"], service_env, workdir)
    nginx = Nginx(workdir, nodes[0], nodes[1])
    faults: list[dict] = []
    figures: dict = {}
    try:
        call_command("seed_demo", stdout=io.StringIO())
        generated = generate(scale=SCALE)
        log(f"generated in {generated['total_seconds']} s: {generated['counts']}")
        redis_server.start()
        # From here the bench's own writes (T0 edits, the organiser's edit) bump the nodes' page-cache
        # versions: this process uses the nodes' cache (the bench's Redis, their key prefix), not the tests'.
        from django.conf import settings as django_settings
        from django.test import override_settings

        override_settings(CACHES={"default": {**django_settings.CACHES["default"], "LOCATION": redis_server.url,
                                              "KEY_PREFIX": cache_prefix}}).enable()
        for node in nodes:
            node.start(timeout=60)
        nginx.start()
        worker.start()
        beat.start()
        log(f"nginx {nginx.url} → {nodes[0].url}, {nodes[1].url}; redis :{redis_server.port}; workdir {workdir}")

        outcomes = workdir / "outcomes.jsonl"
        # The plan is written before T0 is known only roughly; T0 is fixed once the ceilings ran.
        provisional = prepare(time.time() + 10 ** 6, workdir, secret_key)
        locust_env = {"RUSH_PLAN": str(workdir / "plan.json"), "RUSH_OUTCOMES": str(outcomes)}
        ceiling = run_locust("ceiling", CEILING_USERS, CEILING_SECONDS, nginx.url, workdir, locust_env)
        log(f"bare view ceiling {ceiling.get('ceiling', {}).get('rps')} req/s")
        write_ceiling = run_locust("write-ceiling", CEILING_USERS, CEILING_SECONDS, nginx.url, workdir, locust_env)
        log(f"bare write view ceiling {write_ceiling.get('write-ceiling', {}).get('rps')} req/s")
        # At 10:00 the portal has been serving all morning: templates compiled in every worker, a database
        # connection per thread, the public pages in Redis. Browsing, the finder, the staff's review and the
        # clerk's dashboard warm the nodes up first (no registration, no application);
        # the rush is then measured whole, from its first second.
        # The popular events were announced days ago with their opening at T0 (T0 at 30% of the rush):
        # their opening time is saved before the warm-up, so the morning's pages are cached with it. Saved
        # just before the rush instead, the edit would empty the page cache of every event page at once.
        t0 = time.time() + WARMUP_SECONDS + 3 + SECONDS * T0_AT
        set_opening(provisional["popular"], t0)
        warmup = run_locust("warmup", USERS, WARMUP_SECONDS, nginx.url, workdir, locust_env) if WARMUP_SECONDS else {}
        log(f"warm-up: {WARMUP_SECONDS} s, {warmup.get('Aggregated', {}).get('rps')} req/s")

        # The rush: registration opens at T0 (events' registration_opens_at).
        rush_start = time.time() + 3
        if t0 - rush_start < SECONDS * T0_AT * 0.8:  # the warm-up overran: open later, as announced again
            t0 = rush_start + SECONDS * T0_AT
            set_opening(provisional["popular"], t0)
            log("warm-up overran: the events' opening moved (their page cache is emptied before the rush)")
        from notifications.models import Message

        # Only the rush's own messages are checked: seed_demo's went through the test settings' backend.
        plan_first_message = (Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        plan = {**provisional, "t0": t0, "first_message": plan_first_message}
        (workdir / "plan.json").write_text(json.dumps(plan))
        connection.close()

        sampler = Sampler(nodes[1].url)
        sampler.start()
        schedule = sorted([
            (t0, "program-opens"), (t0 + WORKER_KILL_AFTER_T0, "worker-kill"),
            (t0 + WORKER_KILL_AFTER_T0 + WORKER_DOWN, "worker-start"),
            (rush_start + SECONDS * NODE_KILL_AT, "node-kill"),
            (rush_start + SECONDS * NODE_KILL_AT + NODE_DOWN, "node-start"),
            (rush_start + SECONDS * REDIS_RESTART_AT, "redis-restart"),
            *([(t0 - 0.5, "profile")] if PROFILE else []),
        ])

        def inject():
            for at, action in schedule:
                time.sleep(max(0.0, at - time.time()))
                began = time.time()
                if action == "program-opens":
                    open_program_at_t0(plan["program_id"])
                    continue
                if action == "profile":
                    profiler.append(subprocess.Popen(
                        [str(BIN / "py-spy"), "record", "--pid", str(nodes[1].process.pid), "--subprocesses",
                         "--duration", "12", "--rate", "50", "--format", "raw", "--nonblocking",
                         "--output", str(workdir / "profile.txt")],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                    continue
                if action == "worker-kill":
                    worker.kill()
                elif action == "worker-start":
                    worker.start()
                elif action == "node-kill":
                    nodes[0].kill()
                elif action == "node-start":
                    nodes[0].start(timeout=60)
                elif action == "redis-restart":
                    redis_server.stop()
                    redis_server.start()
                faults.append({"action": action, "at": began, "done": time.time()})
                log(f"fault: {action} ({time.time() - began:.1f} s)")

        profiler: list = []
        injector = threading.Thread(target=inject, daemon=True)
        injector.start()
        log(f"rush: {USERS} users for {SECONDS} s, T0 in {t0 - time.time():.0f} s")
        ticks_before, cpu_sampler = machine_ticks(), CpuSampler()
        cpu_sampler.start()
        rush = run_locust("rush", USERS, SECONDS, nginx.url, workdir, locust_env)
        cpu_sampler.stop_event.set()
        cpu_sampler.join(timeout=5)
        # Buckets given from T0 (negative before it), as the phases of the rush are read.
        cpu_used = {"machine_busy_cores": machine_busy(ticks_before, machine_ticks()),
                    **cpu_sampler.figures(offset_s=t0 - cpu_sampler.started_at)}
        log(f"cores used during the rush: {cpu_used['machine_busy_cores']}, by process: {cpu_used['cores_by_kind']}")
        injector.join(timeout=90)
        rush_end = time.time()
        log("rush over; waiting for the notifications to drain")
        drained = drain(DRAIN_SECONDS, plan["first_message"])
        leftover = left_after_drain(plan["first_message"], rush_start, workdir)
        if leftover:
            log(f"still waiting after the drain: {leftover['groups']}")
        sampler.stop_event.set()
        server_totals = {node.name: scrape_totals(node) for node in nodes}
        alike = nodes_alike(nodes, plan)
        figures = analyse(plan=plan, nginx=nginx, outcomes=outcomes, media=media, mail_dir=mail_dir, faults=faults,
                          rush_start=rush_start, rush_end=rush_end, node_a=nodes[0], ceiling=ceiling,
                          write_ceiling=write_ceiling, rush=rush, samples=sampler.samples, drained=drained)
        figures["server_metrics"] = server_totals
        figures["warmup"] = {"seconds": WARMUP_SECONDS, "users": USERS, "client_side": warmup.get("Aggregated")}
        figures["cores_used_during_the_rush"] = cpu_used
        figures["notifications"]["left_after_drain"] = leftover
        # Exits nobody injected, each restarted by the supervisor (Service): counted, never hidden.
        figures["restarted_by_supervisor"] = {
            service.name: [{"at_s": round(e["at"] - rush_start, 1), "code": e["code"]} for e in service.exits]
            for service in (worker, beat)}
        if profiler:
            profiler[0].wait(timeout=60)
            figures["profile_from_t0"] = summarise_profile(workdir / "profile.txt")
        figures["nodes_alike"] = alike
        held = all(alike.values())
        figures["invariants"]["node B answers as node A after a write"] = "held" if held else "broken"
        figures["met"] = figures["met"] and held
        log(f"invariant {'held  ' if held else 'BROKEN'} node B answers as node A after a write")
        figures["data"] = generated
        figures["machine"] = {"cpus": os.cpu_count(), "cpu": load._cpu_model(), "postgresql": load._pg_version(),
                              "load_average_before_the_run": LOAD_BEFORE}
        figures["load"] = (f"locust {USERS} users for {SECONDS} s (browse 60, finder 15, register 15, apply 5, "
                           f"staff 3, clerk 2, hostile 1), ceilings {CEILING_USERS} users × {CEILING_SECONDS} s, "
                           f"warm-up {WARMUP_SECONDS} s (browse, finder, staff, clerk)")
        kind = f"gthread workers × {THREADS} threads" if THREADS > 1 else "sync workers"
        niced = f" at nice {SERVICE_NICE}" if SERVICE_NICE else ""
        figures["server"] = (f"nginx round robin (registration waiting room {REGISTER_RATE}/s, {REGISTER_BURST} "
                             f"waiting) → 2 gunicorn nodes × {WORKERS} {kind} (settings.bench)"
                             + (f", each with a staff pool for /admin/ and /reports/ (1 worker × {STAFF_THREADS} "
                                f"threads at nice {STAFF_NICE})" if STAFF_THREADS else "") + ", "
                             f"1 Celery worker (prefork, 2) + 1 beat{niced}, "
                             "own redis-server, PostgreSQL")
    finally:
        for process in (nginx, beat, worker, *nodes):
            try:
                process.stop()
            except Exception as exc:  # noqa: BLE001 - stop the rest whatever happens
                print(f"could not stop {process}: {exc}", file=sys.stderr)
        redis_server.stop()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if os.environ.get("BENCH_KEEP_WORKDIR") != "1":
            shutil.rmtree(workdir, ignore_errors=True)
    if not figures:
        return 1
    out = ROOT / "bench" / "results" / "rush.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    write_docs(figures)
    print(json.dumps({"invariants": figures["invariants"], "targets": figures["targets"]}, ensure_ascii=False,
                     indent=2))
    return 0 if figures["met"] else 1


def nodes_alike(nodes: list, plan: dict) -> dict:
    """An organiser renames a popular event (a write, here through the ORM as on any node); then every
    cached public page must be the same bytes on both nodes at once (no per-process state), and the
    event's page and its month's calendar must show the new name."""
    from django.utils import timezone

    from events.models import Event

    event = Event.objects.get(pk=plan["popular"][0])
    event.title_ko = f"{event.title_ko} (장소 변경)"
    event.save()
    month = timezone.localtime(event.starts_at).strftime("%Y-%m")
    connection.close()
    must_show = {f"/events/{event.pk}/", f"/events/?month={month}"}
    paths = ["/", "/programs/", f"/programs/{plan['program_slug']}/", f"/events/?month={plan['month']}",
             *sorted(must_show), "/events/feed.ics"]
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    results = {}
    for path in paths:
        answers = [node.get(path) for node in nodes]
        bodies = [(status, token.sub(b"", body)) for status, body in answers]
        same = bodies[0] == bodies[1] and bodies[0][0] == 200
        shows = all("(장소 변경)".encode() in body for _status, body in bodies)
        results[path] = same and (shows or path not in must_show)
        if not results[path]:
            for node, (_status, body) in zip(nodes, bodies, strict=True):
                (node.log.parent / f"differs-{len(results)}.html").write_bytes(body)
            log(f"nodes differ on {path}: statuses {[b[0] for b in bodies]}, same bytes {same}, shows the edit {shows}")
    return results


def summarise_profile(path: Path, top: int = 25) -> dict:
    """py-spy's collapsed stacks → the share of samples (inclusive) of the portal's own functions. The
    raw stacks stay in the work folder (BENCH_KEEP_WORKDIR=1 keeps it; flamegraph.pl or speedscope read it)."""
    if not path.exists():
        return {"error": "py-spy wrote no profile (is ptrace allowed?)"}
    inclusive, total, in_requests = collections.Counter(), 0, 0
    for line in path.read_text().splitlines():
        stack, _sep, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        # Inside a request: below settings.bench's outermost middleware; the rest is gunicorn's own loop.
        in_requests += int(count) if "bench_timing.py" in stack else 0
        seen = set()
        for frame in stack.split(";"):
            match = re.match(r"(\S+) \((?:\S*/)?((?:accounts|events|programs|notifications|reports|gwangmyeong_portal|"
                             r"django|psycopg2|redis|django_redis|django_prometheus)/[^:]+)", frame)
            if match and (key := f"{match.group(2)}:{match.group(1)}") not in seen:
                seen.add(key)
                inclusive[key] += int(count)
    return {"samples": total, "inside_requests_share": round(in_requests / total, 3) if total else None,
            "top_inclusive_share": {k: round(v / total, 3) for k, v in inclusive.most_common(top)}}


def write_docs(figures: dict) -> None:
    """The last run's figures into docs/performance.md, between the rush markers."""
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text()
    begin, end = "<!-- rush:begin", "<!-- rush:end -->"
    if begin not in text or end not in text:
        return
    reg, notes, ceilings = figures["registrations"], figures["notifications"], figures["ceilings"]
    lines = [f"### Last run ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}): {figures['load']}", "",
             f"{figures['server']}; data: {figures['data']['counts']}. {figures['machine']['cpus']} cores, "
             f"load average {figures['machine']['load_average_before_the_run']} before the run.", "",
             "| invariant | |", "|---|---|"]
    lines += [f"| {name} | {state} |" for name, state in figures["invariants"].items()]
    lines += ["", "| target | |", "|---|---|"]
    lines += [f"| {name} | {state} |" for name, state in figures["targets"].items()]
    bare, write = ceilings["bare_view"] or {}, ceilings["bare_write_view"] or {}
    browse = figures["browse_outside_faults"]
    faults = ", ".join(f"{f['action']} {f['at_s']}" for f in figures["faults"])
    lines += ["", "| figure | value |", "|---|---|",
              f"| bare view ceiling | {bare.get('rps')} req/s (p50 {bare.get('p50_ms')} ms) |",
              f"| bare write view ceiling | {write.get('rps')} req/s (p50 {write.get('p50_ms')} ms) |",
              f"| register POSTs in the 10 s after T0 | {reg['register_posts_in_10s_after_t0_per_s']}/s "
              f"({reg['ratio_to_write_ceiling']} of the write ceiling) |",
              f"| registrations written in the 10 s after T0 | {reg['rows_created_in_10s_after_t0_per_s']}/s |",
              f"| seconds from T0 until every popular event is full | {reg['all_full_after_s']} "
              f"(per event: {', '.join(str(v) for v in reg['seconds_from_t0_to_full'].values())}) |",
              f"| registration outcomes | {reg['outcomes']} |",
              f"| fairness at the edge | share of confirmed among the first arrivals "
              f"{reg['fairness']['share_of_confirmed_among_first_arrivals']}, arrival inversions "
              f"{reg['fairness']['arrival_inversions_at_nginx']} |",
              f"| browse outside fault windows | {browse['requests']} requests, p50 {browse['p50_ms']} / "
              f"p95 {browse['p95_ms']} / p99 {browse['p99_ms']} ms |",
              "| browse p95 per 10 s from T0 (ms) | " + ", ".join(
                  f"{at} {row['p95_ms']:.0f}" for at, row in browse.get("per_10s_from_t0", {}).items()) + " |",
              f"| notifications sent per minute | {notes['sent_per_minute']} (drained {notes['drain_seconds']} s "
              f"after the load; queue max {notes['queue_samples_max']}, oldest pending max "
              f"{notes['oldest_pending_max_s']} s) |",
              f"| e-mail resent after the worker's SIGKILL (same Message-ID) | "
              f"{notes['resent_after_crash_same_message_id']} |",
              f"| errors by cause | {figures['errors_by_cause'] or 'none'} |",
              f"| hostile requests | {figures['hostile']['statuses']} |",
              f"| faults (s into the run) | {faults} |",
              "", "| URL (edge, outside faults) | req/s | p50 | p95 | p99 ms | node p50 ms | node CPU ms | CPU s |",
              "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {name} | {row['rps']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | "
              f"{row.get('node_p50_ms')} | {row.get('node_cpu_ms_mean')} | {row.get('node_cpu_s_total')} |"
              for name, row in figures["per_url"].items()]
    head, rest = text.split(begin, 1)
    marker_line = rest.split("\n", 1)[0]
    tail = rest.split(end, 1)[1]
    doc.write_text(head + begin + marker_line + "\n" + "\n".join(lines) + "\n" + end + tail)


def drain(limit: int, first_message: int) -> float:
    """Seconds until none of the rush's messages waits to be sent (pending, sending), at most ``limit``.
    Texts held for the quiet hours (21:00–08:00 Seoul) wait for 08:00 by design: counted apart."""
    from notifications.models import Message

    started = time.monotonic()
    while time.monotonic() - started < limit:
        if not Message.objects.filter(pk__gte=first_message, status__in=["pending", "sending"]).exists():
            break
        time.sleep(2)
    connection.close()
    return round(time.monotonic() - started, 1)


def left_after_drain(first_message: int, rush_start: float, workdir: Path) -> dict:
    """What still waits after the drain, for the note: by status and channel, when written and last
    tried (seconds from the rush's start), and the worker's and beat's last errors."""
    from django.db.models import Count, Max, Min

    from notifications.models import Message

    waiting = Message.objects.filter(pk__gte=first_message, status__in=["pending", "sending"])
    groups = list(waiting.values("status", "channel").annotate(
        n=Count("pk"), first=Min("created_at"), last=Max("created_at"), attempts=Max("attempts"),
        claimed=Max("claimed_at")))
    connection.close()
    if not groups:
        return {}

    def since(moment):
        return round(moment.timestamp() - rush_start, 1) if moment else None

    errors = {}
    for name in ("worker", "beat"):
        log_path = workdir / f"{name}.log"
        lines = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
        errors[name] = [line[:300] for line in lines if "ERROR" in line or "CRITICAL" in line][-15:]
    return {"groups": [{"status": g["status"], "channel": g["channel"], "n": g["n"],
                        "written_s": [since(g["first"]), since(g["last"])], "max_attempts": g["attempts"],
                        "last_claimed_s": since(g["claimed"])} for g in groups],
            "last_errors": errors}


def process_kind(command: str) -> str:
    """The kind of process a command line is, for the CPU figures."""
    return ("gunicorn staff" if "gunicorn" in command and "portal-staff" in command
            else "gunicorn" if "gunicorn" in command
            else "celery worker" if "celery" in command and " worker" in command
            else "celery beat" if "celery" in command and " beat" in command else "locust" if "locust" in command
            else "postgres" if command.startswith("postgres") or "postgres:" in command
            else "redis" if "redis-server" in command else "nginx" if "nginx" in command else "other")


class CpuSampler(threading.Thread):
    """Where the two cores went, by kind of process and by 10 s of the run: every second the CPU
    ticks of every process on the machine (/proc, user + system), summed as deltas per process, so
    processes that start during the run (database connections, a restarted node, locust) count and
    one that exits loses at most its last second."""

    def __init__(self):
        super().__init__(daemon=True)
        self.tick = os.sysconf("SC_CLK_TCK")
        self.seen: dict[int, tuple[str, int]] = {}  # pid → (kind, ticks so far)
        self.by_kind: collections.Counter = collections.Counter()
        self.buckets: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
        self.stop_event = threading.Event()
        self.started_at = time.time()

    @staticmethod
    def _boot_ticks() -> float:
        return float(Path("/proc/uptime").read_text().split()[0]) * os.sysconf("SC_CLK_TCK")

    def sample(self) -> None:
        bucket = int((time.time() - self.started_at) // 10) * 10
        start_line = self._boot_ticks() - (time.time() - self.started_at) * self.tick
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                pid = int(stat.parent.name)
                ticks = int(fields[11]) + int(fields[12])
                if pid not in self.seen:
                    command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    # Started since the sampler began: all its ticks are the run's; before: from now on.
                    before = 0 if int(fields[19]) >= start_line else ticks
                    self.seen[pid] = (process_kind(command), before)
            except (OSError, IndexError, ValueError):
                continue
            kind, last = self.seen[pid]
            if ticks > last:
                self.by_kind[kind] += ticks - last
                self.buckets[bucket][kind] += ticks - last
                self.seen[pid] = (kind, ticks)

    def run(self):
        self.sample()
        while not self.stop_event.wait(1):
            self.sample()

    def figures(self, offset_s: float = 0.0) -> dict:
        """Cores per kind over the whole sampling, and per 10 s (``offset_s``: the buckets' times are
        given from that many seconds after the sampler began, e.g. the rush's start)."""
        seconds = max(time.time() - self.started_at, 1e-9)

        def cores(counter, span):
            return {kind: round(n / self.tick / span, 2) for kind, n in counter.most_common()}

        return {"cores_by_kind": cores(self.by_kind, seconds),
                "cores_by_kind_per_10s": {f"{bucket - offset_s:+.0f}s": cores(counter, 10)
                                          for bucket, counter in sorted(self.buckets.items())}}


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot (/proc/stat's first line)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def machine_busy(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Cores busy on average between two ``machine_ticks`` (of os.cpu_count())."""
    total = after[1] - before[1]
    return round((after[0] - before[0]) / total * (os.cpu_count() or 1), 2) if total else 0.0


# --- Figures and invariants ------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def analyse(*, plan, nginx, outcomes, media, mail_dir, faults, rush_start, rush_end, node_a, ceiling,  # noqa: C901, PLR0912, PLR0915
            write_ceiling, rush, samples, drained) -> dict:
    from django.db.models import Count
    from django.utils import timezone

    from events.models import Registration
    from notifications.models import Message
    from programs.models import Application, ApplicationDocument

    t0 = plan["t0"]
    entries = [e for e in nginx.entries() if rush_start <= e["start"] <= rush_end + 30]
    windows = []
    fault_at = {f["action"]: f for f in faults}
    if "node-kill" in fault_at:
        windows.append(("node", fault_at["node-kill"]["at"],
                        fault_at.get("node-start", {"done": rush_end})["done"] + SETTLE))
    if "redis-restart" in fault_at:
        windows.append(("redis", fault_at["redis-restart"]["at"], fault_at["redis-restart"]["done"] + SETTLE))

    def in_window(entry, kind=None):
        return any(k in (kind or k) and start - 1 <= entry["end"] and entry["start"] <= end
                   for k, start, end in windows)

    # Per URL, from the edge (nginx), outside the fault windows.
    per_url = {}
    by_name = collections.defaultdict(list)
    for entry in entries:
        if not in_window(entry):
            by_name[entry["name"]].append(entry)
    duration = max(1.0, rush_end - rush_start)
    for name, rows in sorted(by_name.items()):
        times = [r["ms"] for r in rows]
        cpu = [r["cpu_ms"] for r in rows if "cpu_ms" in r]
        node = [r["node_ms"] for r in rows if "node_ms" in r]
        per_url[name] = {"requests": len(rows), "rps": round(len(rows) / duration, 2), "p50_ms": percentile(times, .5),
                         "p95_ms": percentile(times, .95), "p99_ms": percentile(times, .99),
                         "statuses": dict(collections.Counter(str(r["status"]) for r in rows)),
                         # In the node's thread (X-Bench-CPU): its CPU and its time from the first
                         # middleware in to the last out; the rest of p50 is waiting (nginx, gunicorn's queue).
                         "node_cpu_ms_mean": round(statistics.fmean(cpu), 2) if cpu else None,
                         "node_cpu_s_total": round(sum(cpu) / 1000, 1),
                         "node_p50_ms": percentile(node, .5) if node else None,
                         "node_p95_ms": percentile(node, .95) if node else None}
    browse_times = [e["ms"] for e in entries if e["name"] in BROWSE and not in_window(e)]
    browse_node = [e["node_ms"] for e in entries if e["name"] in BROWSE and not in_window(e) and "node_ms" in e]
    browse = {"requests": len(browse_times), "p50_ms": percentile(browse_times, .5),
              "p95_ms": percentile(browse_times, .95), "p99_ms": percentile(browse_times, .99),
              # The same requests timed inside the node (X-Bench-CPU): the rest was spent before Django.
              "in_the_node_p95_ms": percentile(browse_node, .95), "in_the_node_p99_ms": percentile(browse_node, .99)}
    # The same per 10 s from T0 (by arrival at nginx): which moments of the morning make the tail.
    browse_buckets = collections.defaultdict(list)
    for entry in entries:
        if entry["name"] in BROWSE and not in_window(entry):
            browse_buckets[int((entry["start"] - t0) // 10) * 10].append(entry)
    browse["per_10s_from_t0"] = {
        f"{bucket:+d}s": {"requests": len(rows), "p50_ms": percentile([r["ms"] for r in rows], .5),
                          "p95_ms": percentile([r["ms"] for r in rows], .95),
                          "p99_ms": percentile([r["ms"] for r in rows], .99),
                          "in_the_node_p95_ms": percentile([r["node_ms"] for r in rows if "node_ms" in r], .95)}
        for bucket, rows in sorted(browse_buckets.items())}

    # Errors by cause.
    node_ports = tuple(f":{port}" for port in node_a.ports)  # the killed node's pools
    errors = collections.Counter()
    stray_5xx = []
    for entry in entries:
        if entry["status"] < 500:
            continue
        if in_window(entry, "node") and any(port in entry["upstream"] for port in node_ports):
            errors[f"in flight to the killed node ({entry['method']} {entry['status']})"] += 1
        elif in_window(entry, "redis"):
            errors[f"during the Redis restart ({entry['status']})"] += 1
            stray_5xx.append(entry)
        else:
            errors[f"{entry['status']} outside the fault windows"] += 1
            stray_5xx.append(entry)
    retried_by_nginx = collections.Counter(f"{e['method']} {e['status']}" for e in entries if "," in e["upstream"])
    locust_failures = {name: row["failures"] for name, row in rush.items() if row["failures"] and name != "Aggregated"}

    # Registrations.
    records = [json.loads(line) for line in Path(outcomes).read_text().splitlines() if line.strip()]
    registrations = [r for r in records if r["kind"] == "registration"]
    regs = list(Registration.objects.filter(event_id__in=plan["popular"]).order_by("pk")
                .values("pk", "event_id", "user_id", "status", "created_at"))
    per_event = collections.defaultdict(list)
    for reg in regs:
        per_event[reg["event_id"]].append(reg)
    seconds_to_full = {}
    for event_id in plan["popular"]:
        confirmed = [r for r in per_event[event_id] if r["status"] == "confirmed"]
        seconds_to_full[event_id] = (round(confirmed[PLACES - 1]["created_at"].timestamp() - t0, 2)
                                     if len(confirmed) >= PLACES else None)
    register_posts = [e for e in entries if e["name"] == "register" and e["method"] == "POST" and e["start"] >= t0]
    arrival_posts = [e for e in entries if e["name"] in ("register", "register-retry", "hostile")
                     and e["method"] == "POST" and e["start"] >= t0]
    burst = [e for e in register_posts if e["start"] <= t0 + 10]
    burst_rps = round(len(burst) / 10, 1)
    created_after = [r for r in regs if t0 <= r["created_at"].timestamp() <= t0 + 10]
    write_rps = write_ceiling.get("write-ceiling", {}).get("rps") or 0.0
    full_answers = [r for r in registrations if r.get("outcome") == "full"]

    # Fairness: DB order (row lock) exact; arrival at nginx as a measurement.
    fairness_broken, arrival_inversions, confirmed_from_first_arrivals = [], 0, []
    arrival = {}
    for entry in sorted(arrival_posts, key=lambda e: e["start"]):
        if entry["citizen"]:
            arrival.setdefault(entry["citizen"], entry["start"])
    for event_id, rows in per_event.items():
        waitlisted = [r for r in rows if r["status"] == "waitlisted"]
        confirmed = [r for r in rows if r["status"] == "confirmed"]
        if confirmed and waitlisted and min(r["pk"] for r in waitlisted) < max(r["pk"] for r in confirmed):
            fairness_broken.append(event_id)
        arrivals = sorted((arrival.get(str(r["user_id"]), float("inf")), r["status"]) for r in rows)
        first = arrivals[:len(confirmed)]
        if confirmed:
            confirmed_from_first_arrivals.append(sum(1 for _at, s in first if s == "confirmed") / len(confirmed))
        last_confirmed = max((a for a, s in arrivals if s == "confirmed"), default=0)
        arrival_inversions += sum(1 for a, s in arrivals if s == "waitlisted" and a < last_confirmed)
    waitlist_ordered = all(
        [r["created_at"] for r in rows if r["status"] == "waitlisted"]
        == sorted(r["created_at"] for r in rows if r["status"] == "waitlisted") for rows in per_event.values())

    # No citizen with two active registrations (per event) or applications (per program).
    active = Registration.objects.filter(status__in=Registration.ACTIVE)
    double_registrations = list(active.values("event_id", "user_id")
                                .annotate(n=Count("pk")).filter(n__gt=1)[:10])
    double_applications = list(Application.objects.exclude(status__in=["draft", "withdrawn"])
                               .values("program_id", "applicant_id").annotate(n=Count("pk")).filter(n__gt=1)[:10])
    over_capacity = [event_id for event_id, rows in per_event.items()
                     if sum(1 for r in rows if r["status"] == "confirmed") > PLACES]

    # Notifications: every e-mail row sent once (by Message-ID read back from the files), no lost row.
    message_ids = collections.Counter()
    for path in mail_dir.glob("*"):
        for match in re.finditer(r"^Message-ID: <notification-(\d+)-", path.read_text(errors="replace"), re.MULTILINE):
            message_ids[int(match.group(1))] += 1
    # Mail of the warm-up (the staff's approvals) was written before the rush's first message: not the rush's.
    message_ids = collections.Counter({pk: n for pk, n in message_ids.items() if pk >= plan["first_message"]})
    messages = Message.objects.filter(pk__gte=plan["first_message"])
    email_rows = dict(messages.filter(channel="email").values_list("pk", "status"))
    not_sent = messages.exclude(status__in=["sent", "failed", "held"]).count()
    held_for_quiet_hours = messages.filter(status="held", channel="sms").count()
    held_other = messages.filter(status="held").exclude(channel="sms").count()
    failed = messages.filter(status="failed").count()
    email_sent = [pk for pk, status in email_rows.items() if status == "sent"]
    lost = [pk for pk in email_sent if message_ids[pk] == 0]
    phantom = [pk for pk in message_ids if pk not in email_rows]
    duplicated = [pk for pk, n in message_ids.items() if n > 1]
    keys_unique = messages.values("idempotency_key").annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    per_minute = collections.Counter(
        timezone.localtime(at).strftime("%H:%M")
        for at in messages.filter(status="sent").values_list("sent_at", flat=True))

    # Uploads: every accepted document's file exists and opens; no file without its row.
    from pypdf import PdfReader

    documents = list(ApplicationDocument.objects.values_list("pk", "file"))
    stored = {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}
    broken_files, orphan_rows = [], []
    for pk, name in documents:
        path = media / name
        if not path.exists():
            orphan_rows.append(pk)
            continue
        try:
            if name.lower().endswith(".pdf"):
                PdfReader(str(path)).pages[0]  # noqa: B018 - opening the first page is the check
        except Exception:  # noqa: BLE001
            broken_files.append(pk)
    orphan_files = sorted(stored - {name for _pk, name in documents})
    submitted = Application.objects.filter(program_id=plan["program_id"]).exclude(status="draft").count()
    # The staff's approvals, so a review queue that only looked busy would show here (approve requests
    # that approved nothing: a wrong action name answers 302 too).
    approve_ids = [r["application"] for r in records if r["kind"] == "approve"]
    approve_requests = len(approve_ids)
    approved = Application.objects.filter(pk__in=set(approve_ids), status="approved").count()

    # Retried registrations after a 5xx from the killed node: nothing half-done, the retry answered once.
    retries = [r for r in records if r["kind"] == "registration-retry"]
    retry_bad = []
    for retry in retries:
        rows = [r for r in regs if r["user_id"] == retry["citizen"] and r["event_id"] == retry["event"]]
        if len(rows) > 1 or retry["retry"]["status"] >= 500 or retry["retry"]["status"] == 0:
            retry_bad.append(retry)
    hostile = [r for r in records if r["kind"] == "hostile"]
    hostile_citizens = {citizen for citizen, _key in plan["citizens"]["hostile"]}
    hostile_documents = ApplicationDocument.objects.filter(application__applicant_id__in=hostile_citizens).count()
    hostile_5xx = [r for r in hostile if r["status"] >= 500 and not any(
        start - 1 <= r["at"] <= end + 1 for _k, start, end in windows)]

    # Each hostile request must get a 4xx with the portal's own page (outside the fault windows).
    hostile_not_refused = [r for r in hostile if not (400 <= r["status"] < 500 and r.get("portal_page")) and not any(
        start - 1 <= r["at"] <= end + 1 for _k, start, end in windows)]
    invariants = {
        "confirmed places ≤ capacity": not over_capacity,
        "waitlist in order": waitlist_ordered,
        "no citizen holds two active registrations or applications": not (double_registrations
                                                                          or double_applications),
        "fairness: confirmations went to the first at the row lock": not fairness_broken,
        "every notification delivered exactly once per channel": (not lost and not phantom and keys_unique
                                                                  and not_sent == 0 and failed == 0
                                                                  and held_other == 0),
        "every accepted upload exists and opens; no orphan file or row": (not broken_files and not orphan_rows
                                                                          and not orphan_files),
        "no 5xx outside the killed node's window": not stray_5xx and not hostile_5xx,
        "hostile requests refused: a 4xx with the portal's page, no file kept from a renamed executable": (
            not hostile_5xx and not hostile_not_refused and hostile_documents == 0),
        "a POST failed by the killed node left nothing half-done; its retry answered once": not retry_bad,
    }
    full_times = [s for s in seconds_to_full.values() if s is not None]
    ratio = round(burst_rps / write_rps, 2) if write_rps else 0.0
    targets = {
        f"registration POSTs ≥ {TARGETS['registration_ratio_to_write_ceiling']:.0%} of the write ceiling": (
            ratio >= TARGETS["registration_ratio_to_write_ceiling"]),
        f"browse p95 ≤ {TARGETS['browse_p95_ms']} ms outside fault windows": (
            browse["p95_ms"] <= TARGETS["browse_p95_ms"]),
        f"browse p99 ≤ {TARGETS['browse_p99_ms']} ms outside fault windows": (
            browse["p99_ms"] <= TARGETS["browse_p99_ms"]),
        f"every popular event full within {TARGETS['seconds_to_full']} s of T0": (
            len(full_times) == POPULAR and max(full_times) <= TARGETS["seconds_to_full"]),
        "a full event answers with a clear message": bool(full_answers) and all(
            r["status"] in (200, 409) for r in full_answers),
    }
    for name, held in invariants.items():
        log(f"invariant {'held  ' if held else 'BROKEN'} {name}")
    for name, met in targets.items():
        log(f"target    {'met   ' if met else 'MISSED'} {name}")
    return {
        "met": all(invariants.values()) and all(targets.values()),
        "invariants": {k: "held" if v else "broken" for k, v in invariants.items()},
        "targets": {k: "met" if v else "missed" for k, v in targets.items()},
        "ceilings": {"bare_view": ceiling.get("ceiling"), "bare_write_view": write_ceiling.get("write-ceiling")},
        "registrations": {
            "register_posts_in_10s_after_t0_per_s": burst_rps, "ratio_to_write_ceiling": ratio,
            "rows_created_in_10s_after_t0_per_s": round(len(created_after) / 10, 1),
            "seconds_from_t0_to_full": {str(k): v for k, v in seconds_to_full.items()},
            "all_full_after_s": max(full_times) if len(full_times) == POPULAR else None,
            "outcomes": dict(collections.Counter(r.get("outcome", str(r["status"])) for r in registrations)),
            "rows": dict(collections.Counter(r["status"] for r in regs)),
            "fairness": {"waitlisted_before_a_confirmed_in_lock_order": fairness_broken,
                         "arrival_inversions_at_nginx": arrival_inversions,
                         "share_of_confirmed_among_first_arrivals": round(
                             statistics.mean(confirmed_from_first_arrivals), 3) if confirmed_from_first_arrivals
                         else None},
            "retried_after_killed_node": len(retries), "retries_not_clean": retry_bad[:5],
        },
        "applications": {"submitted": submitted, "approve_requests": approve_requests, "approved": approved,
                         "documents": len(documents), "files": len(stored),
                         "broken_files": broken_files, "orphan_rows": orphan_rows, "orphan_files": orphan_files[:10],
                         "double": double_applications},
        "notifications": {"rows": messages.count(), "email_rows": len(email_rows), "email_sent": len(email_sent),
                          "email_files_message_ids": len(message_ids), "lost": lost[:10], "phantom": phantom[:10],
                          "resent_after_crash_same_message_id": len(duplicated), "not_sent_after_drain": not_sent,
                          "failed": failed, "drain_seconds": drained,
                          "sms_held_for_quiet_hours": held_for_quiet_hours,
                          "sent_per_minute": dict(sorted(per_minute.items())),
                          "queue_samples_max": max((s.get("queue", 0) for s in samples), default=None),
                          "oldest_pending_max_s": round(max((s.get("oldest_pending_s", 0) for s in samples),
                                                            default=0), 1)},
        "browse_outside_faults": browse,
        "per_url": per_url,
        "client_side_locust": rush,
        "errors_by_cause": dict(errors),
        "retried_by_nginx_on_the_other_node": dict(retried_by_nginx),
        "locust_failures": locust_failures,
        "hostile": {"count": len(hostile), "statuses": dict(collections.Counter(f"{r['hostile']} {r['status']}"
                                                                                for r in hostile)),
                    "5xx_outside_faults": len(hostile_5xx), "documents_kept": hostile_documents,
                    "not_refused_with_the_portal_page": dict(collections.Counter(
                        f"{r['hostile']} {r['status']}" for r in hostile_not_refused))},
        "faults": [{"action": f["action"], "at_s": round(f["at"] - rush_start, 1),
                    "took_s": round(f["done"] - f["at"], 1)} for f in faults],
        "t0_at_s": round(t0 - rush_start, 1),
        "double_registrations": double_registrations,
    }


if __name__ == "__main__":
    sys.exit(main())
