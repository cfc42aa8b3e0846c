"""Browser security headers on every response, and CSRF on every form."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/programs/", "/accounts/login/"])
def test_pages_send_the_security_headers(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_no_template_carries_an_inline_script():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent.parent / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for chunk in text.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            if "src=" not in tag and "application/json" not in tag and "application/ld+json" not in tag:
                offenders.append(str(path.relative_to(root)))
        if ' style="' in text:
            offenders.append(f"{path.relative_to(root)} (style attribute)")
        if " onclick=" in text or " onload=" in text or " onchange=" in text or " onsubmit=" in text:
            offenders.append(str(path.relative_to(root)))
    assert not offenders, f"inline scripts or handlers (blocked by CSP): {offenders}"


@pytest.mark.django_db
def test_csrf_is_enforced_on_posts(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    assert client.post(reverse("programs:finder_save"), {"resident": "yes"}).status_code == 403
    assert client.post(reverse("accounts:profile"), {"name": "x"}).status_code == 403
