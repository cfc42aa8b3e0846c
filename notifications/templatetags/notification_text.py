"""The inbox shows a message's plain-text body with the portal's own addresses as links.

A body is text rendered from a kind's template with callers' variables (a program title, an
organiser's message), so it is escaped as a whole. Only addresses on the portal's own site
(``NOTIFY_SITE_URL``, or the host the page is served from) become links, and their ``href`` is
the path alone — always this site, never another, whatever the text says. Anything else that
looks like an address stays plain text.
"""

import re
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

_URL = re.compile(r"https?://[^\s<>\"'`]+")
_TRAILING = ".,;:!?)]}'\"”’」』"


def _own_hosts(request) -> set[str]:
    hosts = {urlsplit(settings.NOTIFY_SITE_URL).netloc.lower()}
    if request is not None:
        hosts.add(request.get_host().lower())
    return hosts - {""}


def _own_path(url: str, hosts: set[str]) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in hosts or parts.username:
        return None
    path = "/" + parts.path.lstrip("/\\")  # never "//host": that would leave the site
    return path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


@register.simple_tag(takes_context=True)
def message_body(context, text: str):
    """``text`` escaped, line breaks kept, and the portal's own addresses as links."""
    hosts = _own_hosts(context.get("request"))
    pieces, position = [], 0
    for match in _URL.finditer(text or ""):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        pieces.append(escape(text[position:match.start()]))
        path = _own_path(url, hosts)
        pieces.append(format_html('<a href="{}">{}</a>', path, url) if path else escape(url))
        position = end
    pieces.append(escape((text or "")[position:]))
    return mark_safe("".join(pieces).replace("\r\n", "\n").replace("\n", "<br>"))  # noqa: S308 — every piece escaped
