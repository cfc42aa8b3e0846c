import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .roles import AGENCY_STAFF, CITY_CLERK, group_names, known_without_staff_role


class StaffIdleTimeoutMiddleware:
    """Signs out anyone who can reach other people's personal data after
    ``STAFF_SESSION_IDLE_SECONDS`` without a request.

    Staff can read personal data of many people, so an unattended session must not stay open
    (PIPA safety measures). "Staff" is not only the ``is_staff`` flag: a clerk or agency-staff role,
    or an agency membership (check-in, attendee lists, reports), reaches personal data without it.
    Whether a signed-in person holds such a role is looked up at most every
    ``ROLE_RECHECK_SECONDS`` and kept in their session, so citizens' pages do not pay a query each
    time, and a role granted during a session applies within that interval. For a citizen the
    session also keeps their role names, so the request's later role and membership checks
    (``visible_to``, ``managed_by``) ask the database nothing (``roles.known_without_staff_role``).
    Citizens keep Django's ordinary session lifetime.
    """

    SESSION_KEY = "_staff_last_seen"
    ROLE_KEY = "_staff_role_checked"  # [checked at (epoch seconds), holds a role, role names]
    ROLE_RECHECK_SECONDS = 300

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        request.holds_staff_role = False  # read by StaffTwoFactorMiddleware, which runs next
        if user is not None and user.is_authenticated:
            now = int(time.time())
            request.holds_staff_role = self._holds_role(request, user, now)
            if request.holds_staff_role:
                last_seen = request.session.get(self.SESSION_KEY)
                if last_seen is not None and now - last_seen > settings.STAFF_SESSION_IDLE_SECONDS:
                    logout(request)
                else:
                    request.session[self.SESSION_KEY] = now
        return self.get_response(request)

    def _holds_role(self, request, user, now: int) -> bool:
        if user.is_staff or user.is_superuser:
            return True
        checked = request.session.get(self.ROLE_KEY)
        if checked and len(checked) == 3 and now - checked[0] <= self.ROLE_RECHECK_SECONDS:
            if not checked[1]:
                known_without_staff_role(user, checked[2])
            return checked[1]
        return staff_role_check(request.session, user, now)


def staff_role_check(session, user, now: int | None = None) -> bool:
    """Whether ``user`` holds a staff role or an agency membership, kept in ``session`` with the role
    names for ``StaffIdleTimeoutMiddleware.ROLE_RECHECK_SECONDS``. Runs at sign-in too
    (``remember_staff_role_at_login``), so the first page after it writes no session."""
    names = group_names(user)
    holds = user.is_staff or user.is_superuser or bool(names & {AGENCY_STAFF, CITY_CLERK}) or (
        get_user_model().objects.filter(pk=user.pk, agency_membership__isnull=False).exists())
    session[StaffIdleTimeoutMiddleware.ROLE_KEY] = [int(time.time()) if now is None else now, holds, sorted(names)]
    if not holds:
        known_without_staff_role(user, names)
    return holds


def remember_staff_role_at_login(sender, request, user, **kwargs):
    """``user_logged_in``: the sign-in writes the session anyway; the role check rides along."""
    if request is not None and hasattr(request, "session"):
        staff_role_check(request.session, user)


class StaffTwoFactorMiddleware:
    """With ``STAFF_REQUIRE_MFA`` (on in production), anyone holding a staff role turns on two-factor
    sign-in (TOTP, allauth.mfa) before anything else: until then every page except the account pages
    (two-factor setup, sign-out), static files and the health check leads to the setup page.
    Citizens are never asked. Once it is on, allauth asks for the code at every sign-in. Who holds a
    staff role is decided once per request by ``StaffIdleTimeoutMiddleware`` (``request.holds_staff_role``)."""

    OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (settings.STAFF_REQUIRE_MFA and request.user.is_authenticated
                and not request.path.startswith(self.OPEN_PREFIXES) and getattr(request, "holds_staff_role", False)):
            from allauth.mfa.models import Authenticator
            from allauth.mfa.utils import is_mfa_enabled

            if not is_mfa_enabled(request.user, types=[Authenticator.Type.TOTP]):
                messages.warning(request, _("직원 계정은 2단계 인증을 켜야 쓸 수 있습니다. 인증 앱으로 QR 코드를 "
                                            "읽고 표시된 번호를 입력해 주세요."))
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class PrivatePagesNoStoreMiddleware:
    """Every answer to a signed-in person carries ``Cache-Control: private, no-store`` (Django's
    never-cache headers), as the admin and the sign-in page already do.

    Citizens use the shared computers of community centres and libraries: a page kept by the browser
    or a proxy would show the next person someone else's my page, applications or inbox. Anonymous
    pages are left alone (they hold nothing personal and are cached whole: page_cache); without a
    session cookie nobody is signed in, so those requests do not even load a session here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                add_never_cache_headers(response)
        return response
