"""Program search: spacing ignored on both sides, near misses found and suggested, ranking, cost."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import Program
from programs.selectors import CatalogFilters, program_catalog, program_search

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db


def titles(response):
    return [p.title_ko for p in response.context["page"].object_list]


def search(client, text):
    return client.get(reverse("programs:catalog"), {"q": text})


@pytest.fixture
def catalog():
    ProgramFactory(title_ko="출산 장려금 (둘째부터)", title_en="Birth incentive",
                   summary_ko="둘째 자녀부터 지급합니다.", summary_en="Paid from the second child")
    ProgramFactory(title_ko="장난감도서관", title_en="Toy library",
                   summary_ko="장난감을 빌리고 놀이 공간을 이용하세요.", summary_en="Borrow toys")
    ProgramFactory(title_ko="부부가 함께하는 임신·출산 교실", title_en="Classes for couples",
                   summary_ko="임신한 분과 배우자가 함께 준비합니다.", summary_en="Prepare together")
    ProgramFactory(title_ko="청년 창업 자금", title_en="Youth startup fund", summary_ko="청년 한 명당 지원합니다.",
                   summary_en="Per young founder")


@pytest.mark.parametrize(("text", "expected"), [
    ("출산장려금", "출산 장려금 (둘째부터)"),  # the home page's own example, written without the space
    ("출산 장려 금", "출산 장려금 (둘째부터)"),
    ("장난감 도서관", "장난감도서관"),  # a space the program does not have
    ("임신출산교실", "부부가 함께하는 임신·출산 교실"),  # neither spaces nor the middle dot
    ("청년창업", "청년 창업 자금"),
])
def test_spacing_is_ignored_on_both_sides(client, catalog, text, expected):
    response = search(client, text)
    assert titles(response) == [expected]
    assert not response.context["search"].approximate
    assert "이것을 찾으셨나요?" not in response.content.decode()


@pytest.mark.parametrize(("typo", "meant"), [("출샨", "출산 장려금 (둘째부터)"), ("장남감", "장난감도서관"),
                                             ("장난감도서곤", "장난감도서관")])
def test_a_typo_finds_the_program_and_offers_did_you_mean(client, catalog, typo, meant):
    response = search(client, typo)
    assert titles(response)[0] == meant
    result = response.context["search"]
    assert result.approximate and result.suggestions[0] == meant
    body = response.content.decode()
    assert "이것을 찾으셨나요?" in body
    link = re.search(r'class="search-suggestion" href="([^"]+)"', body).group(1)
    # The suggestion is a search for the program's own title, which then matches exactly.
    followed = client.get(link.replace("&amp;", "&"))
    assert titles(followed) == [meant] and not followed.context["search"].approximate


def test_an_unrelated_word_finds_nothing_and_suggests_nothing(client, catalog):
    response = search(client, "주차장")
    assert titles(response) == []
    assert response.context["search"].suggestions == ()
    assert "이것을 찾으셨나요?" not in response.content.decode()


def test_title_matches_rank_before_summary_matches_and_closer_titles_first(client):
    ProgramFactory(title_ko="아이 돌봄 나눔터", summary_ko="장난감 나눔도 합니다.", life_stage="childcare_education")
    ProgramFactory(title_ko="장난감 수리 교실과 부모 놀이 강좌", summary_ko="고쳐 드립니다.", life_stage="jobs_housing")
    ProgramFactory(title_ko="장난감도서관", summary_ko="빌려 드립니다.", life_stage="pregnancy_birth")
    assert titles(search(client, "장난감")) == ["장난감도서관", "장난감 수리 교실과 부모 놀이 강좌", "아이 돌봄 나눔터"]


def test_filters_still_apply_to_near_misses(client, catalog):
    response = client.get(reverse("programs:catalog"), {"q": "장남감", "stage": "jobs_housing"})
    assert titles(response) == []


def test_search_sees_only_published_programs(client, catalog):
    ProgramFactory(title_ko="장난감 수리 작성 중", status=Program.Status.DRAFT)
    assert "장난감 수리 작성 중" not in titles(search(client, "장난감수리"))
    assert "장난감 수리 작성 중" not in titles(search(client, "장남감수리"))


def test_program_search_is_one_reusable_selector(catalog):
    found = program_search(Program.objects.published(), text="출샨")
    assert found.approximate and [p.title_ko for p in found.programs][0] == "출산 장려금 (둘째부터)"
    assert program_search(Program.objects.published(), text="   ").programs.count() == 4


def test_the_near_miss_threshold_is_put_back_after_the_search(catalog):
    program_catalog(AnonymousUser(), filters=CatalogFilters(q="출샨"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pg_trgm.word_similarity_threshold')")
        assert float(cursor.fetchone()[0]) == pytest.approx(0.6)


def test_the_home_page_search_goes_to_the_catalog_and_its_example_works(client, catalog):
    home = client.get("/").content.decode()
    form = re.search(r'<form[^>]*role="search"[^>]*action="([^"]+)"', home) or re.search(
        r'<form[^>]*action="([^"]+)"[^>]*role="search"', home)
    assert form.group(1) == reverse("programs:catalog")
    assert titles(client.get(form.group(1), {"q": "출산장려금"})) == ["출산 장려금 (둘째부터)"]


def _search_queries(client, count, text):
    Program.objects.all().delete()
    for n in range(count):
        ProgramFactory(title_ko=f"장난감 대여 {n}", summary_ko="빌려 드립니다.")
    with CaptureQueriesContext(connection) as ctx:
        assert search(client, text).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("text", ["장난감", "장남감"])
def test_search_query_count_does_not_grow_with_programs(client, text):
    assert _search_queries(client, 5, text) == _search_queries(client, 40, text)
