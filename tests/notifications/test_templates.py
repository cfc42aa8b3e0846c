"""Every registered kind has subject, body and SMS text in Korean and English, rendering with exactly
its required context: a missing variable fails, an unused declared variable fails too."""

import pytest
from django.template.loader import get_template

from notifications.kinds import Kind, UnknownKind, all_kinds, get_kind, register
from notifications.rendering import (
    LANGUAGES,
    PARTS,
    STANDARD_CONTEXT,
    MissingContextVariable,
    render_kind,
    template_name,
)

KINDS = all_kinds()


def sample(kind, **extra):
    context = {name: f"<{name}>" for name in (*kind.required_context, *STANDARD_CONTEXT)}
    context.update(extra)
    return context


def test_apps_kinds_are_discovered():
    keys = {kind.key for kind in KINDS}
    assert {"notifications.test", "notifications.reminder", "notifications.service_notice"} <= keys


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_kind_templates_exist_and_render_with_exactly_the_required_context(kind, language):
    for part in PARTS:
        get_template(template_name(kind.key, language, part))  # raises if missing
    rendered = render_kind(kind, language=language, context=sample(kind))
    assert rendered.subject and rendered.body.strip() and rendered.sms
    assert "\n" not in rendered.subject and "\n" not in rendered.sms
    text = rendered.subject + rendered.body + rendered.sms
    for name in kind.required_context:
        assert f"<{name}>" in text, f"{kind.key}/{language} declares {name!r} but never uses it"
        context = sample(kind)
        del context[name]
        with pytest.raises(MissingContextVariable) as excinfo:
            render_kind(kind, language=language, context=context)
        assert excinfo.value.name == name


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_sms_text_fits_one_short_message(kind):
    # 90 bytes (EUC-KR) is one SMS in Korea; fixed text must leave room for short values.
    for language in LANGUAGES:
        rendered = render_kind(kind, language=language, context={k: "가나다" for k in sample(kind)})
        assert len(rendered.sms.encode("cp949", errors="replace")) <= 90, rendered.sms


def test_korean_and_english_render_differently_and_keep_text_unescaped():
    kind = get_kind("notifications.reminder")
    context = sample(kind, title="엄마 & 아기 요가", when="5월 1일 10:00")
    ko = render_kind(kind, language="ko", context=context)
    en = render_kind(kind, language="en", context=context)
    assert ko.subject == "[일정 알림] 엄마 & 아기 요가"
    assert en.subject == "[Reminder] 엄마 & 아기 요가"
    assert "일시: 5월 1일 10:00" in ko.body and "When: 5월 1일 10:00" in en.body


def test_unknown_kind_is_refused():
    with pytest.raises(UnknownKind):
        get_kind("nobody.declared_this")


def test_a_kind_cannot_be_registered_twice_differently():
    register(Kind(key="notifications.test", label=get_kind("notifications.test").label, required_context=("name",),
                  default_channels=("inapp", "email", "sms")))  # same definition again: fine
    with pytest.raises(ValueError):
        register(Kind(key="notifications.test", label="x", required_context=()))
