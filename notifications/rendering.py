"""Render a kind's subject, body and SMS text in one language, failing on any missing variable.

Django templates print a missing variable as an empty string; for messages that would mean a
citizen receiving "신청하신  프로그램이 승인되었습니다". ``StrictContext`` raises instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from .kinds import Kind

LANGUAGES = ("ko", "en")
PARTS = ("subject", "body", "sms")
# Variables every template may use besides the kind's required_context; the service supplies them.
STANDARD_CONTEXT = ("recipient_name", "portal_name", "link_url")


class MissingContextVariable(Exception):
    """A template used a variable the caller did not pass."""

    def __init__(self, name: str):
        super().__init__(f"missing template variable {name!r}")
        self.name = name


class StrictContext(Context):
    def __getitem__(self, key):
        for mapping in reversed(self.dicts):
            if key in mapping:
                return mapping[key]
        raise MissingContextVariable(key)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


def template_name(kind_key: str, language: str, part: str) -> str:
    return f"notifications/kinds/{kind_key}/{language}/{part}.txt"


def language_for(user) -> str:
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in LANGUAGES else "ko"


def render_part(kind_key: str, language: str, part: str, context: dict) -> str:
    # Compiled once per process: with no "loaders" configured, Django wraps the template loaders
    # in its cached loader (also when DEBUG is on, where it is reset on template changes), so
    # this is a dict look-up, not a file read — tests/notifications/test_notify_many.py checks it.
    template = get_template(template_name(kind_key, language, part)).template
    with translation.override(language):
        # Plain text: no HTML escaping ("&" stays "&" in an email subject).
        return template.render(StrictContext(context, autoescape=False))


def render_kind(kind: Kind, *, language: str, context: dict, parts: tuple[str, ...] = PARTS) -> Rendered:
    """Render the given parts (others are ""). Raises MissingContextVariable or
    TemplateDoesNotExist; the caller decides how loud to be."""
    subject = body = sms = ""
    if "subject" in parts:
        subject = " ".join(render_part(kind.key, language, "subject", context).split())[:300]
    if "body" in parts:
        body = render_part(kind.key, language, "body", context).strip() + "\n"
    if "sms" in parts:
        sms = " ".join(render_part(kind.key, language, "sms", context).split())
    return Rendered(subject=subject, body=body, sms=sms)
