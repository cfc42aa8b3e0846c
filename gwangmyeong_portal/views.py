from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from . import page_cache
from .health import health_report


@page_cache.anonymous_page("events", "programs")
def home(request):
    """The landing page: search, the three life stages, programs open now with their deadline, this
    month's events as cards, the finder's call to action and news of windows about to open."""
    return render(request, "home.html", {
        "open_programs": _home_part("programs", "home-open-programs", "program_open_for_home"),
        "opening_soon": _home_part("programs", "home-opening-soon", "program_opening_soon"),
        "month_events": _home_part("events", "home-month-events", "event_this_month_for_home"),
    })


def _home_part(kind: str, name: str, selector: str):
    """One part of the front page, the same for every visitor, cached until its rows change. The
    hour in the key lets started events and closed windows drop off without waiting for a change."""
    import importlib

    module = importlib.import_module("programs.selectors" if kind == "programs" else "events.selectors")
    hour = timezone.localtime().strftime("%Y%m%d%H")
    return page_cache.get_or_set(page_cache.key(kind, name, hour), getattr(module, selector))


@never_cache
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
def request_too_long(request):
    """The portal's own page for an address too long to read: nginx answers 414 with it
    (``error_page 414``, docs/nginx.conf), instead of its bare error page. Reached only through
    that internal redirect, which carries no cookies: the page is the anonymous one."""
    return render(request, "414.html", status=414)


# How long the busy page asks a parent to wait before pressing the button again (Retry-After).
BUSY_RETRY_SECONDS = 10


@never_cache
def busy(request):
    """The portal's own page when nginx's registration waiting room is full (``limit_req``,
    docs/nginx.conf): 429 with Retry-After, saying nothing was registered and to press again. Reached
    only through nginx's internal redirect (as a GET, without cookies): the page is the anonymous one."""
    response = render(request, "429.html", {"retry_seconds": BUSY_RETRY_SECONDS}, status=429)
    response["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response


def csrf_failure(request, reason=""):
    """A refused form post (missing or wrong CSRF token): the portal's own page, 403, saying what to
    do. The page names CSRF, which the open data API's error middleware recognises."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """The portal's own 500 page in the user's language; never a stack trace."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        return JsonResponse({"error": "server error"}, status=500)


# The privacy policy's revisions, newest first: (date, what changed). Add a row whenever the
# processing described on /privacy/ changes.
PRIVACY_POLICY_REVISIONS = [
    ("2026-12-02", _("개인정보 처리방침을 처음 게시했습니다.")),
]
ACCESSIBILITY_STATEMENT_DATE = "2026-12-02"


def privacy(request):
    """개인정보 처리방침 (PIPA art. 30): purposes, items, retention read from settings, provision to
    partner agencies, the data subject's rights, the privacy officer and the revision history."""
    from partners.models import Agency

    retention = [
        (_("서비스 신청서(신청 내용, 연락처, 제출 서류)"), _("결정·취하 후"), settings.APPLICATION_RETENTION_DAYS),
        (_("작성 중인 신청서"), _("마지막 저장 후"), settings.APPLICATION_DRAFT_RETENTION_DAYS),
        (_("맞춤 혜택 찾기에 저장한 답변"), _("마지막 저장 후"), settings.FINDER_PROFILE_RETENTION_DAYS),
        (_("행사 신청·참석·후기"), _("행사가 끝난 후"), settings.REGISTRATION_RETENTION_DAYS),
        (_("알림(앱·이메일·문자) 내용"), _("작성 후"), settings.MESSAGE_RETENTION_DAYS),
        (_("미혼남녀 만남 프로필"), _("마지막 이용 후"), settings.MATCHMAKING_RETENTION_DAYS),
        (_("미혼남녀 만남 동의·재직 확인 요청(프로필 없음)"), _("마지막 단계 후"),
         settings.MATCHMAKING_UNUSED_CONSENT_DAYS),
        (_("개인정보 접속기록(직원의 조회·다운로드 기록)"), _("기록 후"), settings.ACCESS_LOG_RETENTION_DAYS),
    ]
    agencies = list(Agency.objects.partners().active())
    return render(request, "pages/privacy.html", {
        "crumbs": [(_("개인정보 처리방침"), request.path)],
        "retention": retention,
        "agencies": agencies,
        "officer": {
            "name": settings.PRIVACY_OFFICER_NAME,
            "department": settings.PRIVACY_OFFICER_DEPARTMENT,
            "phone": settings.PRIVACY_OFFICER_PHONE,
            "email": settings.PRIVACY_OFFICER_EMAIL,
        },
        "revisions": PRIVACY_POLICY_REVISIONS,
        "effective_date": PRIVACY_POLICY_REVISIONS[0][0],
        "upload_max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        "registration_days": settings.REGISTRATION_RETENTION_DAYS,
    })


def accessibility(request):
    """웹 접근성 정책: the standard followed, how it is checked, known exceptions and whom to tell."""
    return render(request, "pages/accessibility.html", {
        "crumbs": [(_("웹 접근성 정책"), request.path)],
        "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
        "contact_phone": settings.CITY_OFFICE_PHONE,
        "statement_date": ACCESSIBILITY_STATEMENT_DATE,
    })


def terms(request):
    """이용약관: what the portal offers, accounts, and the limits of what it promises."""
    return render(request, "pages/terms.html", {"crumbs": [(_("이용약관"), request.path)],
                                                "effective_date": PRIVACY_POLICY_REVISIONS[-1][0]})
