"""An address too long for nginx gets the portal's own page with 414 (docs/nginx.conf: error_page 414)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize("language, text", [("ko", "주소가 너무 깁니다"), ("en", "The address is too long")])
def test_the_page_nginx_shows_for_a_too_long_address(client, language, text):
    response = client.get("/errors/request-too-long/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 414
    html = response.content.decode()
    assert text in html and "<main" in html
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize("conf", ["docs/nginx.conf"])
def test_nginx_sends_414_to_that_page_with_a_host_django_accepts(conf):
    text = (ROOT / conf).read_text()
    assert "error_page 414 /errors/request-too-long/;" in text
    block = re.search(r"location = /errors/request-too-long/ \{(.*?)\}", text, re.S).group(1)
    assert "internal;" in block and "proxy_set_header Host $server_name;" in block
    assert re.search(r"server_name \S+;", text)


@pytest.mark.django_db
def test_a_refused_csrf_check_shows_the_portals_page(citizen):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = client.post("/me/notifications/settings/", {}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 403
    html = response.content.decode()
    assert "요청을 확인할 수 없습니다" in html and "<main" in html and "CSRF" in html


# --- The registration waiting room (docs/nginx.conf: limit_req on the registration URLs) -----------

@pytest.mark.django_db
@pytest.mark.parametrize("language, text", [("ko", "신청은 되지 않았습니다"), ("en", "Nothing was registered")])
def test_the_page_nginx_shows_when_the_waiting_room_is_full(client, language, text):
    response = client.get("/errors/busy/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 429 and response["Retry-After"] == "10"
    html = response.content.decode()
    assert text in html and "<main" in html and 'role="alert"' in html


def _waiting_room(text: str) -> str:
    return re.search(r"location ~ \^/events/\(series/\)\?\\+d\+/register/\$ \{+(.*?)proxy_pass", text, re.S).group(1)


def test_registrations_pass_the_waiting_room_in_production_and_in_the_rush():
    from django.urls import resolve

    docs = (ROOT / "docs/nginx.conf").read_text()
    bench = (ROOT / "bench/rush.py").read_text()
    assert re.search(r"limit_req_zone \$server_name zone=registrations:1m rate=\d+r/s;", docs)
    assert "limit_req_zone $server_name zone=registrations:1m rate={register_rate}r/s;" in bench
    for text in (docs, bench):
        block = _waiting_room(text)
        assert "limit_req zone=registrations burst=" in block
        assert "limit_req_status 429;" in block and "error_page 429 /errors/busy/;" in block
        busy = re.search(r"location = /errors/busy/ \{+(.*?)\}", text, re.S).group(1)
        assert "internal;" in busy and "proxy_set_header Host $server_name;" in busy
    # The pattern covers both registration URLs and nothing else of the portal's.
    pattern = re.compile(r"^/events/(series/)?\d+/register/$")
    assert resolve("/events/12/register/").url_name == "register" and pattern.match("/events/12/register/")
    assert resolve("/events/series/3/register/").url_name == "series_register"
    assert pattern.match("/events/series/3/register/") and not pattern.match("/events/12/")


# --- The staff's pool (docs/nginx.conf: upstream staff; bench/rush.py's staff pools) ----------------

def test_the_admin_and_the_reports_go_to_the_staff_pool_in_production_and_in_the_rush():
    from django.urls import reverse

    docs = (ROOT / "docs/nginx.conf").read_text()
    bench = (ROOT / "bench/rush.py").read_text()
    for text in (docs, bench):
        assert re.search(r"upstream staff \{+", text)
        for prefix in ("/admin/", "/reports/"):
            block = re.search(rf"location {re.escape(prefix)} \{{+(.*?)\}}", text, re.S).group(1)
            assert "proxy_pass http://staff;" in block
        # Everything else (the citizens' pages, the error pages nginx shows) stays on the citizens' pool.
        assert re.search(r"location / \{+\s*proxy_pass http://portal;", text)
    # The two prefixes are where the admin and the clerks' pages are.
    assert reverse("admin:index") == "/admin/"
    assert reverse("reports:dashboard") == "/reports/"
    export = reverse("reports:table_export", kwargs={"key": "applications_by_month", "fmt": "csv"})
    assert export.startswith("/reports/")


def test_nginx_accepts_the_production_configuration(tmp_path):
    """docs/nginx.conf as docker-compose.yml mounts it (in nginx's http block), with the containers'
    names in place of Docker's DNS: `nginx -t` parses every directive and location."""
    import shutil
    import subprocess

    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed (.ci/run installs nginx-light)")
    conf = (ROOT / "docs/nginx.conf").read_text()
    conf = conf.replace("server web:8000", "server 127.0.0.1:8001")
    conf = conf.replace("server staff:8000", "server 127.0.0.1:8002")
    conf = conf.replace("listen 80;", "listen 127.0.0.1:8080;").replace("access_log /dev/stdout portal;",
                                                                         f"access_log {tmp_path}/access.log portal;")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n client_body_temp_path {tmp_path}/body;\n proxy_temp_path {tmp_path}/proxy;\n"
        f" fastcgi_temp_path {tmp_path}/fastcgi;\n uwsgi_temp_path {tmp_path}/uwsgi;\n"
        f" scgi_temp_path {tmp_path}/scgi;\n"
        f"{conf}\n}}\n")
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                             "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
