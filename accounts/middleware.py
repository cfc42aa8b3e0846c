import time

from django.conf import settings
from django.contrib.auth import logout


class StaffIdleTimeoutMiddleware:
    """Signs staff out after ``STAFF_SESSION_IDLE_SECONDS`` without a request.

    Staff can read personal data of many people, so an unattended session must not stay open
    (PIPA safety measures). Citizens keep Django's ordinary session lifetime.
    """

    SESSION_KEY = "_staff_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            now = int(time.time())
            last_seen = request.session.get(self.SESSION_KEY)
            if last_seen is not None and now - last_seen > settings.STAFF_SESSION_IDLE_SECONDS:
                logout(request)
            else:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)
