"""Browser journeys: Playwright driving Debian's Chromium (never `playwright install`).

Without /usr/bin/chromium the journeys are skipped with one line saying why, except under
CI=true, where a missing browser is a failure. Each journey can run on a phone viewport
(360 px) and audits every page with axe-core. Failures leave a screenshot in test-artifacts/.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test's ORM calls are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_missing_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need the playwright package (pip install -r requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _browser_missing_reason()
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if reason and os.environ.get("CI", "").lower() != "true":
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    reason = _browser_missing_reason()
    if reason:
        pytest.fail(f"CI=true and {reason}")  # only reached under CI: elsewhere items are skipped
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=["phone", "desktop"])
def viewport(request):
    return PHONE if request.param == "phone" else DESKTOP


@pytest.fixture
def page(request, browser, viewport, live_server):
    context = browser.new_context(viewport=viewport, locale="ko-KR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    # A page that breaks the Content-Security-Policy (an inline script, a foreign source) fails
    # its journey: in production the browser would silently refuse that code.
    # (axe-core itself applies inline styles while auditing; templates are checked for style
    # attributes by tests/portal/test_security_headers.py instead.)
    csp_violations = []
    page.on("console", lambda msg: csp_violations.append(msg.text)
            if "Content Security Policy" in msg.text and "inline style" not in msg.text else None)
    yield page
    assert not csp_violations, f"Content-Security-Policy violations: {csp_violations}"
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.nodeid.replace("/", "_").replace(":", "_").replace("[", "_").replace("]", "")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def another_page(browser, viewport, live_server):
    """``another_page()`` opens a second browser (its own cookies) the same size as ``page``, for a
    second person in the journey — a clerk, the other employee. It is held to the same CSP check."""
    contexts, violations = [], []

    def open_page():
        context = browser.new_context(viewport=viewport, locale="ko-KR", base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        new = context.new_page()
        new.on("console", lambda msg: violations.append(msg.text)
               if "Content Security Policy" in msg.text and "inline style" not in msg.text else None)
        return new

    yield open_page
    for context in contexts:
        context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def axe_audit():
    """Call ``axe_audit(page)`` on every page a journey visits: no violation of any impact."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def audit(page):
        results = axe.run(page)
        bad = results.response["violations"]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in bad
        )
        assert not bad, f"axe-core found violations on {page.url}:\n{details}"
        return results

    return audit


@pytest.fixture
def login(page, password):
    """Sign ``user`` in through the real login form."""

    def do_login(user):
        page.goto("/accounts/login/")
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", password)
        page.locator("form[action*='login'] button[type=submit]").first.click()
        page.wait_for_load_state("networkidle")

    return do_login


@pytest.fixture(autouse=True)
def _no_sign_in_rate_limits(settings):
    """Every journey signs in from 127.0.0.1, and the suite holds dozens of them: allauth's per-address
    limits (tested on their own in tests/accounts) would start refusing sign-ins part-way through the
    run, which is not what a journey is about."""
    settings.ACCOUNT_RATE_LIMITS = False
