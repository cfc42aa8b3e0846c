"""Cached public pages: a second visit costs no query, and a change shows up on the very next visit."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from partners.models import Agency
from programs.models import Program
from tests.events.factories import EventFactory
from tests.programs.factories import HouseholdTagFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def this_month():
    return timezone.localdate().strftime("%Y-%m")


def test_catalog_is_cached_and_shows_an_edit_at_once(client):
    program = ProgramFactory(title_ko="첫째 아이 출산 축하금")
    first, queries = get(client, "/programs/")
    assert "첫째 아이 출산 축하금" in first and queries > 0
    again, queries = get(client, "/programs/")
    assert queries == 0 and "첫째 아이 출산 축하금" in again

    program.title_ko = "첫째·둘째 아이 출산 축하금"
    program.save()
    assert "첫째·둘째 아이 출산 축하금" in get(client, "/programs/")[0]

    program.household_tags.add(HouseholdTagFactory(code="multi_child", name_ko="다자녀"))
    assert "다자녀" in get(client, "/programs/")[0]

    program.delete()
    assert "출산 축하금" not in get(client, "/programs/")[0]


def test_catalog_filters_pages_and_languages_are_cached_apart(client):
    ProgramFactory(title_ko="청년 월세 지원", title_en="Youth rent support", life_stage="jobs_housing")
    ProgramFactory(title_ko="산후조리 지원", title_en="Postnatal care support", life_stage="pregnancy_birth")
    housing = get(client, "/programs/", stage="jobs_housing")[0]
    assert "청년 월세 지원" in housing and "산후조리 지원" not in housing
    everything = get(client, "/programs/")[0]
    assert "청년 월세 지원" in everything and "산후조리 지원" in everything
    client.cookies["django_language"] = "en"
    english = get(client, "/programs/", stage="jobs_housing")[0]
    assert "Youth rent support" in english and "청년 월세 지원" not in english


def test_each_search_is_cached_under_its_own_words(client):
    ProgramFactory(title_ko="장난감 도서관")
    ProgramFactory(title_ko="출산 장려금")
    get(client, "/programs/", q="장난감")
    page, queries = get(client, "/programs/", q="장난감")
    assert queries == 0 and "장난감 도서관" in page and "출산 장려금" not in page
    page, queries = get(client, "/programs/", q="출산")
    assert queries > 0 and "출산 장려금" in page and "장난감 도서관" not in page


def test_program_page_is_cached_for_visitors_and_personal_for_applicants(client, citizen):
    program = ProgramFactory(summary_ko="출산 가정에 드리는 축하금")
    get(client, program.get_absolute_url())
    page, queries = get(client, program.get_absolute_url())
    assert queries == 0 and "출산 가정에 드리는 축하금" in page

    program.summary_ko = "출산·입양 가정에 드리는 축하금"
    program.save()
    assert "출산·입양 가정에 드리는 축하금" in get(client, program.get_absolute_url())[0]

    program.status = Program.Status.DRAFT
    program.save()
    assert client.get(program.get_absolute_url()).status_code == 404


def test_a_cached_page_never_carries_a_csrf_token(client):
    """Anonymous pages hold no per-visitor token at all (the language switcher needs none), so one
    cached copy can serve every anonymous visitor without leaking anyone's token."""
    ProgramFactory()
    for _ in range(2):
        page = get(client, "/programs/")[0]
        assert "csrfmiddlewaretoken" not in page
    assert "csrftoken" not in client.cookies


def test_month_grid_is_cached_and_shows_a_new_a_renamed_and_a_cancelled_event(client):
    start = timezone.localtime().replace(day=15, hour=10, minute=0, second=0, microsecond=0)
    event = EventFactory(title_ko="부부 출산 교실", starts_at=start, ends_at=start + timedelta(hours=2))
    url = "/events/"
    assert "부부 출산 교실" in get(client, url, month=this_month())[0]
    page, queries = get(client, url, month=this_month())
    assert queries == 0 and "부부 출산 교실" in page

    EventFactory(title_ko="아빠 육아 특강", starts_at=start, ends_at=start + timedelta(hours=1))
    assert "아빠 육아 특강" in get(client, url, month=this_month())[0]

    event.title_ko = "예비 부모 출산 교실"
    event.save()
    assert "예비 부모 출산 교실" in get(client, url, month=this_month())[0]

    event.delete()
    assert "예비 부모 출산 교실" not in get(client, url, month=this_month())[0]


def test_agency_rename_reaches_the_cached_filters(client):
    agency = Agency.objects.create(slug="gm-police", name_ko="광명경찰서", kind=Agency.Kind.POLICE)
    assert "광명경찰서" in get(client, "/events/", month=this_month())[0]
    agency.name_ko = "광명경찰서 여성청소년과"
    agency.save()
    assert "광명경찰서 여성청소년과" in get(client, "/events/", month=this_month())[0]


def test_feed_is_cached_for_calendar_apps_and_shows_a_change_at_once(client):
    event = EventFactory(title_ko="가족 숲 체험")
    assert "가족 숲 체험" in get(client, "/events/feed.ics")[0]
    body, queries = get(client, "/events/feed.ics")
    assert queries == 0 and "가족 숲 체험" in body

    event.status = Event.Status.CANCELLED
    event.save()
    assert "[취소] 가족 숲 체험" in get(client, "/events/feed.ics")[0]


def test_signed_in_managers_are_not_served_the_public_cache(client, clerk):
    EventFactory(title_ko="공개 행사")
    EventFactory(title_ko="내부 준비 회의", is_public=False)
    public = get(client, "/events/feed.ics")[0] + get(client, "/events/", month=this_month())[0]
    assert "내부 준비 회의" not in public
    client.force_login(clerk)
    assert "내부 준비 회의" in get(client, "/events/feed.ics")[0]
    assert "내부 준비 회의" in get(client, "/events/", month=this_month())[0]


def test_home_lists_the_next_public_events_and_a_new_one_at_once(client):
    EventFactory(title_ko="임산부 요가 교실")
    EventFactory(title_ko="지난 행사", starts_at=timezone.now() - timedelta(days=3))
    EventFactory(title_ko="비공개 행사", is_public=False)
    page = get(client, "/")[0]
    assert "임산부 요가 교실" in page and "지난 행사" not in page and "비공개 행사" not in page
    assert get(client, "/")[1] == 0
    EventFactory(title_ko="아기 마사지 교실", starts_at=timezone.now() + timedelta(days=1))
    assert "아기 마사지 교실" in get(client, "/")[0]


def test_a_page_rendered_from_old_rows_before_the_commit_is_not_kept(client, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from gwangmyeong_portal import page_cache
    from programs.selectors import CatalogFilters

    program = ProgramFactory(title_ko="야간 보육 지원")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        program.title_ko = "야간·휴일 보육 지원"
        program.save()
        # Meanwhile another request, still seeing the old row, caches the list under the new version.
        cache.set(page_cache.key("programs", "catalog", CatalogFilters(), "1"), "<p>야간 보육 지원</p>")
    assert "야간·휴일 보육 지원" not in get(client, "/programs/")[0]
    for callback in callbacks:
        callback()  # the commit
    assert "야간·휴일 보육 지원" in get(client, "/programs/")[0]
