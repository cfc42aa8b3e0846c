"""Every journey page in Korean and in English, on a phone and a desktop: no axe-core violation of
any impact, nothing scrolling sideways (issue 17.8); 내 신청 내역 reads as cards on a phone (13.6)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from programs.models import Application
from tests.events.factories import EventFactory
from tests.programs.factories import ApplicationFactory, ProgramFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Controls under WCAG 2.2's 24 px target size (44 px for primary buttons); links inside a sentence are
# exempt, links alone in a list item are not.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    '#krds-header a, #krds-header button, .krds-breadcrumb-wrap a, #krds-footer a, main .krds-btn, ' +
    'main li > a:only-child, main dd > a:only-child, .krds-pagination a')]
  .filter(el => el.offsetParent !== null)
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.height < (el.matches('.krds-btn.primary') ? 44 : 24) - 0.5 || r.width < 23.5)
  .map(([el, r]) => `${el.outerHTML.slice(0, 80)} ${Math.round(r.width)}x${Math.round(r.height)}`)"""


@pytest.fixture
def journey_data(citizen):
    today = timezone.localdate()
    program = ProgramFactory(slug="birth-incentive", title_ko="출산 장려금", opens_on=today - timedelta(days=3),
                             closes_on=today + timedelta(days=9), amount_max=500000)
    RequiredDocumentFactory(program=program)
    ApplicationFactory(program=program, applicant=citizen, status=Application.Status.SUBMITTED,
                       reference="GM-2026-000001", submitted_at=timezone.now())
    event = EventFactory(title_ko="부부 출산교실", title_en="Birth class for couples",
                         starts_at=timezone.now() + timedelta(days=2))
    return {"program": program, "event": event}


@pytest.mark.parametrize("language", ["ko", "en"])
def test_journey_pages_have_no_accessibility_violations(page, login, citizen, axe_audit, viewport, language,
                                                         live_server, journey_data):
    login(citizen)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    program, event = journey_data["program"], journey_data["event"]
    for url in ("/", "/programs/", program.get_absolute_url(), f"/programs/{program.slug}/apply/",
                "/programs/finder/", "/programs/finder/results/?resident=yes&child_ages=1,4", "/events/",
                "/events/list/", event.get_absolute_url(), "/events/my/", "/me/", "/me/applications/",
                "/me/notifications/", "/privacy/"):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, url
        assert page.evaluate(SMALL_TARGETS) == [], url
        axe_audit(page)


def test_my_applications_become_cards_on_a_phone(page, login, citizen, viewport, journey_data):
    login(citizen)
    page.goto("/me/applications/")
    row = page.locator("table.table-cards tbody tr").first
    cells = row.locator("td")
    widths = [cells.nth(i).bounding_box()["width"] for i in range(cells.count())]
    if viewport["width"] < 768:
        # One card per application: every cell takes the card's width and names its column.
        assert min(widths) > 250
        assert page.evaluate(
            "getComputedStyle(document.querySelector('table.table-cards td'), '::before').content") == '"신청 번호"'
    else:
        assert page.locator("table.table-cards thead").is_visible()
