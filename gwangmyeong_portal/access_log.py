"""The one way every app records staff access to personal data (PIPA 접속기록).

``access_log_record`` writes a row; ``AccessLoggedAdminMixin`` makes a ModelAdmin record each
change-page view, save and delete; ``access_log_purge`` is the retention job beat runs daily.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .models import AccessLogEntry

Action = AccessLogEntry.Action


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
    """Delete rows older than the retention period (at least one year by law, two by default)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted, _ = AccessLogEntry.objects.filter(at__lt=cutoff).delete()
    return deleted


class AccessLoggedAdminMixin:
    """Record every staff look at, change to and deletion of a personal-data record in the admin.

    The change page is logged on GET (a view) and on a successful save (a change); the
    changelist is logged as one "list" row with the page's filters and its row count.
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
            access_log_record(
                action=Action.LIST, request=request, record_type=self.model._meta.label_lower,
                detail={"filters": dict(request.GET.items()), "rows": len(cl.result_list)},
            )
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        access_log_record(action=Action.CHANGE if change else Action.CREATE, request=request, obj=obj)

    def delete_model(self, request, obj):
        access_log_record(action=Action.DELETE, request=request, obj=obj)
        super().delete_model(request, obj)
