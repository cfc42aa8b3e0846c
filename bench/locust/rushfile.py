"""The users of bench/rush.py: the opening-morning mix against nginx in front of two gunicorn nodes.

bench/rush.py writes a plan (RUSH_PLAN, JSON: T0, the popular events, the program opening at T0,
session keys of signed-in citizens and staff, the files to upload) and runs locust in three phases
(RUSH_PHASE): ``ceiling`` (the bare view), ``write-ceiling`` (the bare write view), ``warmup`` (the
browsing, finder, staff and clerk users, so the rush meets nodes that have served a morning) and ``rush``.

In the rush, users are drawn by weight: browse 60, finder 15, register 15, apply 5, staff review 3,
clerk dashboard and export 2, hostile 1. Every request carries X-Bench-Name (the figure it counts
under) and, when signed in, X-Bench-Citizen (the citizen's id), both written to nginx's access log
with the arrival time, so bench/rush.py computes latency outside the fault windows and fairness from
the edge. Outcomes the server cannot tell (a retried registration, a hostile request's answer) go to
RUSH_OUTCOMES as JSON lines. Cookies are sent by hand for each request (citizens change between
iterations), and the CSRF cookie is a fixed secret the form token repeats, as a browser would send.
"""

import itertools
import json
import os
import random
import re
import threading
import time
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant, task
from urllib3 import encode_multipart_formdata

PHASE = os.environ.get("RUSH_PHASE", "rush")
PLAN = json.loads(open(os.environ["RUSH_PLAN"]).read())  # noqa: SIM115 - read once at import
CSRF = "rushbenchcsrfsecret0123456789abc"[:32].ljust(32, "x")
OUTCOMES = open(os.environ["RUSH_OUTCOMES"], "a", buffering=1)  # noqa: SIM115 - one line per outcome
_lock = threading.Lock()
POOLS = {name: iter(list(pool)) for name, pool in PLAN["citizens"].items()}
BROWSE_SESSIONS = itertools.cycle(PLAN["citizens"]["browse"])
FULL_MESSAGES = ("정원과 대기 인원이 모두 찼습니다", "정원이 찼습니다")
HOSTILE_REFUSALS = ("이미 이 행사에 신청", "PDF", "파일", "CSRF", "403", "400")
REGISTRATION_REDIRECT = re.compile(r"/events/registrations/(\d+)/")


def next_citizen(pool: str):
    with _lock:
        return next(POOLS[pool], None)


def record(**outcome):
    outcome["at"] = time.time()
    OUTCOMES.write(json.dumps(outcome, ensure_ascii=False) + "\n")


class Portal(FastHttpUser):
    abstract = True
    wait_time = between(1, 5)  # a person reads the page before the next click

    def headers(self, name: str, citizen=None, **extra) -> dict:
        self.client.cookiejar.clear()
        cookie = f"csrftoken={CSRF}"
        if citizen:
            cookie += f"; sessionid={citizen[1]}"
        headers = {"Accept-Language": "ko", "Accept-Encoding": "gzip", "X-Bench-Name": name, "Cookie": cookie,
                   "Referer": self.host + "/"}
        if citizen:
            headers["X-Bench-Citizen"] = str(citizen[0])
        headers.update(extra)
        return headers

    def get(self, path: str, name: str, citizen=None, expect=(200,)):
        with self.client.get(path, headers=self.headers(name, citizen), name=name, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code not in expect:
                response.failure(f"status {response.status_code}")
            return response

    def post(self, path: str, name: str, data, citizen=None, files=None, expect=(200, 302), csrf=CSRF, cookie=None):
        body, content_type = encode({**data, "csrfmiddlewaretoken": csrf}, files)
        headers = self.headers(name, citizen, **{"Content-Type": content_type})
        if cookie is not None:
            headers["Cookie"] = cookie
        with self.client.post(path, data=body, headers=headers, name=name, allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code not in expect:
                response.failure(f"status {response.status_code}")
            else:
                response.success()
            return response


def encode(fields: dict, files: dict | None) -> tuple[bytes, str]:
    if not files:
        return urlencode(fields).encode(), "application/x-www-form-urlencoded"
    return encode_multipart_formdata({**fields, **files})


def browse_step(user: Portal):
    choice = random.random()
    if choice < 0.2:
        user.get("/", "home")
    elif choice < 0.38:
        user.get("/programs/", "catalog")
    elif choice < 0.52:
        user.get(random.choice(["/programs/?q=출산", "/programs/?q=육아", "/programs/?q=장난감"]), "search")
    elif choice < 0.68:
        user.get(random.choice(PLAN["program_paths"]), "program")
    elif choice < 0.84:
        user.get(f"/events/?month={PLAN['month']}", "month")
    elif choice < 0.92:
        user.get("/events/feed.ics", "feed")
    else:
        user.get("/me/", "me", citizen=next(BROWSE_SESSIONS))


# --- Ceiling phases ------------------------------------------------------------------------------

class CeilingUser(FastHttpUser):
    wait_time = constant(0)
    weight = 1 if PHASE == "ceiling" else 0

    @task
    def bare(self):
        with self.client.get("/bench/ceiling", headers={"X-Bench-Name": "ceiling"}, name="ceiling",
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")


class WriteCeilingUser(Portal):
    wait_time = constant(0)
    weight = 1 if PHASE == "write-ceiling" else 0

    def on_start(self):
        self.citizen = next(BROWSE_SESSIONS)

    @task
    def write(self):
        self.post("/bench/write-ceiling", "write-ceiling", {}, citizen=self.citizen, expect=(200,))


# --- The rush ------------------------------------------------------------------------------------

def rush_weight(n: int, *, warms_up: bool = False) -> int:
    """A user class's weight in the rush; browsing, the finder and the staff's and clerk's pages also
    run in the warm-up before it (the morning before the opening)."""
    return n if PHASE == "rush" or (warms_up and PHASE == "warmup") else 0


class Browser(Portal):
    weight = rush_weight(60, warms_up=True)

    @task
    def browse(self):
        browse_step(self)


class FinderUser(Portal):
    weight = rush_weight(15, warms_up=True)

    @task
    def finder(self):
        self.get("/programs/finder/", "finder")
        age = random.randint(20, 45)
        self.get(f"/programs/finder/results/?resident=yes&age={age}&pregnant={random.choice(['yes', 'no'])}",
                 "finder-results")


class Registrant(Portal):
    """Waits on the event page for T0, then registers, and keeps coming back as the next parent."""

    weight = rush_weight(15)
    wait_time = constant(0)

    def event(self) -> int:
        """Half of the parents want the same class; the others spread over the other nine."""
        popular = PLAN["popular"]
        return popular[0] if random.random() < 0.5 else random.choice(popular[1:])

    @task
    def register(self):
        now = time.time()
        if now < PLAN["t0"]:
            self.get(f"/events/{self.event()}/", "event-waiting")
            time.sleep(min(random.uniform(1, 2), max(0.0, PLAN["t0"] - time.time() + random.uniform(0, 0.3))))
            return
        citizen = next_citizen("register")
        if citizen is None:  # every parent of the pool has come: browse like the others
            browse_step(self)
            time.sleep(random.uniform(1, 5))
            return
        event = self.event()
        outcome = self.register_once(event, citizen)
        if outcome["status"] >= 500 or outcome["status"] == 0:
            time.sleep(random.uniform(1, 2))  # the parent sees the error page and presses the button again
            retry = self.register_once(event, citizen, retry=True)
            record(kind="registration-retry", citizen=citizen[0], event=event, first=outcome, retry=retry)

    def register_once(self, event: int, citizen, retry: bool = False) -> dict:
        name = "register-retry" if retry else "register"
        # 302 to the registration; 409 with the event page and the refusal (full, already registered).
        response = self.post(f"/events/{event}/register/", name, {"consent": "on"}, citizen=citizen,
                             expect=(302, 409))
        status = response.status_code or 0
        result = {"status": status}
        if status == 302:
            match = REGISTRATION_REDIRECT.search(response.headers.get("Location", ""))
            result["registration"] = int(match.group(1)) if match else None
            result["outcome"] = "registered"
        elif status in (200, 409):
            text = response.text or ""
            result["outcome"] = ("full" if any(m in text for m in FULL_MESSAGES)
                                 else "already" if "이미 이 행사에 신청" in text else "refused")
        record(kind="registration", citizen=citizen[0], event=event, retry=retry, **result)
        return result


class Applicant(Portal):
    """Saves a draft with a ~200 kB PDF once the program opens at T0, then submits it."""

    weight = rush_weight(5)

    @task
    def apply(self):
        if time.time() < PLAN["t0"] + 1:
            browse_step(self)
            return
        citizen = next_citizen("apply")
        if citizen is None:
            browse_step(self)
            return
        path = f"/programs/{PLAN['program_slug']}/apply/"
        page = self.get(path, "apply-form", citizen=citizen, expect=(200, 302))
        if page.status_code != 200:
            record(kind="apply", citizen=citizen[0], step="form", status=page.status_code)
            return
        form = {"contact_phone": "010-1234-5678", "phone_consent": "on", "consent": "on"}
        with open(PLAN["pdf_path"], "rb") as pdf:
            saved = self.post(path, "apply-save", form, citizen=citizen,
                              files={PLAN["doc_field"]: ("income.pdf", pdf.read(), "application/pdf")})
        submitted = self.post(path, "apply-submit", {**form, "submit": "1"}, citizen=citizen)
        record(kind="apply", citizen=citizen[0], step="submit", saved=saved.status_code,
               status=submitted.status_code, location=submitted.headers.get("Location", ""))


class StaffReviewer(Portal):
    weight = rush_weight(3, warms_up=True)

    @task
    def review(self):
        staff = PLAN["staff"]
        listing = self.get("/admin/programs/application/?status__exact=submitted", "admin-changelist", citizen=staff)
        ids = re.findall(r"/admin/programs/application/(\d+)/change/", listing.text or "")
        if not ids:
            return
        pk = random.choice(ids[:20])
        self.get(f"/admin/programs/application/{pk}/change/", "admin-change", citizen=staff)
        response = self.post("/admin/programs/application/?status__exact=submitted", "admin-approve",
                             {"action": "action_approve", "_selected_action": pk, "index": "0"}, citizen=staff)
        record(kind="approve", application=int(pk), status=response.status_code)


class Clerk(Portal):
    weight = rush_weight(2, warms_up=True)

    @task
    def dashboard(self):
        self.get("/reports/", "reports-dashboard", citizen=PLAN["staff"])
        self.get("/reports/tables/applications_by_month.csv", "reports-csv", citizen=PLAN["staff"])


class Hostile(Portal):
    """About 1% of requests: each must be refused (or answered with the portal's refusal), never a 5xx."""

    weight = rush_weight(1)
    # At least one, even in a small run (locust spawns fixed_count users before the weighted ones).
    fixed_count = max(1, int(os.environ.get("BENCH_USERS", "300")) // 100) if PHASE == "rush" else 0

    @task
    def hostile(self):
        kinds = ["bad-csrf", "long-query"]
        if time.time() > PLAN["t0"] + 1:
            # The upload needs the program open (before T0 the page redirects); before the opening a
            # "second" registration is refused as not yet open, and a pair straddling T0 would be a
            # refusal and then a first registration, not a second one.
            kinds += ["renamed-exe", "second-registration"]
        kind = random.choice(kinds)
        citizen = next_citizen("hostile") or next(BROWSE_SESSIONS)
        event = PLAN["popular"][0]
        expect = tuple(range(200, 500))  # anything but a 5xx counts as answered here; rush.py judges
        if kind == "bad-csrf":
            response = self.post(f"/events/{event}/register/", "hostile", {"consent": "on"}, citizen=citizen,
                                 csrf="x" * 32, expect=expect)
        elif kind == "long-query":
            response = self.get("/programs/?q=" + "가" * 2000 + "&x=" + "a" * 7995, "hostile", expect=expect)
        elif kind == "renamed-exe":
            with open(PLAN["exe_path"], "rb") as exe:
                response = self.post(f"/programs/{PLAN['program_slug']}/apply/", "hostile",
                                     {"contact_phone": "010-1234-5678"}, citizen=citizen, expect=expect,
                                     files={PLAN["doc_field"]: ("setup.pdf", exe.read(), "application/pdf")})
        else:
            self.post(f"/events/{event}/register/", "hostile", {"consent": "on"}, citizen=citizen, expect=expect)
            response = self.post(f"/events/{event}/register/", "hostile", {"consent": "on"}, citizen=citizen,
                                 expect=expect)
        text = response.text or ""
        record(kind="hostile", hostile=kind, status=response.status_code or 0, citizen=citizen[0],
               portal_page="광명" in text, refusal=any(m in text for m in HOSTILE_REFUSALS))
