import functools

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _


def portal(request):
    """Values every page's shell needs (site name, the city office's contact, the main menu)."""
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "CITY_OFFICE_PHONE": settings.CITY_OFFICE_PHONE,
        "main_menu": SimpleLazyObject(lambda: main_menu(request)),
        # What the menus' HTML depends on besides the language: the shell keeps it per this state.
        "menu_state": SimpleLazyObject(lambda: menu_state(request)),
    }


def menu_state(request) -> str:
    """Signed in, staff, and the section the page is in: with the language, all that the main menu
    and the mobile menu's sections vary by (``main_menu``), as a short cache key."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return f"{int(signed_in)}{int(signed_in and user.is_staff)}:{current_section(request.path)}"


def current_section(path: str) -> str:
    """The key of the main menu's section ``path`` is in ("" for none)."""
    prefixes = _section_prefixes()
    if path.startswith((prefixes["finder"], prefixes["timeline"])):
        return "finder"
    for key in ("programs", "events", "partners", "reports"):
        if path.startswith(prefixes[key]):
            return key
    return ""


@functools.cache
def _section_prefixes() -> dict[str, str]:
    return {"programs": reverse("programs:catalog"), "finder": reverse("programs:finder"),
            "timeline": reverse("programs:timeline"), "events": reverse("events:month"),
            "partners": reverse("partners:index"), "reports": reverse("reports:dashboard")}


def main_menu(request) -> list[dict]:
    """The main menu, one list rendered twice: KRDS's desktop menu (includes/main_menu.html) and its
    mobile menu (includes/mobile_menu.html). Each section: key, label, url, children [(label, url)],
    current (the page is in it). To hide a section for some people, drop it from this list."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    catalog = reverse("programs:catalog")
    sections = [
        {"key": "programs", "label": _("생애주기별 혜택"), "url": catalog, "children": [
            (_("임신·출산"), f"{catalog}?stage=pregnancy_birth"),
            (_("보육·교육"), f"{catalog}?stage=childcare_education"),
            (_("일자리·주거"), f"{catalog}?stage=jobs_housing"),
            (_("전체 혜택 보기"), catalog),
        ]},
        {"key": "finder", "label": _("맞춤 혜택 찾기"), "url": reverse("programs:finder"), "children": [
            (_("몇 가지 질문으로 혜택 찾기"), reverse("programs:finder")),
            (_("임신·출산 일정표"), reverse("programs:timeline")),
        ]},
        {"key": "events", "label": _("행사·박람회"), "url": reverse("events:month"), "children": [
            (_("행사 달력"), reverse("events:month")),
            (_("행사 목록"), reverse("events:list")),
            *([(_("내 행사"), reverse("events:my"))] if signed_in else []),
        ]},
        {"key": "partners", "label": _("협약 기관"), "url": reverse("partners:index"), "children": [
            (_("협약 기관 소개"), reverse("partners:index")),
        ]},
        # No singles-meetup entry: the registry is for staff of the eleven institutions, who reach it
        # from 협약 기관 and their my page (matchmaking keeps it off the public menu and calendar).
    ]
    if signed_in and user.is_staff:
        sections.append({"key": "reports", "label": _("통계·보고서"), "url": reverse("reports:dashboard"),
                         "children": [(_("통계·보고서"), reverse("reports:dashboard"))]})
    current = current_section(request.path)
    for section in sections:
        section["current"] = section["key"] == current
    return sections
