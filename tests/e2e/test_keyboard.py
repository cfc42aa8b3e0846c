"""Keyboard only (issue 17.8): the finder, an application with an upload through KRDS's file-upload
component, and registering for and cancelling an event — Tab, Shift+Tab, Space and Enter only,
with a visible focus indicator on every control reached. On a phone and a desktop."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Registration
from programs.models import Application
from tests.events.factories import EventFactory
from tests.files import PDF  # a real PDF: uploads are parsed by pypdf
from tests.programs.factories import ProgramFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db(transaction=True)


# The focused element (or, for KRDS's drawn radios and checkboxes, its label) shows an outline or a
# focus shadow.
FOCUS_VISIBLE = """() => {
  let el = document.activeElement;
  if (!el || el === document.body) return false;
  const style = getComputedStyle(el);
  if (el.matches('.krds-form-check input')) {
    const label = document.querySelector(`label[for="${el.id}"]`);
    const ls = getComputedStyle(label);
    return ls.boxShadow !== 'none' || (ls.outlineStyle !== 'none' && parseFloat(ls.outlineWidth) > 0);
  }
  return style.boxShadow !== 'none' || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0);
}"""


def tab_to(page, selector: str, *, limit: int = 120, backwards: bool = False):
    """Press Tab until the focused element matches ``selector``; every stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate("document.activeElement.outerHTML")[:120]
        assert page.evaluate(FOCUS_VISIBLE), f"no visible focus on {focused}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the keyboard on {page.url}")


def test_the_finder_by_keyboard(page, axe_audit):
    ProgramFactory(slug="birth-incentive", title_ko="출산 장려금",
                   eligibility_rules=[{"field": "children", "op": "gte", "value": 2, "label_ko": "둘째 자녀부터 지급"}])
    page.goto("/programs/finder/")
    for _ in range(15):
        if "/finder/results/" in page.url:
            break
        if page.locator("#q-input[type=number]").count():
            tab_to(page, "#q-input")
            page.keyboard.type("34")
        elif page.locator("#q-yes").count():
            tab_to(page, "input[type=radio]")
            page.keyboard.press("Space")  # the first choice: 예
        tab_to(page, "button[type=submit].krds-btn.primary")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert "/finder/results/" in page.url
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_audit(page)


def test_an_application_with_an_upload_by_keyboard(page, login, citizen, tmp_path, axe_audit, viewport):
    program = ProgramFactory(slug="birth-incentive", title_ko="출산 장려금")
    RequiredDocumentFactory(program=program, name_ko="가족관계증명서")
    document = tmp_path / "certificate.pdf"
    document.write_bytes(PDF)
    login(citizen)
    # Keep Playwright's file-chooser interception on for the whole page, so a chooser opened by a key
    # press is never missed while a listener is being set up.
    page.on("filechooser", lambda chooser: None)
    page.goto(f"/programs/{program.slug}/apply/")
    upload = page.locator("[data-file-upload]")
    # KRDS's file-upload component: a Korean button, not the browser's "Choose File".
    expect(upload.locator("[data-file-pick]")).to_have_text(re.compile("파일 선택"))
    # The browser's own control is kept (for the form) but out of sight and out of the tab order.
    assert page.evaluate("document.querySelector('[data-file-upload] input[type=file]').tabIndex") == -1
    tab_to(page, "[data-file-pick]")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(document))
    expect(upload.locator(".file-name")).to_have_text(re.compile(r"certificate\.pdf \[pdf, 1KB\]"))
    # Remove it before sending, then choose it again.
    tab_to(page, "[data-file-items] button")
    page.keyboard.press("Enter")
    expect(upload.locator("[data-file-list]")).to_be_hidden()
    assert page.evaluate("document.activeElement.hasAttribute('data-file-pick')")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(document))
    expect(upload.locator(".file-name")).to_contain_text("certificate.pdf")
    axe_audit(page)
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    expect(page.locator("#id_consent")).to_be_checked()
    tab_to(page, "button[name=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/applications/GM-*/")
    application = Application.objects.get()
    assert application.documents.count() == 1
    # The confirmation is in view, below the header, not under it.
    message = page.locator("#portal-messages")
    expect(message).to_be_visible()
    box = message.bounding_box()
    header = page.locator("#krds-header").bounding_box()
    sticky = page.evaluate("getComputedStyle(document.getElementById('krds-header')).position") == "sticky"
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    if sticky:
        assert box["y"] >= header["y"] + header["height"] - 1
    axe_audit(page)


def test_registering_for_and_cancelling_an_event_by_keyboard(page, login, citizen, axe_audit):
    event = EventFactory(title_ko="부부 출산교실", starts_at=timezone.now() + timedelta(days=5), capacity=10)
    login(citizen)
    page.goto(event.get_absolute_url())
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit].krds-btn.primary")
    page.keyboard.press("Enter")
    expect(page.locator(".registration-status")).to_have_text("확정")
    axe_audit(page)
    page.goto("/events/my/")
    tab_to(page, ".my-registrations button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/my/")
    expect(page.locator(".portal-message")).to_contain_text("신청을 취소했습니다")
    assert Registration.objects.get().status == Registration.Status.CANCELLED
    axe_audit(page)
