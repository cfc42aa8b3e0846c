"""The dashboard's tables kept for REPORTS_CACHE_SECONDS: counted once per clerk, filter and
language while fresh, said so on the page, and never shared between a clerk and an agency."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import PERIOD, applications_bulk

URL = "/reports/"


@pytest.fixture
def cached(settings):
    settings.REPORTS_CACHE_SECONDS = 120
    keys = []
    real_set = cache.set

    def remembering_set(key, *args, **kwargs):
        keys.append(key)
        return real_set(key, *args, **kwargs)

    cache.set = remembering_set
    yield
    cache.set = real_set
    cache.delete_many(keys)  # this test's own keys only: the Redis cache is shared


def counting(client, **query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {**PERIOD, **query})
    assert response.status_code == 200
    aggregates = [q for q in queries.captured_queries if "programs_application" in q["sql"] and "COUNT(" in q["sql"]]
    return response, aggregates


@pytest.mark.django_db
def test_a_second_look_within_the_window_counts_nothing_again_and_says_when(client, clerk, data, cached):
    client.force_login(clerk)
    first, counted = counting(client)
    assert counted, "the first look counts the applications"
    second, again = counting(client)
    assert again == []
    assert "기준 집계" in second.content.decode()
    assert [s["table"].rows for s in first.context["sections"]] == [s["table"].rows for s in second.context["sections"]]
    # Another filter is another table.
    _response, other = counting(client, stage="pregnancy_birth")
    assert other


@pytest.mark.django_db
def test_figures_stay_until_the_window_passes_then_show_what_changed(client, clerk, citizen, data, cached, settings):
    client.force_login(clerk)

    def toys_submitted(response):
        table = next(s["table"] for s in response.context["sections"] if s["table"].key == "program_decisions")
        return [row for row in table.rows if row[0] == "장난감 도서관"]

    before, _ = counting(client)
    applications_bulk(data["toys"], citizen, 12)
    kept, _ = counting(client)
    assert toys_submitted(kept) == toys_submitted(before)  # the same counted figures, within the window
    settings.REPORTS_CACHE_SECONDS = 0  # the window has passed
    after, counted = counting(client)
    assert counted and toys_submitted(after) != toys_submitted(before)


@pytest.mark.django_db
def test_an_agency_never_gets_the_citys_cached_tables(client, clerk, staff_a, data, cached):
    client.force_login(clerk)
    counting(client)
    client.force_login(staff_a)
    response, _ = counting(client)
    keys = {s["table"].key for s in response.context["sections"]}
    assert "applications_by_month" not in keys
    assert "나기관" not in response.content.decode()


@pytest.mark.django_db
def test_a_kept_table_is_not_rendered_again_and_a_new_count_is(client, clerk, citizen, data, cached, settings,
                                                                monkeypatch):
    """The tables' HTML is kept with the counted table: a second look renders no table, and a table
    counted again (the window passed) shows its new figures, not the HTML kept for the old ones."""
    import reports.views

    rendered = []
    real = reports.views.render_to_string

    def counting_render(name, *args, **kwargs):
        rendered.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(reports.views, "render_to_string", counting_render)
    client.force_login(clerk)
    first, _ = counting(client)
    tables = len(first.context["sections"])
    assert rendered == ["reports/_table.html"] * tables
    second, _ = counting(client)
    assert len(rendered) == tables, "a kept table's HTML is reused"
    html = next(s["html"] for s in second.context["sections"] if s["table"].key == "program_decisions")
    assert "<table" in html and str(html) in second.content.decode()
    applications_bulk(data["toys"], citizen, 12)
    settings.REPORTS_CACHE_SECONDS = 0  # the window has passed: counted and rendered again
    after, _ = counting(client)
    assert len(rendered) == 2 * tables
    fresh = next(s for s in after.context["sections"] if s["table"].key == "program_decisions")
    toys = next(row for row in fresh["table"].rows if row[0] == "장난감 도서관")
    assert all(str(cell) in fresh["html"] for cell in toys if cell is not None)
