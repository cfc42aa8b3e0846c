import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_is_accessible_on_a_phone_and_a_desktop(page, axe_audit, viewport):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.title()
    assert page.locator("main#main-content").count() == 1
    # The three life stages are the entry points.
    assert page.locator("a[href='/programs/?stage=pregnancy_birth']").count() == 1
    # Nothing overflows a 360 px phone sideways.
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"] + 1
    axe_audit(page)
