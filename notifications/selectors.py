"""Reading notifications: the inbox, the unread count, preferences, /healthz figures."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.shortcuts import get_object_or_404

from .alimtalk import template_for
from .kinds import Kind, all_kinds
from .models import Message, NotificationPreference

# Kinds that exist for tests and the benchmark; citizens never receive them, so they are not offered.
INTERNAL_KINDS = frozenset({"notifications.test"})


def message_inbox_for(*, user):
    """The user's own delivered in-app messages, unread first, newest first."""
    return (
        Message.objects.owned_by(user).inbox()
        .annotate(is_read=ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField()))
        .order_by("is_read", "-created_at", "-pk")
    )


def message_get_own(*, user, pk: int) -> Message:
    """One of the user's own inbox messages, or 404 — staff too get 404 for someone else's."""
    return get_object_or_404(message_inbox_for(user=user), pk=pk)


def message_unread_count(*, user) -> int:
    return message_inbox_for(user=user).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class PreferenceRow:
    kind: Kind
    email: bool
    sms: bool
    alimtalk: bool | None = None  # None: the kind has no approved 알림톡 template, so it is not offered


def preference_rows_for(*, user) -> list[PreferenceRow]:
    """Each kind a user can receive, with the channel choices in force (stored or default)."""
    stored = {
        (kind, channel): enabled
        for kind, channel, enabled in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }
    rows = []
    for kind in all_kinds():
        if kind.key in INTERNAL_KINDS or kind.account_mail:  # sign-up and sign-in mails cannot be turned off
            continue
        email = True if kind.mandatory else stored.get((kind.key, "email"), "email" in kind.default_channels)
        sms = stored.get((kind.key, "sms"), "sms" in kind.default_channels)
        alimtalk = None
        if template_for(kind.key):
            default = any(channel in kind.default_channels for channel in ("alimtalk", "sms"))
            alimtalk = stored.get((kind.key, "alimtalk"), default)
        rows.append(PreferenceRow(kind=kind, email=email, sms=sms, alimtalk=alimtalk))
    return rows


def message_health_figures() -> dict:
    """For /healthz: messages not yet out (pending, held or being sent) and failed ones."""
    figures = Message.objects.aggregate(
        pending=Count("pk", filter=Q(status__in=["pending", "held", "sending"])),
        failed=Count("pk", filter=Q(status="failed")),
    )
    return {"notifications": {"pending": figures["pending"], "failed": figures["failed"]}}
