"""The KRDS shell (issue 17.1, 17.5, 13.6): header landmark, language switch without a button,
menus, footer links, the policy pages read from settings; the home page and the cards (17.2, 17.3)."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import make_user
from tests.events.factories import EventFactory, RegistrationFactory
from tests.programs.factories import ProgramFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/programs/", "/events/list/", "/privacy/", "/accessibility/", "/terms/", "/accounts/login/"]


@pytest.mark.parametrize("url", PAGES)
def test_masthead_sits_inside_the_header_and_the_footer_links_the_policies(client, url):
    html = client.get(url).content.decode()
    header = html[html.index("<header"):html.index("</header>")]
    assert 'id="krds-masthead"' in header
    footer = html[html.index("<footer"):html.index("</footer>")]
    assert re.search(r'<a href="/privacy/" class="point">개인정보 처리방침</a>', footer)
    assert 'href="/accessibility/"' in footer and 'href="/terms/"' in footer
    assert "02-2680-6716" in footer and "09시~18시" in footer


def test_language_switch_is_one_form_per_language_with_no_extra_button(client):
    html = client.get("/programs/").content.decode()
    assert "<select" not in html[:html.index("<main")]
    assert '>변경</button>' not in html
    forms = re.findall(r'<form action="/i18n/setlang/" method="post" class="lang-form">(.*?)</form>', html, re.S)
    assert forms, "the language list must be forms posting to set_language"
    assert any('name="language" value="en"' in f and 'name="next" value="/programs/"' in f for f in forms)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/programs/"})
    assert response.status_code == 302 and response["Location"] == "/programs/"
    assert '<html lang="en"' in client.get("/programs/").content.decode()


def test_header_shows_sign_in_for_visitors_and_my_page_with_the_unread_count_for_citizens(client, citizen):
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/" class="btn-navi login"' in html
    assert 'href="/accounts/signup/" class="btn-navi join"' in html
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert 'class="btn-navi my"' in html and "btn-navi notice" in html


def test_main_menu_is_rendered_for_desktop_and_the_mobile_menu_with_the_same_sections(client):
    html = client.get("/events/").content.decode()
    desktop = html[html.index('class="krds-main-menu"'):html.index('id="mobile-nav"')]
    mobile = html[html.index('id="mobile-nav"'):html.index("</header>")]
    for href in ("/programs/", "/programs/finder/", "/events/", "/partners/"):
        assert f'href="{href}"' in desktop and f'href="{href}"' in mobile
    assert "/matchmaking/" not in desktop + mobile  # the meetup registry is not on the public menu
    # The section of the current page is marked.
    assert re.search(r'href="/events/" class="gnb-main-trigger is-link selected" aria-current="true"', desktop)
    # "전체메뉴" works without JavaScript: a link to the menu, which has a close link.
    assert 'href="#mobile-nav" class="btn-navi all"' in html and 'id="close-nav"' in mobile


def test_the_kept_menus_and_footer_follow_the_language_the_section_and_who_is_signed_in(client, citizen, clerk):
    """The shell's menus and footer are kept per process ("fragments" cache): each page still gets
    the ones for its language, its section, and a citizen's or a staff member's menu."""

    def menus(path, **headers):
        html = client.get(path, **headers).content.decode()
        return (html[html.index('class="krds-main-menu"'):html.index("</header>")],
                html[html.index('id="krds-footer"'):])

    anonymous_events, footer_ko = menus("/events/")
    anonymous_programs, _ = menus("/programs/")
    assert 'href="/events/" class="gnb-main-trigger is-link selected"' in anonymous_events
    assert 'href="/programs/" class="gnb-main-trigger is-link selected"' in anonymous_programs
    assert 'href="/events/" class="gnb-main-trigger is-link selected"' not in anonymous_programs
    assert "/events/my/" not in anonymous_events
    _, footer_en = menus("/events/", HTTP_ACCEPT_LANGUAGE="en")
    assert "개인정보 처리방침" in footer_ko and "개인정보 처리방침" not in footer_en
    client.force_login(citizen)  # signed in: the page itself is not cached whole, only its shell's parts
    citizen_menu, citizen_footer_ko = menus("/events/")
    citizen_menu_en, citizen_footer_en = menus("/events/", HTTP_ACCEPT_LANGUAGE="en")
    assert "개인정보 처리방침" in citizen_footer_ko and "개인정보 처리방침" not in citizen_footer_en
    assert "행사·박람회" in citizen_menu and "행사·박람회" not in citizen_menu_en
    assert "/events/my/" in citizen_menu and "/reports/" not in citizen_menu
    client.force_login(clerk)
    clerk_menu, _ = menus("/events/")
    assert "/reports/" in clerk_menu
    client.force_login(citizen)
    assert "/reports/" not in menus("/events/")[0]


def test_privacy_policy_reads_retention_and_the_privacy_officer_from_settings(client, settings):
    from tests.events.factories import AgencyFactory

    settings.APPLICATION_RETENTION_DAYS = 1500
    settings.REGISTRATION_RETENTION_DAYS = 1200
    settings.PRIVACY_OFFICER_NAME = "홍길동"
    settings.PRIVACY_OFFICER_EMAIL = "officer@gm.go.kr"
    settings.PRIVACY_OFFICER_PHONE = "02-0000-1111"
    AgencyFactory(name_ko="광명경찰서")
    html = client.get("/privacy/").content.decode()
    assert "결정·취하 후 1500일" in html
    assert "행사가 끝난 뒤 1200일 동안 보관하고 삭제합니다." in html
    assert "홍길동" in html and "mailto:officer@gm.go.kr" in html and "02-0000-1111" in html
    assert "광명경찰서" in html  # third-party provision: the partner agencies
    assert "정보주체의 권리" in html and 'href="/me/data.json"' in html
    assert "개정 이력" in html and "2026-12-02" in html


def test_policy_pages_render_in_english(client):
    client.cookies["django_language"] = "en"
    assert "Privacy policy" in client.get("/privacy/").content.decode()
    assert "Accessibility statement" in client.get("/accessibility/").content.decode()
    assert "Terms of use" in client.get("/terms/").content.decode()


def test_accessibility_statement_names_the_standard_exceptions_and_a_contact(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@gm.go.kr"
    html = client.get("/accessibility/").content.decode()
    assert "KWCAG" in html and "WCAG" in html and "알려진 예외" in html and "mailto:a11y@gm.go.kr" in html


@time_machine.travel("2026-12-10 10:00 +0900", tick=False)
def test_home_lists_programs_open_now_with_d_n_and_this_months_events_as_cards(client):
    today = date(2026, 12, 10)
    soon = ProgramFactory(title_ko="출산장려금", opens_on=today - timedelta(days=10),
                          closes_on=today + timedelta(days=5), amount_max=1000000)
    RequiredDocumentFactory(program=soon)
    RequiredDocumentFactory(program=soon, name_ko="출생증명서")
    ProgramFactory(title_ko="끝난 사업", closes_on=today - timedelta(days=1))
    full = EventFactory(title_ko="부부 출산교실", starts_at=timezone.now() + timedelta(days=3), capacity=1)
    RegistrationFactory(event=full, party_size=1, user=make_user("full@example.com"))
    EventFactory(title_ko="다음 달 행사", starts_at=timezone.now() + timedelta(days=40))
    EventFactory(title_ko="직원 만남 행사", type="meetup", starts_at=timezone.now() + timedelta(days=4))
    html = client.get("/").content.decode()
    open_part = html[html.index('id="open-title"'):html.index('id="finder-title"')]
    assert "출산장려금" in open_part and "D-5" in open_part and "끝난 사업" not in open_part
    assert "최대 1,000,000원" in open_part and "2개" in open_part  # amount, documents to prepare
    events_part = html[html.index('id="events-title"'):html.index('id="news-title"')]
    assert "부부 출산교실" in events_part and "다음 달 행사" not in events_part and "직원 만남 행사" not in html
    assert 'class="event-date-badge"' in events_part and "마감 · 대기 0명" in events_part
    assert "대기 신청 가능" in events_part
    assert 'href="/programs/finder/"' in html and 'role="search"' in html


@time_machine.travel("2026-12-10 10:00 +0900", tick=False)
def test_event_cards_show_places_left_and_the_list_costs_no_query_per_card(client, django_assert_max_num_queries):
    for n in range(3):
        event = EventFactory(title_ko=f"목록 행사 {n}", capacity=10)
        RegistrationFactory(event=event, party_size=3, user=make_user(f"r{n}@example.com"))
    client.get("/events/list/")
    with django_assert_max_num_queries(12) as captured:
        html = client.get("/events/list/").content.decode()
    assert html.count('class="structured-item event-card') == 3
    assert "7명" in html and "신청 중" in html
    few = len(captured)
    for n in range(5):
        EventFactory(title_ko=f"더 많은 행사 {n}")
    with django_assert_max_num_queries(few):
        client.get("/events/list/")


def test_file_fields_render_krds_file_upload_that_works_without_javascript(client, citizen):
    program = ProgramFactory(slug="upload-form")
    RequiredDocumentFactory(program=program, name_ko="가족관계증명서", is_required=True)
    client.force_login(citizen)
    html = client.get("/programs/upload-form/apply/").content.decode()
    box = html[html.index('class="krds-file-upload portal-file-upload"'):]
    box = box[:box.index("data-file-items")]
    # The browser's own input is in the form (it is what works without JavaScript) ...
    assert re.search(r'<input type="file" name="doc_\d+"', box)
    # ... and KRDS's Korean button, hidden until static/js/portal.js takes over, plus the file list.
    assert "파일 선택</button>" in box and "data-file-pick" in box and " hidden>" in box
    assert "가족관계증명서" in box and "필수" in box
    assert "<script" not in html[html.index("<body"):]  # the CSP forbids inline scripts


def test_catalog_pages_through_krds_pagination(client):
    from programs.views import PAGE_SIZE

    for n in range(PAGE_SIZE + 1):
        ProgramFactory(title_ko=f"사업 {n:02d}")
    html = client.get("/programs/?stage=pregnancy_birth").content.decode()
    nav = html[html.index('<nav class="krds-pagination"'):]
    nav = nav[:nav.index("</nav>")]
    assert 'aria-current="page"' in nav and 'class="page-navi prev disabled"' in nav
    assert 'href="?stage=pregnancy_birth&amp;page=2"' in nav or 'href="?stage=pregnancy_birth&page=2"' in nav
