"""Views of the reports dashboard and its exports. Thin: parse the filters, call a selector or a
service, render or stream. Anonymous users are sent to the login page; signed-in users without a
report scope (citizens) get 403."""

from __future__ import annotations

import io
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gwangmyeong_portal.uploads import private_file_response
from programs.models import LifeStage

from . import exports, selectors, services
from .forms import ReportFilters
from .models import ExportJob


def reports_access(view):
    """Attach ``request.report_scope``; login page for anonymous users, 403 for citizens."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        scope = selectors.report_scope_for(request.user)
        if scope is None:
            raise PermissionDenied
        request.report_scope = scope
        return view(request, *args, **kwargs)

    return wrapper


def _lang(request) -> str:
    return "en" if request.GET.get("lang") == "en" else "ko"


@require_GET
@reports_access
def dashboard(request):
    scope = request.report_scope
    filters = ReportFilters.from_query(request.GET)
    tables = selectors.dashboard(user=request.user, scope=scope, filters=filters)
    query = urlencode(filters.as_query())
    sections = []
    for index, table in enumerate(tables):
        sections.append({
            "table": table, "id": table.key.replace("_", "-"), "html": _table_html(table),
            "charts": [{"id": f"chart-{index}-{n}", "data_id": f"chart-data-{index}-{n}", "config": chart}
                       for n, chart in enumerate(table.charts)],
            "csv": f"{reverse('reports:table_export', args=[table.key, 'csv'])}?{query}",
            "csv_en": f"{reverse('reports:table_export', args=[table.key, 'csv'])}?{query}&lang=en",
            "xlsx": f"{reverse('reports:table_export', args=[table.key, 'xlsx'])}?{query}",
        })
    detail_exports = [(e.kind, e.title) for e in exports.DETAIL_EXPORTS.values() if scope.is_city or not e.city_only]
    return render(request, "reports/dashboard.html", {
        "scope": scope, "filters": filters, "sections": sections, "query": query,
        "stages": LifeStage.choices, "detail_exports": detail_exports,
        "small_count_threshold": selectors.small_count_threshold(),
        "crumbs": [(_("통계·보고"), reverse("reports:dashboard"))],
    })


def _table_html(table) -> str:
    """A table's HTML, kept as long as the table itself (same key, same count): the city-wide tables
    are a few thousand cells, and rendering them was most of a dashboard's time in the rush."""
    if not table.cache_key or table.computed_at is None:
        return render_to_string("reports/_table.html", {"table": table})
    key = f"{table.cache_key}:html:{table.computed_at.timestamp()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("reports/_table.html", {"table": table})
        cache.set(key, html, settings.REPORTS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - the template's own output, escaped when it was rendered


@require_GET
@reports_access
def table_export(request, key: str, fmt: str):
    """One dashboard table as CSV or XLSX (aggregates: no reason asked, but the export is logged)."""
    scope = request.report_scope
    filters = ReportFilters.from_query(request.GET)
    try:
        table = selectors.report_table(key, user=request.user, scope=scope, filters=filters)
    except KeyError:
        raise Http404 from None
    language = _lang(request)
    header = exports.headers(table.columns, language)
    services.export_log(request=request, record_type=f"reports.{key}", filters=filters.as_json(),
                        rows=len(table.rows), fmt=fmt, extra={"lang": language, "scope": scope.kind})
    name = exports.file_name(key.replace("_", "-"), fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_stream(header, table.rows), content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        exports.xlsx_write(buffer, header, table.rows, title=key if language == "en" else str(table.title))
        response = HttpResponse(buffer.getvalue(), content_type=exports.XLSX_CONTENT_TYPE)
    return _attachment(response, name)


def _attachment(response, name: str):
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@reports_access
def detail_export(request, kind: str):
    """Ask for the filters and the reason (PIPA), then stream CSV, write a small XLSX or start a job."""
    export = exports.DETAIL_EXPORTS.get(kind)
    if export is None:
        raise Http404
    if export.city_only and not request.report_scope.is_city:
        raise PermissionDenied
    if request.method == "GET":
        page = ReportFilters.from_query({k: v for k, v in request.GET.items() if k in ("start", "end", "stage")})
        initial = {"start": page.start, "end": page.end, "stage": page.stage, "lang": _lang(request)}
        form = export.form_class(initial=initial)
    else:
        form = export.form_class(request.POST)
        if form.is_valid():
            return _run_detail_export(request, export, form)
    return render(request, "reports/export_form.html", {
        "form": form, "export": export,
        "sync_max": settings.REPORTS_SYNC_XLSX_MAX_ROWS,
        "crumbs": [(_("통계·보고"), reverse("reports:dashboard")),
                   (export.title, reverse("reports:detail_export", args=[kind]))],
    }, status=400 if request.method == "POST" else 200)


def _run_detail_export(request, export, form):
    filters, fmt = form.filters(), form.cleaned_data["format"]
    language, reason = form.cleaned_data["lang"], form.cleaned_data["reason"]
    rows = export.count(user=request.user, filters=filters)
    header = exports.headers(export.columns, language)
    if fmt == "xlsx" and rows > settings.REPORTS_SYNC_XLSX_MAX_ROWS:
        with transaction.atomic():
            job = services.export_job_start(owner=request.user, kind=export.kind, filters=filters, language=language,
                                            reason=reason)
            services.export_log(request=request, record_type=export.record_type, filters=filters, rows=rows, fmt=fmt,
                                reason=reason, extra={"lang": language, "job": job.pk})
        messages.success(request, _("행이 %(rows)s개라 파일을 뒤에서 만듭니다. "
                                    "다 되면 알림으로 내려받기 주소를 보내 드립니다.")
                         % {"rows": f"{rows:,}"})
        return redirect("reports:export_jobs")
    services.export_log(request=request, record_type=export.record_type, filters=filters, rows=rows, fmt=fmt,
                        reason=reason, extra={"lang": language})
    name = exports.file_name(export.kind, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_stream(header, export.rows(user=request.user, filters=filters)),
                                         content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        exports.xlsx_write(buffer, header, export.rows(user=request.user, filters=filters),
                           title=export.kind if language == "en" else str(export.title))
        response = HttpResponse(buffer.getvalue(), content_type=exports.XLSX_CONTENT_TYPE)
    return _attachment(response, name)


@require_GET
@reports_access
def export_jobs(request):
    jobs = ExportJob.objects.visible_to(request.user).order_by("-created_at")[:50]
    return render(request, "reports/export_jobs.html", {
        "jobs": jobs, "titles": {k: e.title for k, e in exports.DETAIL_EXPORTS.items()},
        "crumbs": [(_("통계·보고"), reverse("reports:dashboard")),
                   (_("내 내보내기 파일"), reverse("reports:export_jobs"))],
    })


@require_GET
@login_required
def export_job_download(request, token: str):
    """The job's file, for its owner only and only before it expires; anything else is 404."""
    job = ExportJob.objects.visible_to(request.user).downloadable().filter(token=token).first()
    if job is None or not job.file:
        raise Http404
    services.export_log(request=request, record_type=exports.DETAIL_EXPORTS[job.kind].record_type,
                        filters=job.filters, rows=job.rows or 0, fmt=job.format, reason=job.reason,
                        extra={"job": job.pk, "download": True})
    return private_file_response(job.file, download_name=exports.file_name(job.kind, "xlsx"), request=request,
                                 content_type=exports.XLSX_CONTENT_TYPE)
