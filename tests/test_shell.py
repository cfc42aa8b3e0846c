"""The UI shell: every page in Korean and English, health check, error pages."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

SHELL_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
SIGNED_IN_PAGES = ["/me/", "/me/profile/"]


def _get(client, url, language):
    client.cookies["django_language"] = language
    return client.get(url)


@pytest.mark.parametrize("url", SHELL_PAGES)
@pytest.mark.parametrize(("language", "expected"), [("ko", "본문 바로가기"), ("en", "Skip to main content")])
def test_every_shell_page_renders_in_korean_and_english(client, url, language, expected):
    response = _get(client, url, language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert expected in html
    assert "<title>" in html and "<main" in html and "<header" in html and "<footer" in html


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
@pytest.mark.parametrize(("language", "expected"), [("ko", "마이페이지"), ("en", "My page")])
def test_signed_in_pages_render_in_both_languages(client, citizen, url, language, expected):
    client.force_login(citizen)
    response = _get(client, url, language)
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_home_shows_the_three_life_stages_and_a_search_box(client):
    html = client.get("/").content.decode()
    for stage in ("pregnancy", "childcare", "jobs"):
        assert f"/programs/?stage={stage}" in html
    assert 'type="search"' in html


def test_an_unknown_language_falls_back_to_korean(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="xx-YY,fr;q=0.8")
    assert '<html lang="ko"' in response.content.decode()
    client.cookies["django_language"] = "zz"
    assert '<html lang="ko"' in client.get("/").content.decode()


def test_switching_language_is_remembered(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en"' in client.get("/").content.decode()


def test_not_found_is_the_portals_own_page_in_the_users_language(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in response.content.decode()
    client.cookies["django_language"] = "en"
    assert "Page not found" in client.get("/no-such-page/").content.decode()


def test_server_error_page_leaks_no_stack_trace(settings):
    from django.urls import path

    def boom(request):
        raise RuntimeError("secret internals")

    import gwangmyeong_portal.urls as root

    settings.DEBUG = False
    root.urlpatterns.append(path("boom-test/", boom))
    try:
        client = Client(raise_request_exception=False)
        response = client.get("/boom-test/")
    finally:
        root.urlpatterns.pop()
    assert response.status_code == 500
    html = response.content.decode()
    assert "일시적인 오류" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_healthz_reports_each_service(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_healthz_says_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "down"


def test_healthz_says_503_when_the_cache_is_down(client, settings):
    settings.CACHES = {**settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                    "OPTIONS": {"socket_connect_timeout": 1}}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "down"
