"""/api/v1/: the open data API, read-only and anonymous, built with django-ninja.

Operations parse and check their parameters (a bad one is a 422 with a JSON message, never a
page), call one ``api.selectors`` function, and answer through ``_answer``: JSON with an ``ETag``
(and ``Last-Modified`` where the rows say when they changed), ``304`` for a matching conditional
request, ``Content-Language`` for the language the text is in. Every answer, error or not, is
JSON (``api.middleware.JsonErrorsMiddleware`` catches what Django answers outside the operations).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from datetime import date, timedelta
from enum import Enum, StrEnum
from typing import Annotated, Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.renderers import JSONRenderer
from ninja.throttling import SimpleRateThrottle
from pydantic import BeforeValidator

from gwangmyeong_portal import page_cache
from gwangmyeong_portal.access_log import client_ip
from programs.models import LifeStage, Program
from programs.selectors import CatalogFilters

from . import schemas, selectors

logger = logging.getLogger(__name__)

ERRORS = {404: schemas.ErrorOut, 422: schemas.ErrorOut, 429: schemas.ErrorOut}


class PerIpThrottle(SimpleRateThrottle):
    """``API_RATE_LIMIT`` requests per client address and window, signed in or not (the access
    log's notion of the address, so ``TRUSTED_PROXY_COUNT`` applies).

    A fixed-window counter (one atomic ``incr`` in Redis per request) rather than ninja's own
    history of timestamps, whose cost grows with the limit. When the cache cannot answer, the API
    stays open and says so in the log (fails open, as the sign-in limits must)."""

    scope = "api"

    def __init__(self):
        super().__init__(rate=settings.API_RATE_LIMIT)
        self._wait = None

    def allow_request(self, request: HttpRequest) -> bool:
        # The setting is read on every request, so an operator's (or a test's) change applies at once.
        limit, period = self.parse_rate(settings.API_RATE_LIMIT)
        now = int(time.time())
        window = now // period
        try:
            count = _count_request(f"api-rate:{client_ip(request) or 'unknown'}:{window}", period + 1)
        except Exception:  # noqa: BLE001 - any cache failure: let the request through
            count = None
        if not isinstance(count, int):
            logger.warning("open data API rate limit not applied: the cache did not answer")
            return True
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self):
        return self._wait


def _count_request(key: str, ttl: int) -> int | None:
    """Add one to ``key``'s counter and return it. On Redis (django-redis) INCR and EXPIRE go in one
    round trip, since every API request pays it; other caches (development) use add/incr."""
    client = getattr(getattr(cache, "client", None), "get_client", None)
    if client is None:
        return 1 if cache.add(key, 1, timeout=ttl) else cache.incr(key)
    pipe = client(write=True).pipeline()
    redis_key = cache.make_key(key)
    pipe.incr(redis_key)
    pipe.expire(redis_key, ttl, nx=True)
    count, _ = pipe.execute()
    return int(count)


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="광명시 아이와 맘 편한 도시 공공데이터 API",
    version="1",
    description=(
        "Gwangmyeong City's child- and mom-friendly city programs, facilities, event calendar and the "
        "2017 partner-agency agreement as open data. Read-only, no key, no personal data. Text comes in "
        "Korean or English: `?lang=ko|en`, else the Accept-Language header. Lists are paged (`page`, "
        "`page_size`) in a stable order. Answers carry ETag (and Last-Modified where known) and honour "
        "If-None-Match / If-Modified-Since with 304. CORS allows GET from any origin. Each client address "
        "may make API_RATE_LIMIT requests (429 with Retry-After beyond that). Errors are JSON: "
        "{message, code, details}."
    ),
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
    renderer=Renderer(),
    throttle=[PerIpThrottle()],
)


# --- Errors: JSON, with a message in the requested language ------------------------------------------

def error_response(request, *, status: int, code: str, message: str, details=None, headers=None) -> HttpResponse:
    body = json.dumps({"message": message, "code": code, "details": details}, ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    details = [{"location": ".".join(str(part) for part in error.get("loc", ())), "reason": error.get("msg", "")}
               for error in exc.errors]
    return error_response(request, status=422, code="invalid_parameters",
                          message=_("요청한 값을 확인해 주세요."), details=details)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, status=404, code="not_found", message=_("찾는 자료가 없습니다."))


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    wait = max(1, int(exc.wait or 1))
    return error_response(request, status=429, code="rate_limited",
                          message=_("요청이 너무 많습니다. %(seconds)s초 뒤에 다시 시도해 주세요.") % {"seconds": wait},
                          headers={"Retry-After": str(wait)})


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return error_response(request, status=exc.status_code, code="error", message=str(exc))


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    logger.exception("open data API: %s failed", request.path)
    return error_response(request, status=500, code="server_error",
                          message=_("일시적인 오류입니다. 잠시 뒤에 다시 시도해 주세요."))


# --- Answers --------------------------------------------------------------------------------------------

def _answer(request, schema: type[Schema] | None, data: dict, *, last_modified=None) -> HttpResponse:
    """Serialise ``data`` with ``schema`` (None: ``data`` is already as sent, e.g. rows serialised
    once when they were cached); ETag over the body, Last-Modified if known; 304 when the client
    already has it."""
    payload = schema.model_validate(data).model_dump(mode="json") if schema is not None else data
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    stamp = int(last_modified.timestamp()) if last_modified else None
    # Public data: shared caches may keep it briefly; clients revalidate with the ETag.
    response = _headers(HttpResponse(body, content_type="application/json; charset=utf-8"), etag=etag,
                        stamp=stamp, language=translation.get_language())
    conditional = get_conditional_response(request, etag=etag, last_modified=stamp, response=response)
    return conditional


def _headers(response: HttpResponse, *, etag: str, stamp: int | None, language: str) -> HttpResponse:
    response["ETag"] = etag
    if stamp:
        response["Last-Modified"] = http_date(stamp)
    response["Content-Language"] = language
    response["Cache-Control"] = f"public, max-age={settings.API_CACHE_SECONDS}"
    patch_vary_headers(response, ["Accept-Language"])
    return response


def body_cached(kind: str, *, live: bool = False):
    """Keep a whole 200 answer (body, ETag, Last-Modified) in ``page_cache`` under ``kind``'s version,
    so a repeated request costs the cache look-ups and nothing else: no query, no serialising. The
    same signals that renew the pages' versions renew these. An answer with figures counted live
    (``live``: places left) is kept only ``API_LIVE_SECONDS``, so its counts are never older."""
    def decorator(operation):
        @functools.wraps(operation)
        def wrapped(request, *args, **kwargs):
            key = page_cache.key(kind, "api-body", request.path, sorted(request.GET.lists()))
            cached = cache.get(key)
            if cached is None:
                response = operation(request, *args, **kwargs)
                if response.status_code != 200 or not response.has_header("ETag"):
                    return response
                cached = {"body": response.content, "etag": response["ETag"], "language": response["Content-Language"],
                          "stamp": parse_http_date_safe(response.get("Last-Modified", ""))}
                cache.set(key, cached, settings.API_LIVE_SECONDS if live else page_cache.TIMEOUT)
            answer = _headers(HttpResponse(cached["body"], content_type="application/json; charset=utf-8"),
                              etag=cached["etag"], stamp=cached["stamp"], language=cached["language"])
            return get_conditional_response(request, etag=cached["etag"], last_modified=cached["stamp"],
                                            response=answer)

        return wrapped

    return decorator


def _page_links(request, page: int, page_size: int, count: int) -> tuple[str | None, str | None]:
    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        query["page_size"] = str(page_size)
        return f"{request.path}?{query.urlencode()}"

    last = max(1, -(-count // page_size))
    return (link(page + 1) if page < last else None, link(page - 1) if page > 1 else None)


def _paged_answer(request, schema, value: dict, *, page: int, page_size: int) -> HttpResponse:
    following, previous = _page_links(request, page, page_size, value["count"])
    data = {"count": value["count"], "page": page, "page_size": page_size, "next": following,
            "previous": previous, "results": value["rows"]}
    if "approximate" in value:  # a searched list (programs, facilities)
        data.update(approximate=value["approximate"], suggestions=value["suggestions"])
    return _answer(request, schema, data, last_modified=value["last_modified"])


# --- Parameters -----------------------------------------------------------------------------------------

class Lang(StrEnum):
    ko = "ko"
    en = "en"


Stage = Enum("Stage", {code: code for code in LifeStage.values}, type=str)
Topic = Enum("Topic", {code: code for code in Program.Topic.values}, type=str)
EventType = Enum("EventType", {code: code for code in selectors.PUBLIC_EVENT_TYPES}, type=str)


class Common(Schema):
    lang: Lang | None = Field(None, description="Language of the text fields: ko or en. Without it, the "
                                                "Accept-Language header decides (Korean by default).")


class Paging(Common):
    page: int = Field(1, ge=1, le=10_000, description="Page number, from 1.")
    page_size: int = Field(20, ge=1, le=100, description="Items per page, 1 to 100.")


class ProgramQuery(Paging):
    stage: Stage | None = Field(None, description="Only this life stage.")
    household: str | None = Field(None, max_length=30, pattern=r"^[-a-z0-9_]+$",
                                  description="Only programs for this kind of household (a household tag code).")
    topic: Topic | None = Field(None, description="Only this topic.")
    open_now: bool = Field(False, description="Only programs taking online applications today.")
    q: str | None = Field(None, max_length=100, description="Search words (partial Korean words match, as on "
                                                            "the catalog page).")

    def filters(self) -> CatalogFilters:
        return CatalogFilters.from_query({
            "stage": self.stage.value if self.stage else "", "tag": self.household or "",
            "topic": self.topic.value if self.topic else "", "open": "1" if self.open_now else "",
            "q": self.q or "",
        })


class FacilityQuery(Paging):
    stage: Stage | None = Field(None, description="Only facilities for this life stage.")
    q: str | None = Field(None, max_length=100, description="Search words.")

    def filters(self) -> CatalogFilters:
        return CatalogFilters.from_query({"stage": self.stage.value if self.stage else "", "q": self.q or ""})


def _iso_date(value):
    """Only YYYY-MM-DD, as the document says (pydantic alone would also take 0 as 1970-01-01)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        return value
    raise ValueError(_("날짜는 YYYY-MM-DD 형식으로 적어 주세요."))


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class EventQuery(Paging):
    date_from: IsoDate | None = Field(None, alias="from", description="First day (YYYY-MM-DD, Asia/Seoul); "
                                                                   "default today.")
    date_to: IsoDate | None = Field(None, alias="to", description=(
        f"Last day (YYYY-MM-DD); default 90 days after `from`; a later one is cut to {selectors.MAX_RANGE_DAYS} "
        "days after `from`; one before `from` gives no events."))
    stage: Stage | None = Field(None, description="Only events for this life stage.")
    type: EventType | None = Field(None, description="Only this type of event.")
    organiser: str | None = Field(None, max_length=60, pattern=r"^[-a-z0-9_]+$",
                                  description='Only events of this agency (its slug, see /agencies), or "city" for '
                                              "the city's own offices; an unknown slug matches no event.")
    has_places: bool = Field(False, description="Only events someone could still get into (a free place or a "
                                                "waitlist place, or no limit).")
    include_sub_events: bool = Field(False, description="Also list the talks and booths inside umbrella events.")

    def query(self) -> selectors.EventQuery:
        start = self.date_from or timezone.localdate()
        # A range longer than MAX_RANGE_DAYS is cut to it (said in the parameter's description);
        # a `to` before `from` is an empty range.
        end = min(self.date_to or start + timedelta(days=90), start + timedelta(days=selectors.MAX_RANGE_DAYS))
        return selectors.EventQuery(
            date_from=start, date_to=end, stage=self.stage.value if self.stage else "",
            type=self.type.value if self.type else "", organiser=self.organiser or "",
            has_places=self.has_places, include_sub_events=self.include_sub_events,
        )


SLUG = Path(..., description="The slug from a list's `slug` field.", max_length=80)
EVENT_ID = Path(..., description="The identifier from a list's `id` field.")


def _language(lang: Lang | None):
    return translation.override(lang.value) if lang else translation.override(translation.get_language())


def _slug(value: str) -> str:
    if not value or len(value) > 80 or not all(c.isalnum() or c in "-_" for c in value):
        raise Http404
    return value


# --- Operations -----------------------------------------------------------------------------------------

@api.get("/programs", response={200: schemas.ProgramPageOut, **ERRORS}, tags=["programs"],
         summary="Programs of the catalog", operation_id="programs_list")
@body_cached("programs")
def programs_list(request, params: Query[ProgramQuery]) -> Any:
    """Published programs with the catalog's filters, in the catalog's order (life stage, title)."""
    with _language(params.lang):
        value = selectors.program_page(filters=params.filters(),
                                       page=selectors.Page(params.page, params.page_size))
        return _paged_answer(request, schemas.ProgramPageOut, value, page=params.page, page_size=params.page_size)


@api.get("/programs/{slug}", response={200: schemas.ProgramDetailOut, **ERRORS}, tags=["programs"],
         summary="One program", operation_id="programs_detail")
@body_cached("programs")
def programs_detail(request, params: Query[Common], slug: str = SLUG) -> Any:
    """A published program: criteria, support, amount, documents, office, legal basis, window."""
    with _language(params.lang):
        value = selectors.program_detail(slug=_slug(slug))
        if value is None:
            raise Http404
        return _answer(request, schemas.ProgramDetailOut, value["row"], last_modified=value["last_modified"])


@api.get("/facilities", response={200: schemas.FacilityPageOut, **ERRORS}, tags=["facilities"],
         summary="Facilities citizens can use", operation_id="facilities_list")
@body_cached("programs")
def facilities_list(request, params: Query[FacilityQuery]) -> Any:
    """Facilities (toy library, sharing spaces, nursing rooms…) with address and opening hours."""
    with _language(params.lang):
        value = selectors.program_page(filters=params.filters(), page=selectors.Page(params.page, params.page_size),
                                       facility=True)
        return _paged_answer(request, schemas.FacilityPageOut, value, page=params.page, page_size=params.page_size)


@api.get("/facilities/{slug}", response={200: schemas.FacilityOut, **ERRORS}, tags=["facilities"],
         summary="One facility", operation_id="facilities_detail")
@body_cached("programs")
def facilities_detail(request, params: Query[Common], slug: str = SLUG) -> Any:
    with _language(params.lang):
        value = selectors.program_detail(slug=_slug(slug), facility=True)
        if value is None:
            raise Http404
        return _answer(request, schemas.FacilityOut, value["row"], last_modified=value["last_modified"])


@api.get("/events", response={200: schemas.EventPageOut, **ERRORS}, tags=["events"],
         summary="Events of the calendar", operation_id="events_list")
@body_cached("events", live=True)
def events_list(request, params: Query[EventQuery]) -> Any:
    """Public events overlapping the date range, by start time; places counted now."""
    with _language(params.lang):
        value = selectors.event_page(query=params.query(), page=selectors.Page(params.page, params.page_size))
        # The rows come serialised (api.schemas.EventOut) from the selector's cache.
        return _paged_answer(request, None, value, page=params.page, page_size=params.page_size)


@api.get("/events/{event_id}", response={200: schemas.EventDetailOut, **ERRORS}, tags=["events"],
         summary="One event", operation_id="events_detail")
@body_cached("events", live=True)
def events_detail(request, params: Query[Common], event_id: int = EVENT_ID) -> Any:
    """A public event with places left, its umbrella event and sub-events, and its weekly series."""
    with _language(params.lang):
        if not 1 <= event_id <= 2**63 - 1:
            raise Http404
        value = selectors.event_detail(pk=event_id)
        if value is None:
            raise Http404
        return _answer(request, schemas.EventDetailOut, value["row"], last_modified=value["last_modified"])


@api.get("/agencies", response={200: schemas.AgencyListOut, **ERRORS}, tags=["agreement"],
         summary="The city and its partner agencies", operation_id="agencies_list")
@body_cached("events")
def agencies_list(request, params: Query[Common]) -> Any:
    with _language(params.lang):
        value = selectors.agency_list()
        return _answer(request, schemas.AgencyListOut, {"count": value["count"], "results": value["rows"]})


@api.get("/agreement", response={200: schemas.AgreementOut, **ERRORS}, tags=["agreement"],
         summary="The 2017 agreement and its clauses", operation_id="agreement_detail")
def agreement_detail(request, params: Query[Common]) -> Any:
    with _language(params.lang):
        value = selectors.agreement()
        if value is None:
            raise Http404
        return _answer(request, schemas.AgreementOut, value)

