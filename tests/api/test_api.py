"""The open data API as a neighbourhood app or the public data portal would use it."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def get(client, path, **headers):
    response = client.get(path, **headers)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response


def test_programs_list_filters_search_and_pages(client, city):
    body = get(client, "/api/v1/programs?stage=pregnancy_birth").json()
    assert [p["slug"] for p in body["results"]] == ["birth-incentive"]  # no draft, no facility
    program = body["results"][0]
    assert program["amount_max"] == 2_000_000 and program["window"]["open_now"] is True
    assert program["households"] == [{"code": "multi_child", "name": "다자녀"}]
    assert get(client, "/api/v1/programs?household=multi_child").json()["count"] == 1
    assert get(client, "/api/v1/programs?household=nobody").json()["count"] == 0
    assert get(client, "/api/v1/programs?q=장려").json()["count"] == 1  # a partial Korean word
    assert get(client, "/api/v1/programs?open_now=true").json()["count"] == 1
    paged = get(client, "/api/v1/programs?page_size=1&page=1").json()
    assert paged["page_size"] == 1 and paged["previous"] is None


def test_program_detail_has_criteria_documents_and_legal_basis(client, city):
    body = get(client, "/api/v1/programs/birth-incentive").json()
    assert body["criteria"] == ["광명시 거주"]
    assert body["documents"] == [{"name": "가족관계증명서", "required": True}]
    assert body["legal_basis"] == "광명시 출산장려 조례" and body["office_phone"] == "02-2680-6716"
    assert get(client, "/api/v1/programs/draft-program").status_code == 404
    assert get(client, "/api/v1/programs/toy-library").status_code == 404  # a facility, under /facilities


def test_english_by_parameter_and_by_accept_language(client, city):
    assert get(client, "/api/v1/programs/birth-incentive?lang=en").json()["title"] == "Birth incentive"
    response = get(client, "/api/v1/programs/birth-incentive", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["title"] == "Birth incentive" and response["Content-Language"] == "en"
    assert get(client, "/api/v1/programs/birth-incentive").json()["title"] == "출산 장려금"
    assert get(client, "/api/v1/programs?lang=fr").status_code == 422


def test_facilities_with_opening_hours(client, city):
    body = get(client, "/api/v1/facilities?lang=en").json()
    assert [(f["slug"], f["opening_hours"]) for f in body["results"]] == [("toy-library", "Tue–Sat 10:00–18:00")]
    assert get(client, "/api/v1/facilities/toy-library").json()["address"] == "경기도 광명시 오리로 613"


def test_events_list_by_range_and_places(client, city):
    body = get(client, "/api/v1/events").json()
    titles = [e["title"] for e in body["results"]]
    assert "광명 육아 박람회" in titles and "마감된 교실" in titles
    assert "직원 전용 강의" not in titles and "미혼 직원 만남의 날" not in titles  # private, meetup
    assert "박람회 강연" not in titles  # a sub-event, shown on the fair
    starts = [e["starts_at"] for e in body["results"]]
    assert starts == sorted(starts)
    full = next(e for e in body["results"] if e["title"] == "마감된 교실")
    assert full["places"] == {"capacity": 1, "left": 0, "waitlist_open": False} and full["registration_open"]
    with_places = [e["title"] for e in get(client, "/api/v1/events?has_places=true").json()["results"]]
    assert "마감된 교실" not in with_places and "광명 육아 박람회" in with_places
    inside = get(client, "/api/v1/events?include_sub_events=true&organiser=police").json()["results"]
    talks = [e["title"] for e in inside]
    assert talks == ["박람회 강연"]
    far = (timezone.localdate() + timedelta(days=400)).isoformat()
    assert get(client, f"/api/v1/events?to={far}").json()["count"] == body["count"]  # cut to 366 days
    assert get(client, "/api/v1/events?to=2000-01-01").json()["count"] == 0  # before `from`
    assert get(client, "/api/v1/events?organiser=nowhere").json()["count"] == 0
    assert get(client, "/api/v1/events?from=2026-13-01").status_code == 422


def test_event_detail_with_umbrella_sub_events_and_series(client, city):
    fair = get(client, f"/api/v1/events/{city['fair'].pk}").json()
    assert [s["title"] for s in fair["sub_events"]] == ["박람회 강연"]
    talk = get(client, f"/api/v1/events/{city['talk'].pk}").json()
    assert talk["umbrella"]["id"] == city["fair"].pk and talk["places"]["left"] == 1
    session = get(client, f"/api/v1/events/{city['sessions'][1].pk}").json()
    assert [s["id"] for s in session["series"]["occurrences"]] == [s.pk for s in city["sessions"]]
    for hidden in (city["private"], city["meetup"]):
        assert get(client, f"/api/v1/events/{hidden.pk}").status_code == 404


def test_agencies_and_the_agreement(client, city):
    agencies = get(client, "/api/v1/agencies").json()
    assert "police" in [a["slug"] for a in agencies["results"]]
    agreement = get(client, "/api/v1/agreement").json()
    assert [c["number"] for c in agreement["clauses"]] == [1, 2, 3, 4, 5]
    assert agreement["clauses"][0]["signatories"] == ["police"]


def test_etag_and_last_modified_answer_304(client, city):
    first = get(client, "/api/v1/programs/birth-incentive")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/api/v1/programs/birth-incentive", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get("/api/v1/programs/birth-incentive", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    listing = get(client, "/api/v1/events")
    assert client.get("/api/v1/events", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304


def test_a_change_invalidates_the_cached_answer(client, city):
    before = get(client, "/api/v1/programs/birth-incentive").json()
    program = city["incentive"]
    program.title_ko = "출산 축하금"
    program.save()
    after = get(client, "/api/v1/programs/birth-incentive").json()
    assert (before["title"], after["title"]) == ("출산 장려금", "출산 축하금")


def test_cors_for_get_from_any_origin(client, city):
    response = client.get("/api/v1/programs", HTTP_ORIGIN="https://apps.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/programs", HTTP_ORIGIN="https://apps.example.org",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/programs/", HTTP_ORIGIN="https://x.example")


def test_rate_limit_answers_429_with_retry_after(client, city, settings):
    settings.API_RATE_LIMIT = "3/m"
    statuses = [client.get("/api/v1/agencies", REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/agencies", REMOTE_ADDR="203.0.113.7")
    assert refused.json()["code"] == "rate_limited" and int(refused["Retry-After"]) >= 1
    assert client.get("/api/v1/agencies", REMOTE_ADDR="203.0.113.8").status_code == 200  # per address


def test_errors_are_json_never_a_page(client, city):
    for path, status in [("/api/v1/nothing-here", 404), ("/api/v2/programs", 404), ("/api/v1/events/999999999", 404),
                         ("/api/v1/events/abc", 422), ("/api/v1/programs?page=0", 422),
                         ("/api/v1/programs?page_size=1000", 422), ("/api/v1/programs?q=" + "가" * 10_000, 422)]:
        response = get(client, path)
        assert response.status_code == status, path
        assert set(response.json()) == {"message", "code", "details"}, path
    posted = client.post("/api/v1/programs", {})
    assert posted.status_code == 405 and posted["Content-Type"].startswith("application/json")
    assert "GET" in posted["Allow"]


def test_openapi_31_and_every_field_described(client):
    document = get(client, "/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    undescribed = [f"{name}.{field}" for name, schema in document["components"]["schemas"].items()
                   for field, prop in schema.get("properties", {}).items() if not prop.get("description")]
    assert undescribed == []
    parameters = [p for methods in document["paths"].values() for op in methods.values()
                  for p in op.get("parameters", [])]
    assert parameters and all(p.get("description") for p in parameters)


def test_documentation_page_lists_every_operation(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    for path in ("/api/v1/programs", "/api/v1/events/{event_id}", "/api/v1/agreement", "전국문화축제표준데이터"):
        assert path in page


def test_rate_limit_fails_open_when_the_cache_cannot_answer(client, city, settings, monkeypatch, caplog):
    settings.API_RATE_LIMIT = "1/m"
    import api.v1

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(api.v1, "_count_request", broken)
    statuses = [client.get("/api/v1/agencies", REMOTE_ADDR="203.0.113.9").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert "rate limit not applied" in caplog.text


def test_search_ignores_spacing_and_suggests_for_a_typo(client, city):
    """The catalog's own search: 출산장려금 finds 출산 장려금, and a typo gets the closest programs."""
    exact = get(client, "/api/v1/programs?q=출산장려금").json()
    assert [p["slug"] for p in exact["results"]] == ["birth-incentive"] and exact["approximate"] is False
    typo = get(client, "/api/v1/programs?q=출샨장려금").json()
    assert typo["approximate"] is True and "출산 장려금" in typo["suggestions"]
    assert [p["slug"] for p in typo["results"]] == ["birth-incentive"]


def test_the_api_root_says_where_everything_is(client):
    body = get(client, "/api/v1/").json()
    assert body["openapi"].endswith("/api/v1/openapi.json") and "/api/v1/events" in body["operations"]
