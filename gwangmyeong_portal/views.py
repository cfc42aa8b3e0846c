from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from . import page_cache
from .health import health_report


@page_cache.anonymous_page("events")
def home(request):
    """The front door: the three life stages, upcoming events and a search box."""
    stages = [
        {"key": "pregnancy", "icon": "🤰"},
        {"key": "childcare", "icon": "🧸"},
        {"key": "jobs", "icon": "🏠"},
    ]
    return render(request, "home.html", {"stages": stages, "upcoming_events": _upcoming_events(request)})


def _upcoming_events(request):
    from events.selectors import event_upcoming_for_home

    # Public events only, so one cached list serves everyone; the hour in the key lets events
    # that have started drop off without waiting for a change.
    hour = timezone.localtime().strftime("%H")
    return page_cache.get_or_set(page_cache.key("events", "home-upcoming", hour), event_upcoming_for_home)


@never_cache
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def server_error(request):
    """The portal's own 500 page in the user's language; never a stack trace."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        return JsonResponse({"error": "server error"}, status=500)
