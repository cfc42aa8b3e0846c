import time

from django.conf import settings
from django.contrib.auth import get_user_model, logout

from .roles import AGENCY_STAFF, CITY_CLERK, group_names


class StaffIdleTimeoutMiddleware:
    """Signs out anyone who can reach other people's personal data after
    ``STAFF_SESSION_IDLE_SECONDS`` without a request.

    Staff can read personal data of many people, so an unattended session must not stay open
    (PIPA safety measures). "Staff" is not only the ``is_staff`` flag: a clerk or agency-staff role,
    or an agency membership (check-in, attendee lists, reports), reaches personal data without it.
    Whether a signed-in person holds such a role is looked up at most every
    ``ROLE_RECHECK_SECONDS`` and kept in their session, so citizens' pages do not pay a query each
    time, and a role granted during a session applies within that interval. Citizens keep Django's
    ordinary session lifetime.
    """

    SESSION_KEY = "_staff_last_seen"
    ROLE_KEY = "_staff_role_checked"  # [checked at (epoch seconds), holds a role]
    ROLE_RECHECK_SECONDS = 300

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if self._holds_role(request, user, now):
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
        if checked and now - checked[0] <= self.ROLE_RECHECK_SECONDS:
            return checked[1]
        holds = bool(group_names(user) & {AGENCY_STAFF, CITY_CLERK}) or get_user_model().objects.filter(
            pk=user.pk, agency_membership__isnull=False).exists()
        request.session[self.ROLE_KEY] = [now, holds]
        return holds
