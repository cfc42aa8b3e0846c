"""Pages and files of the open data API beside its JSON operations (api.v1): the documentation page (made
from the OpenAPI document, no script needed) and the national-standard downloads."""

from __future__ import annotations

import json
from datetime import timedelta

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from gwangmyeong_portal.exports import csv_stream

from . import opendata, selectors
from .v1 import api, error_response

# The events download: from two months back to a year ahead, like the calendar's reach.
EVENTS_DAYS_BACK, EVENTS_DAYS_AHEAD = 60, 365


def _schema_rows(schema: dict, components: dict) -> list[dict]:
    """The fields of one component schema, nested objects referenced by name."""
    rows = []
    for name, prop in schema.get("properties", {}).items():
        kind = prop.get("type") or ""
        ref = prop.get("$ref") or (prop.get("items") or {}).get("$ref") or ""
        for option in prop.get("anyOf", []):
            ref = ref or option.get("$ref", "") or (option.get("items") or {}).get("$ref", "")
            kind = kind or option.get("type", "")
        rows.append({"name": name, "type": kind or ("object" if ref else ""), "ref": ref.rsplit("/", 1)[-1],
                     "description": prop.get("description", ""), "required": name in schema.get("required", [])})
    return rows


@require_GET
def docs(request):
    """Every operation, parameter and field of /api/v1/, from the same document machines read."""
    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    operations = []
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            response = operation.get("responses", {}).get("200", {})
            ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            operations.append({
                "method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                "description": operation.get("description", ""), "parameters": operation.get("parameters", []),
                "response": ref.rsplit("/", 1)[-1],
            })
    schemas = [{"name": name, "description": schema.get("description", ""),
                "fields": _schema_rows(schema, components)} for name, schema in components.items()]
    return render(request, "api/docs.html", {
        "info": document.get("info", {}), "openapi_version": document.get("openapi"), "operations": operations,
        "schemas": schemas, "festival_standard": opendata.FESTIVAL_STANDARD,
        "festival_columns": opendata.FESTIVAL_COLUMNS, "program_columns": opendata.PROGRAM_COLUMNS,
    })


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def events_csv(request):
    """Public events from two months ago to a year ahead, in the 전국문화축제표준데이터 layout."""
    today = timezone.localdate()
    events = selectors.event_export_rows(date_from=today - timedelta(days=EVENTS_DAYS_BACK),
                                         date_to=today + timedelta(days=EVENTS_DAYS_AHEAD))
    response = StreamingHttpResponse(csv_stream(opendata.FESTIVAL_COLUMNS, opendata.festival_rows(events)),
                                     content_type="text/csv; charset=utf-8")
    return _attachment(response, f"gwangmyeong-events-{today:%Y%m%d}.csv")


def _language(request) -> str | None:
    """``?lang=ko|en``, else the page language (Accept-Language); None for any other value."""
    lang = request.GET.get("lang")
    if lang is None:
        return (translation.get_language() or "ko").split("-")[0]
    return lang if lang in ("ko", "en") else None


def _bad_language(request):
    return error_response(request, status=422, code="invalid_parameters",
                          message=translation.gettext("요청한 값을 확인해 주세요."),
                          details=[{"location": "query.lang", "reason": "ko or en"}])


@require_GET
def programs_csv(request):
    lang = _language(request)
    if lang is None:
        return _bad_language(request)
    records = opendata.program_records(language=lang)
    response = StreamingHttpResponse(csv_stream(opendata.PROGRAM_COLUMNS, opendata.program_csv_rows(records)),
                                     content_type="text/csv; charset=utf-8")
    return _attachment(response, f"gwangmyeong-programs-{lang}-{timezone.localdate():%Y%m%d}.csv")


@require_GET
def programs_json(request):
    lang = _language(request)
    if lang is None:
        return _bad_language(request)
    body = json.dumps({"language": lang, "generated_at": timezone.localtime().isoformat(),
                       "programs": opendata.program_records(language=lang)}, ensure_ascii=False, indent=1)
    # No BOM here: JSON forbids one (RFC 8259); Excel users take the CSV.
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    return _attachment(response, f"gwangmyeong-programs-{lang}-{timezone.localdate():%Y%m%d}.json")


@require_GET
def index(request):
    """/api/v1/: where the documentation, the OpenAPI document, the operations and the downloads are."""
    document = api.get_openapi_schema()
    body = {
        "name": document["info"]["title"], "version": document["info"]["version"],
        "documentation": request.build_absolute_uri("/api/v1/docs/"),
        "openapi": request.build_absolute_uri("/api/v1/openapi.json"),
        "operations": sorted(document["paths"]),
        "downloads": ["/api/v1/downloads/events.csv", "/api/v1/downloads/programs.csv",
                      "/api/v1/downloads/programs.json"],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def not_found(request, rest=""):
    """Any other address under /api/: a JSON 404, never the HTML page."""
    return error_response(request, status=404, code="not_found", message=translation.gettext("찾는 자료가 없습니다."))
