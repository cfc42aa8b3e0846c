"""`make screens`: PNGs of the most used pages, as each demo role sees them, under docs/screens/.

Builds a throw-away SQLite database with the demo data (`seed_demo`, dated around today), serves it
with Django's development server on a free local port, and has Playwright drive Debian's Chromium
(/usr/bin/chromium, never `playwright install`): it signs in as the demo citizen, an agency's staff
member and the clerk through the real sign-in form, and saves each page at 360 px (a phone) and
1280 px, in Korean and in English:

    docs/screens/<role>-<page>-<ko|en>-<360|1280>.png

The server and the database are removed at the end, whatever happens. Screens are committed, so
anyone can look at the portal without running it; README shows a few.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screens"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "gwangmyeong-demo-2027"  # accounts/demo.py: for a laptop only
WIDTHS = {360: 740, 1280: 900}
LANGUAGES = ("ko", "en")

# (role, name, path): the fifteen pages people use most, and who looks at them.
PAGES = [
    ("visitor", "home", "/"),
    ("visitor", "programs", "/programs/"),
    ("visitor", "program", "/programs/{program}/"),
    ("visitor", "finder", "/programs/finder/"),
    ("visitor", "finder-results", "/programs/finder/results/?resident=yes&pregnant=yes&children=1"),
    ("visitor", "events", "/events/"),
    ("visitor", "event", "/events/{event}/"),
    ("visitor", "partners", "/partners/"),
    ("visitor", "privacy", "/privacy/"),
    ("citizen", "my-page", "/me/"),
    ("citizen", "apply", "/programs/{program}/apply/"),
    ("citizen", "my-applications", "/me/applications/"),
    ("citizen", "inbox", "/me/notifications/"),
    ("agency", "admin-todo", "/admin/"),
    ("clerk", "reports", "/reports/"),
]
ROLES = {"citizen": "citizen@example.com", "agency": "police.staff@example.com", "clerk": "clerk@example.com"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the development server did not answer at {url}")


def manage(env: dict, *args: str) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


def demo_objects(env: dict) -> dict:
    """The program and event the detail screens show: an online program open now, the fair."""
    code = ("from programs.models import Program; from events.models import Event; "
            "p = Program.objects.open_now().order_by('title_ko').first() or Program.objects.published().first(); "
            "e = Event.objects.filter(is_public=True, type='fair', parent__isnull=True).order_by('starts_at').first() "
            "or Event.objects.filter(is_public=True).order_by('starts_at').first(); print(p.slug, e.pk)")
    slug, pk = manage(env, "shell", "-c", code).strip().splitlines()[-1].split()
    return {"program": slug, "event": pk}


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        print(f"make screens needs Debian's chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="screens-"))
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gwangmyeong_portal.settings.dev",
           "DATABASE_URL": f"sqlite:///{workdir / 'screens.sqlite3'}", "MEDIA_ROOT": str(workdir / "media"),
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    env.pop("REDIS_URL", None)
    server = None
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo")
        objects = demo_objects(env)
        server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload",
                                   f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        OUT.mkdir(parents=True, exist_ok=True)
        for old in OUT.glob("*.png"):
            old.unlink()
        saved = 0
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for role in ("visitor", *ROLES):
                for lang in LANGUAGES:
                    for width, height in WIDTHS.items():
                        context = browser.new_context(viewport={"width": width, "height": height},
                                                      locale="ko-KR" if lang == "ko" else "en-US",
                                                      reduced_motion="reduce")
                        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
                        page = context.new_page()
                        if role in ROLES:
                            sign_in(page, base, ROLES[role])
                        for page_role, name, path in PAGES:
                            if page_role != role:
                                continue
                            page.goto(base + path.format(**objects))
                            page.wait_for_load_state("networkidle")
                            page.screenshot(path=str(OUT / f"{role}-{name}-{lang}-{width}.png"), full_page=True)
                            saved += 1
                        context.close()
            browser.close()
        print(f"saved {saved} screenshots in {OUT.relative_to(ROOT)}/")
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
