"""EXPLAIN at scale: the catalog search, the calendar and the feed use indexes; the finder stays cheap.

Rows are inserted in bulk and then ANALYZEd, so PostgreSQL plans with real statistics (no
``enable_seqscan=off``). The city has about 50 programs: PostgreSQL rightly reads such a table
whole, and keeps doing so up to several thousand rows (measured: a sequential scan still at
5,000). The trigram indexes take over in the tens of thousands, so the search test uses 40,000.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from events.models import Event
from events.selectors import Filters, event_list_visible_to, local_midnight, month_weeks, today
from programs.models import Program
from programs.selectors import CatalogFilters, program_list_visible_to

pytestmark = pytest.mark.django_db

CATALOG_ROWS = 40_000

def hangul(n: int, length: int) -> str:
    """A made-up Korean word, different for each n (titles as varied as a real catalog's)."""
    return "".join(chr(0xAC00 + (n * 7919 + i * 104729) % 11172) for i in range(length))


def analyze(*tables):
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def plan(queryset) -> str:
    return queryset.explain()


@pytest.fixture(scope="module")
def catalog_at_scale(django_db_setup, django_db_blocker):
    """Made once for the module's four catalog tests: 40,000 rows under four trigram indexes take
    about 14 s to write. Committed, so each test reads them inside its own rolled-back transaction,
    and deleted after the last (plain SQL: no page-cache signal per row)."""
    with django_db_blocker.unblock():
        _catalog_rows()
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM programs_program WHERE slug LIKE %s OR slug = %s", ["p-%", "toy-library"])
        analyze("programs_program")


def _catalog_rows():
    Program.objects.bulk_create([
        Program(slug=f"p-{n}", title_ko=f"{hangul(n, 4)} 지원 사업", summary_ko=f"{hangul(n + 1, 6)} 가정을 돕습니다",
                title_en=f"Programme {hangul(n, 2)}", summary_en=f"Support number {n}",
                life_stage="childcare_education",
                topic="classes", support_kind="service", apply_method="online", office_ko="여성가족과",
                office_phone="02-2680-6716", status="published")
        for n in range(CATALOG_ROWS)
    ], batch_size=5000)
    Program.objects.create(slug="toy-library", title_ko="꿈꾸는 장난감 나라", summary_ko="장난감을 빌려 드립니다",
                           life_stage="childcare_education", topic="childcare", support_kind="facility",
                           apply_method="none", office_ko="여성가족과", office_phone="02-2680-6716", status="published")
    analyze("programs_program")


def test_catalog_search_uses_the_trigram_indexes(catalog_at_scale):
    found = plan(program_list_visible_to(AnonymousUser(), filters=CatalogFilters(q="장난감 나라")))
    assert "programs_program_trgm_" in found, found
    assert "Seq Scan on programs_program" not in found, found


def test_catalog_search_ignoring_spaces_uses_its_expression_index(catalog_at_scale):
    # "장난감나라" is written "장난감 나라": only the space-stripped expression index can serve it.
    found = plan(program_list_visible_to(AnonymousUser(), filters=CatalogFilters(q="장난감나라")))
    assert "programs_program_trgm_search_key" in found, found
    assert "Seq Scan on programs_program" not in found, found


def test_near_miss_search_uses_the_jamo_trigram_index(catalog_at_scale):
    from django.db import transaction

    from programs.selectors import NEAR_MISS_THRESHOLD, _jamo, near_miss_queryset

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(NEAR_MISS_THRESHOLD)])
        queryset = near_miss_queryset(Program.objects.published(), _jamo("장남감"))
        found = plan(queryset)
        assert [p.slug for p in queryset[:1]] == ["toy-library"]
    assert "programs_program_trgm_search_jamo" in found, found
    assert "Seq Scan on programs_program" not in found, found


def test_finder_reads_only_the_programs_table_once(catalog_at_scale):
    from programs.selectors import finder_results  # noqa: F401 - the query below is the one it runs

    found = plan(Program.objects.published().order_by("life_stage", "title_ko"))
    # One pass over the published programs (a few dozen in the city): no join, no per-program query.
    assert found.count("Scan") == 1 and "programs_program" in found and "Join" not in found, found


@pytest.fixture
def calendar_at_scale():
    # Years of history and a few months ahead, as the city's calendar will look: eight events a day.
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    Event.objects.bulk_create([
        Event(title_ko=f"행사 {n}", starts_at=now - timedelta(hours=3 * n) + timedelta(days=90),
              ends_at=now - timedelta(hours=3 * n) + timedelta(days=90, hours=2), type="class")
        for n in range(8000)
    ])
    analyze("events_event")


def _month_query():
    first = today().replace(day=1)
    start = local_midnight(first - timedelta(days=7))
    end = local_midnight(first + timedelta(days=42))
    return event_list_visible_to(AnonymousUser(), filters=Filters()).filter(starts_at__lt=end, ends_at__gte=start)


def test_month_grid_query_uses_the_event_span_index(calendar_at_scale):
    found = plan(_month_query())
    assert "events_event_span_idx" in found, found
    assert "Seq Scan on events_event" not in found, found
    # and it is the query the month view runs
    weeks = month_weeks(AnonymousUser(), month=today().replace(day=1), filters=Filters())
    assert any(day.events for week in weeks for day in week)


def test_feed_query_uses_the_starts_at_index(calendar_at_scale):
    now = timezone.now()
    found = plan(event_list_visible_to(AnonymousUser(), filters=Filters(), top_level=False)
                 .filter(starts_at__gte=now - timedelta(days=90), starts_at__lte=now + timedelta(days=400))[:1000])
    assert "Seq Scan on events_event" not in found, found
    assert "starts_at" in found and "Index" in found, found
