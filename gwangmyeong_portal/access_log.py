"""The one way every app records staff access to personal data (PIPA 접속기록).

``access_log_record`` writes a row; ``AccessLoggedAdminMixin`` makes a ModelAdmin record each
change-page view, each list it shows (with the ids of the rows on the page), each save, each delete
(bulk deletes too) and each admin action; ``access_log_purge`` is the retention job beat runs daily.
On PostgreSQL the table is append-only in the database (a trigger), and the purge goes through the
one database function that trigger lets delete, which writes a row saying what it removed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from .models import AccessLogEntry

Action = AccessLogEntry.Action
logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client address. Behind the load balancer REMOTE_ADDR is the proxy; the proxy's
    X-Forwarded-For is trusted only when ``TRUSTED_PROXY_COUNT`` says proxies are in front."""
    if request is None:
        return None
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        parts = [p.strip() for p in forwarded.split(",") if p.strip()]
        if len(parts) >= hops:
            return parts[-hops]
    return request.META.get("REMOTE_ADDR") or None


def _subject_of(obj) -> tuple[str, int | None]:
    """(label, user id) of whose data ``obj`` is; models may define ``access_log_subject()``."""
    if obj is None:
        return "", None
    hook = getattr(obj, "access_log_subject", None)
    if callable(hook):
        return hook()
    return str(obj.pk), None


def access_log_record(
    *,
    action: str,
    request=None,
    actor=None,
    obj: models.Model | None = None,
    record_type: str = "",
    record_id: str = "",
    subject_label: str = "",
    subject_user_id: int | None = None,
    reason: str = "",
    detail: dict | None = None,
) -> AccessLogEntry:
    """Write one access-log row. Pass ``obj`` for a record, or ``record_type`` for an export."""
    if actor is None and request is not None:
        actor = request.user
    if obj is not None:
        record_type = record_type or obj._meta.label_lower
        record_id = record_id or str(obj.pk)
        label, user_id = _subject_of(obj)
        subject_label = subject_label or label
        subject_user_id = subject_user_id if subject_user_id is not None else user_id
    if action not in Action.values:
        raise ValueError(f"Unknown access-log action {action!r}")
    if request is not None:
        # What this request has logged already: an admin action or delete that logs its own rows
        # is not logged a second time by the mixin (``_logged_in_request``).
        request.__dict__.setdefault("_access_logged", set()).add((record_type, str(record_id), action))
    return AccessLogEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_email=getattr(actor, "email", "") or "(system)",
        ip_address=client_ip(request),
        action=action,
        record_type=record_type,
        record_id=str(record_id)[:80],
        subject_label=str(subject_label)[:200],
        subject_user_id=subject_user_id,
        reason=reason[:300],
        detail=detail or {},
        path=(request.get_full_path()[:500] if request is not None else ""),
    )


def access_log_purge(*, now=None) -> int:
    """Delete rows older than the retention period (at least one year by law, two by default) and
    write one row saying how many rows before which date went.

    On PostgreSQL this is the database function ``portal_access_log_purge`` (migration 0002): the
    append-only trigger refuses every other DELETE, so this is the only way rows leave the table.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT portal_access_log_purge(%s)", [cutoff])
            return cursor.fetchone()[0]
    # SQLite (``make run``) has no trigger: the same two steps in Python.
    deleted, _ = AccessLogEntry.objects.filter(at__lt=cutoff).delete()
    AccessLogEntry.objects.create(actor=None, actor_email="(system)", action=Action.PURGE,
                                  record_type=AccessLogEntry._meta.label_lower,
                                  detail={"purged": deleted, "before": cutoff.isoformat()})
    return deleted


class _QueryNeeded(Exception):
    pass


def _refuse_query(execute, sql, params, many, context):
    raise _QueryNeeded


def list_subjects(rows) -> list[list]:
    """[record id, subject label, subject user id] for each row of a list, without a query per row.

    A model's ``access_log_subject()`` may follow a foreign key the list did not select; that row
    then keeps its record id only (which still names the record) and a warning says which list
    should add ``list_select_related``. Goes in ``detail["subjects"]`` of every list's row (the
    admin's changelists here, and any other staff page listing people).
    """
    subjects, missing = [], None
    for obj in rows:
        label, user_id = str(obj.pk), None
        if callable(getattr(obj, "access_log_subject", None)):
            try:
                with connection.execute_wrapper(_refuse_query):
                    label, user_id = obj.access_log_subject()
            except _QueryNeeded:
                missing = obj._meta.label_lower
        subjects.append([str(obj.pk), str(label)[:200], user_id])
    if missing:
        logger.warning("access log: the %s list does not select what access_log_subject() reads; "
                       "add it to list_select_related so the log names whose rows were shown", missing)
    return subjects


def _logged_in_request(request, obj, action: str | None = None) -> bool:
    """Whether this request already wrote a row for ``obj`` (with ``action``, or with any action)."""
    key = (obj._meta.label_lower, str(obj.pk))
    return any(entry[:2] == key and (action is None or entry[2] == action)
               for entry in getattr(request, "_access_logged", ()))


def access_log_record_many(*, action: str, request, objs, detail: dict | None = None) -> int:
    """One row per record in ``objs`` (a bulk delete, an admin action), written in one query."""
    if action not in Action.values:
        raise ValueError(f"Unknown access-log action {action!r}")
    actor = request.user
    common = {
        "actor": actor if actor.is_authenticated else None, "actor_email": getattr(actor, "email", "") or "(system)",
        "ip_address": client_ip(request), "action": action, "path": request.get_full_path()[:500],
        "detail": detail or {},
    }
    entries = []
    for obj in objs:
        label, user_id = _subject_of(obj)
        entries.append(AccessLogEntry(record_type=obj._meta.label_lower, record_id=str(obj.pk)[:80],
                                      subject_label=str(label)[:200], subject_user_id=user_id, **common))
    AccessLogEntry.objects.bulk_create(entries)
    request.__dict__.setdefault("_access_logged", set()).update(
        (entry.record_type, entry.record_id, action) for entry in entries)
    return len(entries)


def _action_logged(func, name: str):
    """Wrap an admin action so it writes one row per selected record once it has run.

    What the row says follows what the action did: a file answer is an export, a page answer (a
    confirmation or a form asking for more, such as delete_selected's "are you sure?") is a look at
    the listed records, anything else (a redirect, None) is a change. An action may say otherwise
    with an ``access_log_action`` attribute. A record the action logged itself (through
    ``access_log_record`` with the request) gets no second row; so does one it deleted, which
    ``delete_queryset`` logged (Django's delete_selected, or a replacement that asks a reason).
    """

    @wraps(func)
    def logged(modeladmin, request, queryset):
        # A copy of the selection read before the action runs (a delete or an update may change what
        # the queryset would return afterwards), without touching the queryset the action gets.
        selected = list(queryset.all())
        response = func(modeladmin, request, queryset)
        action = getattr(func, "access_log_action", None)
        if action is None:
            disposition = response.get("Content-Disposition", "") if response is not None else ""
            if "attachment" in disposition:
                action = Action.EXPORT
            elif response is not None and getattr(response, "status_code", 302) == 200:
                action = Action.VIEW
            else:
                action = Action.CHANGE
        selected = [obj for obj in selected if not _logged_in_request(request, obj)]
        access_log_record_many(action=action, request=request, objs=selected, detail={"admin_action": name})
        return response

    return logged


class AccessLoggedAdminMixin:
    """Record every staff look at, change to and deletion of a personal-data record in the admin.

    The change page is logged on GET (a view) and on a successful save (a change); the changelist
    is logged as one "list" row with the page's filters and, for each row on the page, its record id
    and subject (``detail["subjects"]``: [id, label, user id]); every admin action writes a row per
    selected record, and a bulk delete a delete row per record before it goes.
    """

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 200) == 200:
            # The object the page showed (no second query for it).
            obj = getattr(response, "context_data", {}).get("original")
            if obj is not None:
                access_log_record(action=Action.VIEW, request=request, obj=obj)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if cl is not None:
            subjects = list_subjects(cl.result_list)
            access_log_record(
                action=Action.LIST, request=request, record_type=self.model._meta.label_lower,
                detail={"filters": dict(request.GET.items()), "page": cl.page_num, "rows": len(subjects),
                        "subjects": subjects},
            )
        return response

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {name: (_action_logged(func, name), name, description)
                for name, (func, name, description) in actions.items()}

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            # "Are you sure?" shows the record (and what goes with it): a look at it.
            obj = getattr(response, "context_data", {}).get("object")
            if obj is not None:
                access_log_record(action=Action.VIEW, request=request, obj=obj,
                                  detail={"page": "delete_confirmation"})
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        access_log_record(action=Action.CHANGE if change else Action.CREATE, request=request, obj=obj)

    def delete_model(self, request, obj):
        # A delete another mixin or action already logged (with its reason) is not logged twice.
        if not _logged_in_request(request, obj, Action.DELETE):
            access_log_record(action=Action.DELETE, request=request, obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        going = [obj for obj in queryset.all() if not _logged_in_request(request, obj, Action.DELETE)]
        access_log_record_many(action=Action.DELETE, request=request, objs=going,
                               detail={"admin_action": "delete_selected"})
        super().delete_queryset(request, queryset)


def check_personal_data_admins(app_configs=None, **kwargs):
    """System check: every admin of a model that names a data subject (``access_log_subject``)
    writes the access log, so no app can add a personal-data screen that escapes it."""
    from django.contrib import admin
    from django.core import checks

    errors = []
    for model, model_admin in admin.site._registry.items():
        if callable(getattr(model, "access_log_subject", None)) and not isinstance(model_admin,
                                                                                   AccessLoggedAdminMixin):
            errors.append(checks.Error(
                f"{type(model_admin).__name__} shows personal data ({model._meta.label}) without the access log",
                hint="Add gwangmyeong_portal.access_log.AccessLoggedAdminMixin to its bases.",
                obj=type(model_admin), id="portal.E001",
            ))
    return errors
