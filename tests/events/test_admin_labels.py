"""Issue 14.7 (events part): every column, filter and field of the events admin has a Korean name with
an English translation, and every changelist can be searched."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.utils import translation

HANGUL = re.compile(r"[\uac00-\ud7a3]")

EVENTS_ADMINS = [(model, model_admin) for model, model_admin in admin.site._registry.items()
                 if model._meta.app_label == "events"]


def _field_names(model_admin) -> set[str]:
    names = set(model_admin.readonly_fields or ())
    for _title, options in model_admin.fieldsets or ():
        for entry in options["fields"]:
            names.update(entry if isinstance(entry, (list, tuple)) else [entry])
    names.update(model_admin.fields or ())
    form = model_admin.form
    names.update(getattr(form._meta, "fields", None) or () if hasattr(form, "_meta") else ())
    return names


def _labels(model, model_admin) -> dict[str, str]:
    labels = {}
    for name in model_admin.list_display:
        labels[f"column {name}"] = str(label_for_field(name, model, model_admin))
    for entry in model_admin.list_filter:
        name = entry[0] if isinstance(entry, (list, tuple)) else entry
        labels[f"filter {name}"] = str(model._meta.get_field(name).verbose_name)
    form_fields = getattr(model_admin.form, "base_fields", {})
    for name in _field_names(model_admin):
        if name in form_fields and form_fields[name].label:
            labels[f"field {name}"] = str(form_fields[name].label)
        else:
            labels[f"field {name}"] = str(label_for_field(name, model, model_admin))
    return labels


@pytest.mark.parametrize("model, model_admin", EVENTS_ADMINS, ids=lambda x: getattr(x, "__name__", str(x)))
def test_every_column_filter_and_field_has_a_korean_name_and_an_english_one(model, model_admin):
    with translation.override("ko"):
        korean = _labels(model, model_admin)
    with translation.override("en"):
        english = _labels(model, model_admin)
    missing_korean = {k: v for k, v in korean.items() if not HANGUL.search(v)}
    missing_english = {k: v for k, v in english.items() if HANGUL.search(v)}
    assert not missing_korean, f"{model.__name__}: no Korean verbose name for {missing_korean}"
    assert not missing_english, f"{model.__name__}: no English translation for {missing_english}"


@pytest.mark.parametrize("model, model_admin", EVENTS_ADMINS, ids=lambda x: getattr(x, "__name__", str(x)))
def test_every_changelist_can_be_searched(model, model_admin):
    assert model_admin.search_fields, f"{model.__name__} admin has no search_fields"


def test_the_events_admins_are_all_covered():
    assert {model.__name__ for model, _ in EVENTS_ADMINS} >= {"Event", "EventSeries", "Registration", "Feedback",
                                                              "OrganiserMessage"}
