"""The catalog: filters, Korean partial-word search, pagination, query counts, bad parameters."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import LifeStage, Program
from programs.selectors import trigram_indexes_present

from .factories import HouseholdTagFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def titles(response):
    return [p.title_ko for p in response.context["page"].object_list]


def test_only_published_programs_are_listed(client):
    ProgramFactory(title_ko="게시된 사업")
    ProgramFactory(title_ko="작성 중 사업", status=Program.Status.DRAFT)
    ProgramFactory(title_ko="끝난 사업", status=Program.Status.CLOSED)
    assert titles(client.get(reverse("programs:catalog"))) == ["게시된 사업"]


def test_draft_detail_is_404_for_citizens_but_visible_to_clerks(client, citizen, clerk):
    draft = ProgramFactory(status=Program.Status.DRAFT)
    client.force_login(citizen)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(clerk)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_filters_by_stage_tag_topic_and_open_now(client):
    newlyweds = HouseholdTagFactory(code="newlyweds")
    today = timezone.localdate()
    ProgramFactory(title_ko="신혼 검진", household_tags=[newlyweds], topic=Program.Topic.HEALTH)
    ProgramFactory(title_ko="청년 창업", life_stage=LifeStage.JOBS_HOUSING, topic=Program.Topic.STARTUP)
    ProgramFactory(title_ko="마감된 신청", closes_on=today - timedelta(days=1), opens_on=today - timedelta(days=30))
    ProgramFactory(title_ko="방문 신청", apply_method=Program.ApplyMethod.VISIT)
    url = reverse("programs:catalog")

    assert titles(client.get(url, {"stage": "jobs_housing"})) == ["청년 창업"]
    assert titles(client.get(url, {"tag": "newlyweds"})) == ["신혼 검진"]
    assert titles(client.get(url, {"topic": "startup"})) == ["청년 창업"]
    assert set(titles(client.get(url, {"open": "1"}))) == {"신혼 검진", "청년 창업"}


@pytest.mark.parametrize("word", ["출산", "장려", "산장려금", "BIRTH", "incent"])
def test_search_finds_partial_korean_and_english_words(client, word):
    ProgramFactory(title_ko="둘째 출산장려금", title_en="Birth incentive", summary_ko="둘째부터 지급")
    ProgramFactory(title_ko="장난감도서관", title_en="Toy library", summary_ko="장난감 대여")
    found = titles(client.get(reverse("programs:catalog"), {"q": word}))
    assert found == ["둘째 출산장려금"]


def test_search_words_narrow_each_other(client):
    ProgramFactory(title_ko="청년 창업 자금", summary_ko="창업 지원")
    ProgramFactory(title_ko="청년 일자리", summary_ko="정규직")
    assert titles(client.get(reverse("programs:catalog"), {"q": "청년 창업"})) == ["청년 창업 자금"]


def test_search_is_served_by_trigram_indexes_on_postgresql():
    assert connection.vendor == "postgresql"
    assert trigram_indexes_present()


@pytest.mark.parametrize(
    "params",
    [{"stage": "nonsense"}, {"topic": "'; drop table"}, {"page": "999"}, {"page": "abc"}, {"q": "x" * 5000},
     {"open": "maybe"}, {"tag": "없는태그"}],
)
def test_bad_parameters_never_break_the_page(client, params):
    ProgramFactory()
    assert client.get(reverse("programs:catalog"), params).status_code == 200


def test_pagination_keeps_filters(client):
    for n in range(15):
        ProgramFactory(title_ko=f"보육 지원 {n:02d}", life_stage=LifeStage.CHILDCARE_EDUCATION)
    response = client.get(reverse("programs:catalog"), {"stage": "childcare_education", "page": "2"})
    assert len(response.context["page"].object_list) == 3
    assert "stage=childcare_education" in response.content.decode()


def _catalog_queries(client, count):
    tag = HouseholdTagFactory(code="pregnant")
    for _ in range(count):
        ProgramFactory(household_tags=[tag])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("programs:catalog"), {"tag": "pregnant"}).status_code == 200
    return len(ctx.captured_queries)


def test_catalog_query_count_does_not_grow_with_programs(client):
    small = _catalog_queries(client, 10)
    Program.objects.all().delete()
    large = _catalog_queries(client, 500)
    assert small == large


def test_detail_shows_apply_block_or_how_to_get_it(client):
    online = ProgramFactory()
    facility = ProgramFactory(apply_method=Program.ApplyMethod.NONE, is_facility=True, address="광명시 시청로 20",
                              opening_hours_ko="평일 09:00~18:00")
    page = client.get(online.get_absolute_url()).content.decode()
    assert reverse("programs:apply", args=[online.slug]) in page
    page = client.get(facility.get_absolute_url()).content.decode()
    assert "이용 방법" in page and "평일 09:00~18:00" in page and "map.kakao.com" in page


def test_user_written_text_is_escaped(client):
    program = ProgramFactory(title_ko="<script>alert(1)</script>", summary_ko="<img src=x onerror=alert(1)>")
    body = client.get(program.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<img src=x" not in body


def test_english_readers_get_english_titles_with_korean_fallback(client):
    ProgramFactory(title_ko="장난감도서관", title_en="Toy library")
    ProgramFactory(title_ko="번역 없는 사업", title_en="")
    client.cookies["django_language"] = "en"
    body = client.get(reverse("programs:catalog")).content.decode()
    assert "Toy library" in body and "번역 없는 사업" in body
