import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

# Every control in the header, menus, breadcrumb and footer is at least 24 px tall and wide
# (WCAG 2.2 2.5.8); primary buttons 44 px.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    '#krds-header a, #krds-header button, .krds-breadcrumb-wrap a, #krds-footer a, main .krds-btn')]
  .filter(el => el.offsetParent !== null)
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.height < (el.matches('.krds-btn.primary') ? 44 : 24) - 0.5 || r.width < 23.5)
  .map(([el, r]) => `${el.outerHTML.slice(0, 80)} ${Math.round(r.width)}x${Math.round(r.height)}`)"""


@pytest.mark.parametrize("language", ["ko", "en"])
def test_home_page_is_accessible_on_a_phone_and_a_desktop(page, axe_audit, viewport, language, live_server):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.title()
    assert page.locator("main#main-content").count() == 1
    # The masthead is inside the banner landmark (axe's `region` rule), the policies in the footer.
    assert page.locator("header#krds-header #krds-masthead").count() == 1
    assert page.locator("#krds-footer a.point[href='/privacy/']").count() == 1
    # The three life stages are the entry points.
    assert page.locator("main a[href='/programs/?stage=pregnancy_birth']").count() == 1
    # Nothing overflows a 360 px phone sideways.
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"] + 1
    assert page.evaluate(SMALL_TARGETS) == []
    axe_audit(page)
    for path in ("/privacy/", "/accessibility/", "/terms/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
        axe_audit(page)


def test_phone_header_is_short_and_not_sticky_and_the_mobile_menu_works_by_keyboard(page, axe_audit, viewport):
    if viewport["width"] > 400:
        pytest.skip("the mobile menu is for phones")
    page.goto("/programs/")
    header = page.locator("#krds-header")
    assert header.bounding_box()["height"] <= 140
    assert page.evaluate("getComputedStyle(document.getElementById('krds-header')).position") != "sticky"
    opener = page.locator("[data-mobile-nav-open]")
    opener.focus()
    page.keyboard.press("Enter")
    nav = page.locator("#mobile-nav")
    expect(nav).to_be_visible()
    assert opener.get_attribute("aria-expanded") == "true"
    # Focus moved into the menu and stays there.
    assert page.evaluate("document.getElementById('mobile-nav').contains(document.activeElement)")
    for _ in range(40):
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('mobile-nav').contains(document.activeElement)")
    axe_audit(page)
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    assert page.evaluate("document.activeElement.hasAttribute('data-mobile-nav-open')")


def test_language_switch_by_keyboard_needs_no_extra_button(page, viewport):
    page.goto("/programs/")
    if viewport["width"] < 1024:
        page.locator("[data-mobile-nav-open]").click()
        wrap = page.locator("#mobile-nav .krds-language")
    else:
        wrap = page.locator(".header-utility .krds-language")
    wrap.locator(".drop-btn").focus()
    page.keyboard.press("Enter")
    assert wrap.locator(".drop-btn").get_attribute("aria-expanded") == "true"
    # The list opened with focus on its first language; the next one is English.
    expect(wrap.locator("button[value=ko]")).to_be_focused()
    page.keyboard.press("Tab")
    expect(wrap.locator("button[value=en]")).to_be_focused()
    page.keyboard.press("Enter")
    # Waits for the English page (on a busy machine "networkidle" came before the form's navigation).
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/programs/")


def test_without_javascript_the_language_list_and_the_menu_still_work(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, java_script_enabled=False, base_url=live_server.url,
                                  locale="ko-KR")
    page = context.new_page()
    try:
        page.goto("/")
        if viewport["width"] < 1024:
            page.locator("a[href='#mobile-nav']").click()
            expect(page.locator("#mobile-nav")).to_be_visible()
            page.locator("#mobile-nav button[value=en]").click()
        else:
            page.locator(".header-utility button[value=en]").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        context.close()


def test_reduced_motion_turns_transitions_off(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, reduced_motion="reduce", base_url=live_server.url, locale="ko-KR")
    page = context.new_page()
    try:
        page.goto("/")
        durations = page.evaluate("""() => [...document.querySelectorAll('#krds-header *, #mobile-nav, .krds-btn')]
          .map(el => parseFloat(getComputedStyle(el).transitionDuration) || 0)""")
        assert max(durations) <= 0.001
    finally:
        context.close()
