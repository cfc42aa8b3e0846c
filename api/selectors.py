"""Reads behind the open data API: the catalog, facilities, the calendar and the agreement as plain
dicts in the shape of ``api.schemas``.

Each list is built from the same selectors the pages use (``programs.selectors``,
``events.selectors``) through ``visible_to`` of an anonymous visitor, so the API shows exactly what
a visitor sees — never a draft, an unpublished event or a staff-only meetup. Lists run a fixed
number of queries whatever their length, and the parts that only change when a program, an event
or an agency changes are kept in ``page_cache`` under the same versions as the pages (so the same
signals invalidate both). Places left are counted fresh on every request (one query per page).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Registration
from events.selectors import Filters as EventFilters
from events.selectors import event_list_visible_to
from gwangmyeong_portal import page_cache
from partners.models import Agency
from partners.selectors import agreement_current
from programs import eligibility
from programs.models import LifeStage, Program
from programs.selectors import CatalogFilters, ProgramSearch, program_catalog, program_list_visible_to, program_search

from .schemas import EventOut  # noqa: E402 - after the app imports it serialises

ANONYMOUS = AnonymousUser()
# Event types the API publishes: the meetups of the staff registry are for their audience only.
PUBLIC_EVENT_TYPES = tuple(t for t in Event.Type.values if t != Event.Type.MEETUP)
MAX_RANGE_DAYS = 366


def absolute(path: str) -> str:
    return settings.NOTIFY_SITE_URL.rstrip("/") + path


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    def bounds(self) -> tuple[int, int]:
        start = (self.number - 1) * self.size
        return start, start + self.size


# --- Programs and facilities ------------------------------------------------------------------------

def _program_search(filters: CatalogFilters, *, facility: bool) -> ProgramSearch:
    """The catalog's filters and its one search (``programs.selectors.program_search``: spacing
    ignored, ranked, near misses with suggestions), for programs or for facilities."""
    base = program_catalog(ANONYMOUS, filters=replace(filters, q="")).programs.filter(is_facility=facility)
    search = program_search(base, text=filters.q)
    # A stable order for paging: the search's ranking (or the catalog's), then the slug, unique.
    ordering = list(search.programs.query.order_by) or ["life_stage", "title_ko"]
    return replace(search, programs=search.programs.order_by(*ordering, "slug"))


def _window(program: Program, today: date) -> dict:
    return {
        "apply_method": program.apply_method,
        "apply_method_label": str(program.get_apply_method_display()),
        "opens_on": program.opens_on, "closes_on": program.closes_on, "open_now": program.is_open(today),
    }


def program_row(program: Program, today: date) -> dict:
    return {
        "slug": program.slug, "url": absolute(program.get_absolute_url()), "title": program.title,
        "summary": program.summary, "life_stage": program.life_stage,
        "life_stage_label": str(program.get_life_stage_display()), "topic": program.topic,
        "topic_label": str(program.get_topic_display()),
        "households": [{"code": tag.code, "name": tag.name} for tag in program.household_tags.all()],
        "support_kind": program.support_kind, "support_kind_label": str(program.get_support_kind_display()),
        "amount_max": program.amount_max, "window": _window(program, today), "updated_at": program.updated_at,
    }


def program_detail_row(program: Program, today: date) -> dict:
    return {
        **program_row(program, today),
        "description": program.description,
        "criteria": [eligibility.rule_label(rule) for rule in program.eligibility_rules],
        "how_to_apply": program.how_to_apply,
        "documents": [{"name": doc.name, "required": doc.is_required} for doc in program.required_documents.all()],
        "office": program.office, "office_phone": program.office_phone, "legal_basis": program.legal_basis,
    }


def facility_row(program: Program) -> dict:
    return {
        "slug": program.slug, "url": absolute(program.get_absolute_url()), "name": program.title,
        "summary": program.summary, "life_stage": program.life_stage, "address": program.address,
        "opening_hours": program.opening_hours, "what_to_bring": program.what_to_bring,
        "office": program.office, "office_phone": program.office_phone, "updated_at": program.updated_at,
    }


def _paged(queryset, page: Page, row) -> dict:
    """count, rows of the page and the newest ``updated_at`` of everything matched: three queries."""
    summary = queryset.order_by().aggregate(latest=Max("updated_at"))
    count = queryset.count()
    start, end = page.bounds()
    return {"count": count, "rows": [row(obj) for obj in queryset[start:end]], "last_modified": summary["latest"]}


def program_page(*, filters: CatalogFilters, page: Page, facility: bool = False) -> dict:
    """One page of programs (or facilities) with the catalog's filters; cached with the programs."""
    today = timezone.localdate()

    def build():
        search = _program_search(filters, facility=facility)
        row = facility_row if facility else (lambda program: program_row(program, today))
        return {**_paged(search.programs, page, row), "approximate": search.approximate,
                "suggestions": list(search.suggestions)}

    key = page_cache.key("programs", "api-facilities" if facility else "api-programs", filters, page)
    return page_cache.get_or_set(key, build)


def program_detail(*, slug: str, facility: bool = False) -> dict | None:
    """One published program (or facility), or None: a draft or an unknown slug is not found."""
    today = timezone.localdate()

    def build():
        program = (_program_search(CatalogFilters(), facility=facility).programs.filter(slug=slug)
                   .prefetch_related("required_documents").first())
        if program is None:
            return {"found": False}
        row = facility_row(program) if facility else program_detail_row(program, today)
        return {"found": True, "row": row, "last_modified": program.updated_at}

    value = page_cache.get_or_set(page_cache.key("programs", "api-program", slug, facility), build)
    return value if value["found"] else None


def program_export_rows(*, facility: bool | None = None) -> list[Program]:
    """Every published program (for the downloads), in the catalog's order, tags and documents loaded."""
    queryset = program_list_visible_to(ANONYMOUS).prefetch_related("required_documents")
    if facility is not None:
        queryset = queryset.filter(is_facility=facility)
    return list(queryset.order_by("life_stage", "title_ko", "slug"))


# --- Events -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventQuery:
    """The events list's parameters, already checked (``api.v1`` refuses bad ones with a 422)."""

    date_from: date
    date_to: date
    stage: str = ""
    type: str = ""
    organiser: str = ""
    has_places: bool = False
    include_sub_events: bool = False


def places_of(event_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Head counts holding a place and waiting, per event, counted now (one query)."""
    taken: dict[int, int] = {}
    waiting: dict[int, int] = {}
    rows = (Registration.objects.filter(event_id__in=event_ids)
            .values("event_id")
            .annotate(taken=Sum("party_size", filter=Q(status__in=Registration.HOLDS_PLACE)),
                      waiting=Sum("party_size", filter=Q(status=Registration.Status.WAITLISTED))))
    for row in rows:
        taken[row["event_id"]] = row["taken"] or 0
        waiting[row["event_id"]] = row["waiting"] or 0
    return taken, waiting


def _organiser(event: Event) -> dict:
    return {"slug": event.organiser.slug if event.organiser_id and not event.organiser.is_city else None,
            "name": event.organiser_name}


def event_ref(event: Event) -> dict:
    return {"id": event.pk, "title": event.title, "starts_at": event.starts_at,
            "url": absolute(event.get_absolute_url())}


def event_row(event: Event) -> dict:
    """The cacheable part of an event row (places and whether registration is open come later)."""
    return {
        "id": event.pk, "url": absolute(event.get_absolute_url()),
        "ics_url": absolute(reverse("events:ics", args=[event.pk])), "title": event.title,
        "type": event.type, "type_label": str(event.get_type_display()), "status": event.status,
        "starts_at": event.starts_at, "ends_at": event.ends_at, "life_stages": event.stage_list,
        "venue": event.venue, "address": event.address, "audience": event.audience,
        "organiser": _organiser(event), "registration_required": event.registration_required,
        "registration_opens_at": event.registration_opens_at, "registration_closes_at": event.registration_closes_at,
        "updated_at": event.updated_at,
        # Kept to finish the row per request; removed before the answer goes out.
        "_capacity": event.capacity, "_waitlist_limit": event.waitlist_limit,
    }


def _finish(row: dict, taken: dict[int, int], waiting: dict[int, int], now: datetime) -> dict:
    row = dict(row)
    capacity, waitlist_limit = row.pop("_capacity"), row.pop("_waitlist_limit")
    used = taken.get(row["id"], 0)
    row["places"] = {"capacity": capacity, "left": None if capacity is None else max(0, capacity - used),
                     "waitlist_open": waitlist_limit > waiting.get(row["id"], 0)}
    row["registration_open"] = Event.registration_window_open(
        now=now, registration_required=row["registration_required"], status=row["status"],
        starts_at=row["starts_at"], registration_opens_at=row["registration_opens_at"],
        registration_closes_at=row["registration_closes_at"],
    )
    return row


def _event_queryset(query: EventQuery):
    filters = EventFilters(stage=query.stage, type=query.type, organiser=query.organiser)
    queryset = event_list_visible_to(ANONYMOUS, filters=filters, top_level=not query.include_sub_events)
    if query.date_to < query.date_from:
        return queryset.none()
    start = timezone.make_aware(datetime.combine(query.date_from, time.min))
    end = timezone.make_aware(datetime.combine(query.date_to + timedelta(days=1), time.min))
    return queryset.filter(type__in=PUBLIC_EVENT_TYPES).in_range(start, end).order_by("starts_at", "pk")


def _with_places_left(queryset):
    """Only events a person could still get into: no limit, a free place, or a waitlist place."""
    queryset = queryset.annotate(
        _taken=Sum("registrations__party_size", filter=Q(registrations__status__in=Registration.HOLDS_PLACE)),
        _waiting=Sum("registrations__party_size", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
    )
    return queryset.filter(
        Q(capacity__isnull=True) | Q(_taken__isnull=True) | Q(capacity__gt=F("_taken"))
        | Q(waitlist_limit__gt=0, _waiting__isnull=True) | Q(waitlist_limit__gt=F("_waiting"))
    )


def event_page(*, query: EventQuery, page: Page) -> dict:
    """One page of public events in the date range; rows cached with the events' version, places
    counted now. With ``has_places`` the filter needs today's counts, so nothing is cached."""
    now = timezone.now()

    def build():
        queryset = _event_queryset(query).select_related("organiser")
        if query.has_places:
            queryset = _with_places_left(queryset)
        value = _paged(queryset, page, event_row)
        # Each row serialised once, as it will be sent (api.schemas.EventOut); a request then only
        # puts in the two fields counted live.
        value["sent"] = [EventOut.model_validate(_finish(row, {}, {}, now)).model_dump(mode="json")
                         for row in value["rows"]]
        return value

    if query.has_places:
        value = build()
    else:
        value = page_cache.get_or_set(page_cache.key("events", "api-events", query, page), build)
    taken, waiting = places_of([row["id"] for row in value["rows"]])
    rows = []
    for raw, sent in zip(value["rows"], value["sent"], strict=True):
        finished = _finish(raw, taken, waiting, now)
        rows.append({**sent, "places": finished["places"], "registration_open": finished["registration_open"]})
    return {"count": value["count"], "last_modified": value["last_modified"], "rows": rows}


def event_detail(*, pk: int) -> dict | None:
    """One public event with its umbrella, sub-events and series, or None (not public, a meetup)."""
    now = timezone.now()

    def build():
        event = (Event.objects.visible_to(ANONYMOUS).filter(pk=pk, type__in=PUBLIC_EVENT_TYPES)
                 .select_related("organiser", "parent", "series").first())
        if event is None:
            return {"found": False}
        row = event_row(event)
        row["description"] = event.description
        parent = event.parent
        row["umbrella"] = event_ref(parent) if parent is not None and parent.is_public else None
        row["sub_events"] = [event_ref(sub) for sub in event.sub_events.filter(is_public=True)
                             .exclude(type=Event.Type.MEETUP).order_by("starts_at", "pk")]
        row["series"] = None
        if event.series_id:
            sessions = event.series.occurrences.filter(is_public=True).order_by("starts_at", "pk")
            row["series"] = {"id": event.series_id, "title": event.series.title,
                             "occurrences": [event_ref(session) for session in sessions]}
        return {"found": True, "row": row, "last_modified": event.updated_at}

    value = page_cache.get_or_set(page_cache.key("events", "api-event", pk), build)
    if not value["found"]:
        return None
    taken, waiting = places_of([pk])
    return {**value, "row": _finish(value["row"], taken, waiting, now)}


def event_export_rows(*, date_from: date, date_to: date) -> list[Event]:
    """Public events in the range for the national-standard download (sub-events included)."""
    query = EventQuery(date_from=date_from, date_to=date_to, include_sub_events=True)
    return list(_event_queryset(query).select_related("organiser"))


# --- Agencies and the agreement ---------------------------------------------------------------------

def agency_row(agency: Agency) -> dict:
    return {"slug": agency.slug, "name": agency.name, "kind": agency.kind,
            "kind_label": str(agency.get_kind_display()), "is_city": agency.is_city, "address": agency.address,
            "phone": agency.phone, "website": agency.website}


def agency_list() -> dict:
    def build():
        agencies = Agency.objects.filter(is_active=True).order_by("-is_city", "order", "name_ko", "pk")
        rows = [agency_row(agency) for agency in agencies]
        return {"count": len(rows), "rows": rows, "last_modified": None}

    return page_cache.get_or_set(page_cache.key("events", "api-agencies"), build)


def agreement() -> dict | None:
    """The agreement in force with its parties and clauses, or None when none is recorded. Not
    cached: four small queries, and agreements change without the page-cache signals."""
    current = agreement_current()
    if current is None:
        return None
    clauses = current.clauses.prefetch_related("signatories").order_by("number")
    parties = current.parties.filter(is_active=True).order_by("-is_city", "order", "name_ko", "pk")
    return {
        "title": current.title, "summary": current.summary, "signed_on": current.signed_on,
        "parties": [agency_row(agency) for agency in parties],
        "clauses": [{"number": clause.number, "text": clause.text,
                     "signatories": sorted(agency.slug for agency in clause.signatories.all())}
                    for clause in clauses],
    }


def stage_codes() -> list[str]:
    return list(LifeStage.values)
