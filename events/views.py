"""Calendar, event pages, registration, check-in and calendar files. Views parse input, call one
service or selector, and render; refusals from services come back as messages (or, for a refused
registration, as errors on the form shown again with what was typed: 400 for invalid input, 409
for what the event's state refuses — see "Refused forms" in docs/architecture.md), never a 500."""

from __future__ import annotations

import gzip
import hashlib
from datetime import timedelta
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET, require_POST

from gwangmyeong_portal import page_cache
from gwangmyeong_portal.access_log import access_log_record, list_subjects
from partners.models import Agency

from . import selectors, services
from .forms import (
    FeedbackForm,
    MessageForm,
    OrganiserAddForm,
    OrganiserMoveForm,
    OrganiserResizeForm,
    RegistrationForm,
)
from .ics import calendar_bytes
from .models import (
    CourseRegistration,
    Event,
    EventSeries,
    Feedback,
    LifeStage,
    OrganiserMessage,
    ProgramInterest,
    Registration,
)

FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 400
FEED_LIMIT = 1000


def _crumbs(request, *pairs) -> list[tuple[str, str]]:
    """Breadcrumb: the calendar, then ``pairs`` of (label, url); the current page ends it."""
    return [(_("행사·박람회"), reverse("events:month")), *pairs]


def _filter_context(filters: selectors.Filters) -> dict:
    return {
        "filters": filters,
        "stage_choices": LifeStage.choices,
        "type_choices": selectors.CALENDAR_TYPE_CHOICES,
        "organiser_choices": SimpleLazyObject(lambda: [(selectors.CITY, _("광명시"))] + [
            (a.slug, a.name) for a in Agency.objects.filter(is_city=False).order_by("order", "name_ko")]),
    }


def _month_days(weeks) -> list:
    """Phones get the month's events as a list of days (CSS shows the grid or the list)."""
    listed = []
    seen = set()
    for week in weeks:
        for day in week:
            if day.in_month and day.events:
                events = [e for e in day.events if (e.pk, day.date) not in seen]
                seen.update((e.pk, day.date) for e in events)
                listed.append(day)
    return listed


@page_cache.anonymous_page("events")
@require_GET
def month(request):
    filters = selectors.Filters.from_query(request.GET)
    first = selectors.parse_month(request.GET.get("month"))
    weeks = SimpleLazyObject(lambda: selectors.month_weeks(request.user, month=first, filters=filters))
    # Anonymous visitors see public events only, the same for all: the grid is cached for the
    # months people look at (a year back, two ahead), so stray month parameters cannot fill Redis.
    this_month = selectors.today().replace(day=1)
    cacheable = (not request.user.is_authenticated
                 and selectors.add_months(this_month, -12) <= first <= selectors.add_months(this_month, 24))
    context = {
        "view": "month", "month": first, "weeks": weeks, "listed_days": SimpleLazyObject(lambda: _month_days(weeks)),
        # Read only when the month is empty: where the calendar goes on.
        "next_event": SimpleLazyObject(lambda: selectors.next_event_from(
            request.user, day=selectors.add_months(first, 1), filters=filters)),
        "prev_month": selectors.add_months(first, -1), "next_month": selectors.add_months(first, 1),
        "weekday_names": [_("일"), _("월"), _("화"), _("수"), _("목"), _("금"), _("토")],
        "crumbs": _crumbs(request), **_filter_context(filters),
        "cache_key": page_cache.key("events", "month", first, filters.stage, filters.type, filters.organiser)
        if cacheable else "",
    }
    return render(request, "events/month.html", context)


@require_GET
def week(request):
    filters = selectors.Filters.from_query(request.GET)
    start = selectors.parse_week(request.GET.get("week"))
    days = selectors.week_days(request.user, week_start=start, filters=filters)
    context = {
        "view": "week", "week_start": start, "week_end": start + timedelta(days=6), "days": days,
        "prev_week": start - timedelta(days=7), "next_week": start + timedelta(days=7),
        "crumbs": _crumbs(request, (_("주별"), request.path)), **_filter_context(filters),
    }
    return render(request, "events/week.html", context)


@require_GET
def event_list(request):
    filters = selectors.Filters.from_query(request.GET)
    past = request.GET.get("past") == "1"
    start = selectors.local_midnight(selectors.today())
    queryset = selectors.with_card_figures(selectors.event_list_visible_to(request.user, filters=filters))
    queryset = queryset.filter(starts_at__lt=start).order_by("-starts_at", "-pk") if past else queryset.filter(
        ends_at__gte=start)
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    return render(request, "events/list.html", {"view": "list", "page": page, "past": past,
                                                "crumbs": _crumbs(request, (_("목록"), request.path)),
                                                **_filter_context(filters)})


def _visible_event(request, pk: int, *, related: tuple[str, ...] = ("organiser", "parent", "series")) -> Event:
    return get_object_or_404(Event.objects.visible_to(request.user).select_related(*related), pk=pk)


def _render_detail(request, event: Event, form: RegistrationForm | None = None, *, status: int = 200,
                   places: dict | None = None, sub_events: list[Event] | None = None):
    """The event page; ``form`` is a submitted registration form to show again with its errors.
    ``places`` and ``sub_events``, when the caller has read them already (``detail``)."""
    places = places if places is not None else selectors.event_places(event)
    registration = None
    if request.user.is_authenticated:
        registration = event.registrations.filter(user=request.user, status__in=Registration.ACTIVE).first()
    # A course's sessions are registered for all at once, on the series page.
    course = event.series if event.series_id and event.series.course_registration else None
    window_open = course is None and event.registration_open_at(timezone.now())
    # Neither a place nor a waitlist place left: the service would refuse, so no form is offered.
    full = places["left"] == 0 and places["waitlist_left"] == 0
    can_manage = Event.objects.managed_by(request.user).filter(pk=event.pk).exists()
    context = {
        "event": event, "places": places, "registration": registration, "window_open": window_open, "full": full,
        "form": (form or RegistrationForm(event=event)) if window_open and registration is None else None,
        "refusals": form.non_field_errors() if form is not None else [],
        "retention_days": settings.REGISTRATION_RETENTION_DAYS,
        "sub_events": sub_events if sub_events is not None else selectors.sub_events_with_places(event),
        "can_manage": can_manage, "course": course,
        "series_nav": selectors.series_nav(request.user, event=event),
        "linked_programs": _linked_programs(event),
        "crumbs": _crumbs(request, *([(event.parent.title, event.parent.get_absolute_url())] if event.parent else []),
                          (event.title, request.path)),
    }
    return render(request, "events/detail.html", context, status=status)


@require_GET
def detail(request, pk: int):
    event = _visible_event(request, pk)
    if not page_cache.anonymous_cacheable(request):
        return _render_detail(request, event)
    # Every anonymous visitor gets the same page until the event or its programs change (the
    # versions in the key), a place is taken or freed (its head counts and its sessions'), or
    # registration opens or closes: while parents wait for the opening, the page is one lookup.
    places = selectors.event_places(event)
    sub_events = selectors.sub_events_with_places(event)
    cache_key = page_cache.key("events", "detail", event.pk, page_cache.version("programs"),
                               sorted(places.items()), [(e.pk, e.places_taken) for e in sub_events],
                               event.registration_open_at(timezone.now()))
    return page_cache.anonymous_response(
        request, cache_key, lambda: _render_detail(request, event, places=places, sub_events=sub_events),
        stale=page_cache.stale_key("events", "detail", event.pk))


@require_GET
def event_ics(request, pk: int):
    """One event's calendar file, in the reader's language (the shared feed stays in Korean)."""
    event = _visible_event(request, pk)
    response = HttpResponse(calendar_bytes([event], name=event.title, series_as_one=False),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def _feed_etag(request) -> str | None:
    """Calendar apps poll the feed with If-None-Match: while no event changed (the events version
    in the key), they get 304 Not Modified instead of the body. Only for anonymous callers, whose
    feed is the same for everyone."""
    if request.user.is_authenticated:
        return None
    filters = selectors.Filters.from_query(request.GET)
    key = page_cache.key("events", "feed", filters.stage, filters.type, filters.organiser)
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@require_GET
@condition(etag_func=_feed_etag)
def feed_ics(request):
    """The subscribable feed. It embeds no token, so for anonymous callers (calendar apps) the whole
    body is cached per filters and day; a change to any event replaces it at once."""
    filters = selectors.Filters.from_query(request.GET)

    def build() -> bytes:
        now = timezone.now()
        events = (
            selectors.event_list_visible_to(request.user, filters=filters, top_level=False)
            .filter(starts_at__gte=now - timedelta(days=FEED_PAST_DAYS),
                    starts_at__lte=now + timedelta(days=FEED_FUTURE_DAYS))
        )[:FEED_LIMIT]
        # One cached body serves every subscriber, so it is always built in the portal's language,
        # never in whichever language the first caller happened to browse in.
        with translation.override(settings.LANGUAGE_CODE):
            return calendar_bytes(events, name=_("광명시 행사 달력"))

    cache_key = None
    if not request.user.is_authenticated:
        cache_key = page_cache.key("events", "feed", filters.stage, filters.type, filters.organiser)
    # Calendar apps poll this often and it can be large: the compressed copy is made once and kept
    # beside the plain one (and fetched alone) instead of compressing on every request.
    gzip_ok = "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")
    if gzip_ok:
        body = page_cache.get_or_set(f"{cache_key}:gz" if cache_key else None,
                                     lambda: gzip.compress(page_cache.get_or_set(cache_key, build), 9), local=True)
    else:
        body = page_cache.get_or_set(cache_key, build)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if gzip_ok:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    response["Content-Disposition"] = 'inline; filename="gwangmyeong-events.ics"'
    return response


# --- A series and its sessions; a series as a course ------------------------------------------------

def _render_series(request, series: EventSeries, form: RegistrationForm | None = None, *, status: int = 200):
    now = timezone.now()
    sessions = selectors.series_sessions(request.user, series=series)
    course = None
    if request.user.is_authenticated:
        course = series.course_registrations.filter(user=request.user, cancelled_at__isnull=True).first()
    remaining = [s for s in sessions if s.status == Event.Status.SCHEDULED and s.starts_at > now]
    first = remaining[0] if remaining else None
    window_open = (
        series.course_registration and series.registration_required and first is not None
        and (first.registration_opens_at is None or first.registration_opens_at <= now)
        and (first.registration_closes_at is None or now <= first.registration_closes_at)
    )
    return render(request, "events/series.html", {
        "series": series, "sessions": sessions, "remaining": remaining, "course": course,
        "window_open": window_open, "retention_days": settings.REGISTRATION_RETENTION_DAYS,
        "form": (form or RegistrationForm(event=series)) if window_open and course is None else None,
        "refusals": form.non_field_errors() if form is not None else [],
        "crumbs": _crumbs(request, (series.title, request.path)),
    }, status=status)


def _visible_series(request, pk: int) -> EventSeries:
    return get_object_or_404(EventSeries.objects.visible_to(request.user).select_related("organiser"), pk=pk)


@require_GET
def series_detail(request, pk: int):
    """The series page: every session linked, and for a course the one registration for all of them."""
    return _render_series(request, _visible_series(request, pk))


@require_GET
def series_ics(request, pk: int):
    """The whole series as one recurring calendar event (RRULE, EXDATE for skipped weeks)."""
    series = _visible_series(request, pk)
    sessions = list(Event.objects.visible_to(request.user).filter(series=series).order_by("starts_at", "pk"))
    response = HttpResponse(calendar_bytes(sessions, name=series.title), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="series-{series.pk}.ics"'
    return response


@login_required
@require_POST
def series_register(request, pk: int):
    series = _visible_series(request, pk)
    form = RegistrationForm(request.POST, event=series)
    if not form.is_valid():
        return _render_series(request, series, form, status=400)
    try:
        services.course_register(series=series, user=request.user, consent=form.cleaned_data["consent"],
                                 provision_consent=form.cleaned_data.get("provision_consent", False),
                                 party_size=form.cleaned_party_size())
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _render_series(request, series, form, status=409)
    messages.success(request, _("강좌 전체 신청이 확정되었습니다. 회차마다 내 행사 신청에 입장 QR 코드가 있습니다."))
    return redirect("events:series", pk=series.pk)


@login_required
@require_POST
def course_cancel(request, pk: int):
    course = get_object_or_404(CourseRegistration, pk=pk, user=request.user)
    try:
        services.course_cancel(course=course)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("강좌 신청을 취소했습니다."))
    return redirect("events:series", pk=course.series_id)


# --- Registration --------------------------------------------------------------------------------

@login_required
@require_POST
def register(request, pk: int):
    # Only the organiser (whether the registrant's data goes to an agency): at an opening this runs for
    # every parent, and the event's parent and series, rarely set, are read when needed.
    event = _visible_event(request, pk, related=("organiser",))
    form = RegistrationForm(request.POST, event=event)
    if not form.is_valid():
        # The page again with the errors and everything typed, like a refused programs application.
        return _render_detail(request, event, form, status=400)
    try:
        registration = services.registration_create(
            event=event, user=request.user, consent=form.cleaned_data["consent"],
            provision_consent=form.cleaned_data.get("provision_consent", False),
            party_size=form.cleaned_party_size(), answers=form.cleaned_answers(),
        )
    except ValidationError as exc:
        # A well-formed request the event's state refuses (registered already, full, closed).
        if getattr(exc, "code", None) in services.NOTHING_TO_CORRECT:
            # Nothing on the form would change the answer: the short page says so and leads on.
            # At an opening rush most answers are these, and the event page costs several times more.
            return render(request, "events/refused.html", {
                "event": event, "refusals": exc.messages,
                "crumbs": _crumbs(request, (event.title, event.get_absolute_url()),
                                  (_("신청하지 못했습니다"), request.path)),
            }, status=409)
        for message in exc.messages:
            form.add_error(None, message)
        return _render_detail(request, event, form, status=409)
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(request, _("신청이 확정되었습니다."))
    else:
        messages.info(request, _("정원이 차서 대기자로 신청되었습니다. 자리가 나면 알려 드립니다."))
    return redirect("events:registration", pk=registration.pk)


def _own_registration(request, pk: int) -> Registration:
    return get_object_or_404(Registration.objects.visible_to(request.user).select_related("event", "event__organiser"),
                             pk=pk, user=request.user)


@login_required
@require_POST
def cancel(request, pk: int):
    registration = _own_registration(request, pk)
    try:
        services.registration_cancel(registration=registration)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("‘%(title)s’ 신청을 취소했습니다.") % {"title": registration.event.title})
    return redirect("events:my")


@login_required
@require_POST
def accept_offer(request, pk: int):
    registration = _own_registration(request, pk)
    try:
        services.offer_accept(registration=registration)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("빈자리를 수락했습니다. 신청이 확정되었습니다."))
    return redirect("events:registration", pk=registration.pk)


def _qr_data_uri(request, registration: Registration) -> str:
    url = request.build_absolute_uri(
        reverse("events:checkin", args=[registration.event_id]) + f"?token={registration.token}")
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


@login_required
@require_GET
def registration_detail(request, pk: int):
    """The confirmation: status, QR code for check-in, calendar file, cancel button."""
    registration = _own_registration(request, pk)
    qr = None
    if registration.status in (Registration.Status.CONFIRMED, Registration.Status.ATTENDED):
        qr = _qr_data_uri(request, registration)
    event = registration.event
    # The accept form only while the offer can still be taken (the service refuses otherwise).
    offer_open = (registration.status == Registration.Status.OFFERED and event.status == Event.Status.SCHEDULED
                  and timezone.now() < min(registration.offer_expires_at, services.offer_deadline_bound(event)))
    return render(request, "events/registration.html", {
        "registration": registration, "event": event, "qr": qr, "offer_open": offer_open,
        "crumbs": _crumbs(request, (_("내 행사 신청"), reverse("events:my")), (_("신청 내역"), request.path)),
    })


@login_required
@require_GET
def my(request):
    registrations = list(
        Registration.objects.visible_to(request.user).filter(user=request.user)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("event", "event__organiser").order_by("event__starts_at", "pk")
    )
    now = timezone.now()
    upcoming = [r for r in registrations if r.event.ends_at >= now]
    past = [r for r in registrations if r.event.ends_at < now][::-1]
    interests = _interests_with_state(request.user)
    return render(request, "events/my.html", {"upcoming": upcoming, "past": past, "interests": interests,
                                              "crumbs": _crumbs(request, (_("내 행사 신청"), request.path))})


@login_required
def feedback(request, pk: int):
    registration = _own_registration(request, pk)
    if registration.status != Registration.Status.ATTENDED:
        # Only checked-in attendees rate an event; the service refuses the rest too.
        messages.error(request, _("입장이 확인된 참석자만 의견을 남길 수 있습니다."))
        return redirect("events:registration", pk=registration.pk)
    existing = Feedback.objects.filter(registration=registration).first()
    initial = {"rating": existing.rating, "comment": existing.comment} if existing else None
    form = FeedbackForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 400 if form.is_bound else 200  # a POST that is not redirected was refused
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(registration=registration, rating=form.cleaned_data["rating"],
                                     comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            status = 409
        else:
            messages.success(request, _("의견을 보내 주셔서 고맙습니다."))
            return redirect("events:my")
    return render(request, "events/feedback.html", {
        "registration": registration, "event": registration.event, "form": form,
        "crumbs": _crumbs(request, (_("내 행사 신청"), reverse("events:my")), (_("만족도 조사"), request.path)),
    }, status=status)


# --- Check-in (organiser staff) -------------------------------------------------------------------

def _int_or_404(value) -> int:
    """A posted id as a number; anything else (letters, an empty field) is a missing record."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _managed_event(request, pk: int) -> Event:
    """Events the user manages; any other id answers 404 (never another agency's attendees)."""
    if not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(Event.objects.managed_by(request.user), pk=pk)


@login_required
def checkin(request, pk: int):
    event = _managed_event(request, pk)
    if request.method == "POST":
        try:
            if request.POST.get("token"):
                registration, new = services.checkin_by_token(event=event, token=request.POST["token"])
            else:
                target = get_object_or_404(event.registrations, pk=_int_or_404(request.POST.get("registration")))
                registration, new = services.checkin(registration=target)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            # Marking someone attended changes their record, and the answer shows their name: 접속기록.
            access_log_record(action="change" if new else "view", request=request, obj=registration,
                              detail={"event": event.pk, "checked_in": new,
                                      "by": "token" if request.POST.get("token") else "search"})
            name = registration.user.name or registration.user.email
            if new:
                messages.success(request, _("%(name)s님 입장을 확인했습니다.") % {"name": name})
            else:
                messages.info(request, _("%(name)s님은 이미 입장을 확인했습니다.") % {"name": name})
        query = request.POST.get("q", "")[:100]
        return redirect(reverse("events:checkin", args=[event.pk]) + (f"?{urlencode({'q': query})}" if query else ""))

    q = (request.GET.get("q") or "").strip()[:100]
    token = (request.GET.get("token") or "").strip()[:64]
    scanned = None
    if token:
        scanned = event.registrations.select_related("user").filter(token=token).first()
    results = []
    if q:
        results = list(
            event.registrations.select_related("user").filter(status__in=Registration.HOLDS_PLACE)
            .filter(Q(user__name__icontains=q) | Q(user__email__icontains=q) | Q(user__phone__endswith=q))
            .order_by("user__name")[:50]
        )
    if q or scanned:
        shown = [*results, *([scanned] if scanned else [])]
        access_log_record(action="view", request=request, record_type="events.registration",
                          record_id=f"event:{event.pk}", detail={"search": q, "scanned": bool(scanned),
                                                                 "rows": len(shown), "subjects": list_subjects(shown)})
    return render(request, "events/checkin.html", {
        "event": event, "q": q, "results": results, "scanned": scanned, "token": token,
        "counts": selectors.checkin_counts(event), "searched": bool(q),
        "crumbs": _crumbs(request, (event.title, event.get_absolute_url()), (_("입장 확인"), request.path)),
    })


@login_required
@require_GET
def checkin_counts(request, pk: int):
    event = _managed_event(request, pk)
    response = JsonResponse(selectors.checkin_counts(event))
    response["Cache-Control"] = "no-store"
    return response


# --- The organiser page (who is confirmed, offered, waiting; by-hand changes; messages) -------------

def _manage_forms(request, event: Event, data=None, op: str = "") -> dict:
    active = event.registrations.filter(status__in=Registration.ACTIVE).select_related("user").order_by(
        "user__name", "pk")
    movable = active.exclude(status=Registration.Status.ATTENDED)
    return {
        "add_form": OrganiserAddForm(data if op == "add" else None, prefix="add"),
        "move_form": OrganiserMoveForm(data if op == "move" else None, prefix="move", registrations=movable,
                                       events=selectors.events_to_move_to(request.user, event=event)),
        "resize_form": OrganiserResizeForm(data if op == "resize" else None, prefix="resize", registrations=active),
        "message_form": MessageForm(data if op == "message" else None, prefix="message"),
    }


def _manage_post(request, event: Event, op: str, forms: dict) -> str | None:
    """Carry out one organiser change; returns the success message, or None (errors on the form)."""
    from accounts.models import User

    if op == "cancel_message":
        message = get_object_or_404(OrganiserMessage, event=event, pk=_int_or_404(request.POST.get("message")))
        services.organiser_message_cancel(message=message)
        return _("예약한 안내를 취소했습니다.")
    form = forms.get(f"{op}_form")
    if form is None or not form.is_valid():
        return None
    data = form.cleaned_data
    if op == "message":
        count = services.registrants_message(event=event, statuses=data["statuses"], text=data["text"],
                                             sent_by=request.user, send_at=data["send_at"], again=data["again"])
        if data["send_at"] and data["send_at"] > timezone.now():
            return _("%(when)s에 보내도록 예약했습니다.") % {"when": services.format_when(data["send_at"])}
        return _("%(n)s명에게 안내를 보냈습니다.") % {"n": count}
    if op == "add":
        user = User.objects.filter(email__iexact=data["email"]).first()
        if user is None:
            form.add_error("email", _("이 이메일로 가입한 사람이 없습니다."))
            return None
        registration = services.registration_add_by_organiser(event=event, user=user, reason=data["reason"],
                                                              party_size=data["party_size"], waitlist=data["waitlist"])
        access_log_record(action="change", request=request, obj=registration, reason=data["reason"],
                          detail={"event": event.pk, "added": registration.status})
        return _("%(name)s님을 추가했습니다(%(status)s).") % {"name": user.name or user.email,
                                                           "status": registration.get_status_display()}
    if op == "move":
        moved = services.registration_move(registration=data["registration"], to_event=data["to_event"],
                                           reason=data["reason"])
        access_log_record(action="change", request=request, obj=moved, reason=data["reason"],
                          detail={"event": event.pk, "moved_from": data["registration"].pk, "moved_to": moved.event_id})
        return _("%(name)s님을 ‘%(title)s’(으)로 옮겼습니다.") % {
            "name": moved.user.name or moved.user.email, "title": moved.event.title}
    registration = services.registration_party_size_change(registration=data["registration"],
                                                           party_size=data["party_size"], reason=data["reason"])
    access_log_record(action="change", request=request, obj=registration, reason=data["reason"],
                      detail={"event": event.pk, "party_size": registration.party_size})
    return _("인원을 %(n)s명으로 바꿨습니다.") % {"n": registration.party_size}


@login_required
def manage(request, pk: int):
    """The organiser's page of one event: confirmed, offered (until when) and waiting registrants;
    adding, moving or resizing a registration by hand with a logged reason; messages sent and
    scheduled. Only for those who manage the event (others: 404)."""
    event = _managed_event(request, pk)
    op = request.POST.get("op", "") if request.method == "POST" else ""
    forms = _manage_forms(request, event, request.POST if op else None, op)
    if op:
        try:
            done = _manage_post(request, event, op, forms)
        except ValidationError as exc:
            form = forms.get(f"{op}_form")
            for message in exc.messages:
                if form is not None:
                    form.add_error(None, message)
                else:
                    messages.error(request, message)
            done = None
            if form is None:
                return redirect("events:manage", pk=event.pk)
        if done:
            messages.success(request, done)
            return redirect("events:manage", pk=event.pk)
    overview = selectors.organiser_overview(event)
    # The page lists registrants by name: one access-log row per look.
    rows = sum(len(overview[key]) for key in ("confirmed", "offered", "waiting"))
    access_log_record(action="view", request=request, record_type="events.registration",
                      record_id=f"event:{event.pk}", detail={"manage": True, "rows": rows})
    return render(request, "events/manage.html", {
        "event": event, **overview, **forms, "places": selectors.event_places(event), "now": timezone.now(),
        "crumbs": _crumbs(request, (event.title, event.get_absolute_url()), (_("신청자 관리"), request.path)),
    }, status=400 if op else 200)


# --- From the fair to the programs --------------------------------------------------------------

def _interests_with_state(user) -> list[ProgramInterest]:
    from programs.models import Program

    interests = list(ProgramInterest.objects.filter(user=user).select_related("program", "event"))
    open_ids = set(Program.objects.open_now().filter(pk__in=[i.program_id for i in interests])
                   .values_list("pk", flat=True))
    for interest in interests:
        interest.is_open = interest.program_id in open_ids
    return interests


def _linked_programs(event: Event):
    from programs.models import Program

    return list(event.programs.filter(status=Program.Status.PUBLISHED).order_by("title_ko"))


def interest(request, pk: int):
    """Where a booth poster's QR code leads: the linked programs and a button to save them."""
    event = _visible_event(request, pk)
    programs = _linked_programs(event)
    if not programs:
        raise Http404
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        try:
            services.program_interest_record(user=request.user, event=event)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            status = 409
        else:
            messages.success(request, _("관심 사업으로 저장했습니다. 신청이 시작되면 알려 드립니다."))
            return redirect(reverse("events:my") + "#interests")
    saved = set()
    if request.user.is_authenticated:
        saved = set(ProgramInterest.objects.filter(user=request.user, program__in=programs)
                    .values_list("program_id", flat=True))
    return render(request, "events/interest.html", {
        "event": event, "programs": programs, "all_saved": saved >= {p.pk for p in programs},
        "crumbs": _crumbs(request, (event.title, event.get_absolute_url()), (_("관심 사업 저장"), request.path)),
    }, status=status)


@require_GET
def poster(request, pk: int):
    """A printable poster for the booth: its programs and a large QR code to the interest page."""
    event = _visible_event(request, pk)
    programs = _linked_programs(event)
    if not programs:
        raise Http404
    url = request.build_absolute_uri(reverse("events:interest", args=[event.pk]))
    qr = segno.make(url, error="q").svg_data_uri(scale=10, border=2)
    return render(request, "events/poster.html", {"event": event, "programs": programs, "qr": qr, "url": url})


@login_required
@require_POST
def interest_remove(request, pk: int):
    item = get_object_or_404(ProgramInterest, pk=pk, user=request.user)
    services.program_interest_remove(interest=item)
    messages.success(request, _("관심 사업에서 뺐습니다."))
    return redirect(reverse("events:my") + "#interests")
