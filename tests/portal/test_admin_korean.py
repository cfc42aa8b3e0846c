"""The admin in Korean: every column, filter and form field of the portal's own admins has a
Korean label (English lives in the catalogue), and every changelist can be searched.

The events and matchmaking admins are checked by their own tests."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.utils import label_for_field
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import strip_tags

pytestmark = pytest.mark.django_db

PORTAL_APPS = {"accounts", "notifications", "partners", "programs", "reports", "portal"}
# Abbreviations that are the same in Korean screens.
ALLOWED_LATIN = {"ID", "IP", "CSV", "XLSX", "PDF", "SMS", "URL"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _portal_admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in PORTAL_APPS]


def _english(label) -> list[str]:
    return [word for word in LATIN_WORD.findall(strip_tags(str(label))) if word not in ALLOWED_LATIN]


def _hangul(label) -> bool:
    return bool(re.search("[가-힣]", strip_tags(str(label))))


def test_every_portal_changelist_column_and_filter_is_korean(client, admin_user):
    client.force_login(admin_user)
    failures = []
    with translation.override("ko"):
        for model, _model_admin in _portal_admins():
            opts = model._meta
            response = client.get(f"/admin/{opts.app_label}/{opts.model_name}/", HTTP_ACCEPT_LANGUAGE="ko")
            assert response.status_code == 200, opts.label
            cl = response.context["cl"]
            for header in result_headers(cl):
                if _english(header["text"]):
                    failures.append(f"{opts.label} column {header['text']!r}")
            for spec in cl.filter_specs:
                if _english(spec.title):
                    failures.append(f"{opts.label} filter {spec.title!r}")
    assert not failures, "\n".join(sorted(set(failures)))


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_portal_admin_form_field_is_korean_with_english_in_the_catalogue(admin_user, language):
    """In Korean no English label; in English no Hangul left (the catalogue has every label)."""
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    failures = []
    wrong = _english if language == "ko" else _hangul
    with translation.override(language):
        for model, model_admin in _portal_admins():
            for obj in (None, model()):
                fieldsets = model_admin.get_fieldsets(request, obj)
                form = model_admin.get_form(request, obj)()
                names = set()
                for _title, options in fieldsets:
                    for field in options["fields"]:
                        names.update(field if isinstance(field, (list, tuple)) else [field])
                for name in sorted(names):
                    if name in form.fields:  # what the page shows: the form field's own label
                        label = form.fields[name].label or label_for_field(name, model, model_admin)
                    else:
                        label = label_for_field(name, model, model_admin)
                    if wrong(label):
                        failures.append(f"{model._meta.label} field {name}: {label!r}")
            for inline in model_admin.inlines:
                for name in inline.fields or [f.name for f in inline.model._meta.fields]:
                    label = label_for_field(name, inline.model, inline(model, admin.site))
                    if wrong(label):
                        failures.append(f"{model._meta.label} inline {inline.model._meta.label} {name}: {label!r}")
    assert not failures, "\n".join(sorted(set(failures)))


def test_every_field_of_a_portal_admin_model_has_a_korean_verbose_name():
    """Models shown in the admin (and their inlines): a field without a verbose name would show its
    English attribute name ("created at") on the change page, the history page and filters."""
    models = set()
    for model, model_admin in _portal_admins():
        models.add(model)
        models.update(inline.model for inline in model_admin.inlines)
    failures = []
    with translation.override("ko"):
        for model in models:
            for field in model._meta.concrete_fields:
                if field.primary_key and field.auto_created:
                    continue
                if not re.search("[가-힣]", str(field.verbose_name)):
                    failures.append(f"{model._meta.label}.{field.name}: {field.verbose_name!r}")
    assert not failures, "\n".join(sorted(set(failures)))


def test_every_portal_changelist_can_be_searched():
    missing = [model._meta.label for model, model_admin in _portal_admins() if not model_admin.search_fields]
    assert not missing, missing


def test_the_same_columns_and_filters_have_english_in_the_catalogue(client, admin_user):
    """Korean is the source; an English screen shows the catalogue's English, no Hangul left over."""
    client.force_login(admin_user)
    failures = []
    with translation.override("en"):
        for model, _model_admin in _portal_admins():
            opts = model._meta
            response = client.get(f"/admin/{opts.app_label}/{opts.model_name}/", HTTP_ACCEPT_LANGUAGE="en")
            cl = response.context["cl"]
            failures += [f"{opts.label} column {h['text']!r}" for h in result_headers(cl) if _hangul(h["text"])]
            failures += [f"{opts.label} filter {spec.title!r}" for spec in cl.filter_specs if _hangul(spec.title)]
    assert not failures, "\n".join(sorted(set(failures)))
