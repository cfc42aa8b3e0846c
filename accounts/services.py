"""Writes about users: roles, account mails, personal-data download, account deletion."""

import logging
import uuid

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import User
from .personal_data import consents_of, contributing_apps, erasing_apps, files_of
from .roles import AGENCY_STAFF, CITIZEN, CITY_CLERK


def user_grant_citizen_role(*, user: User) -> None:
    group, _created = Group.objects.get_or_create(name=CITIZEN)
    user.groups.add(group)
    user.__dict__.pop("_portal_group_names", None)  # roles.group_names() looks again


logger = logging.getLogger(__name__)


def account_mail_queue(*, template_prefix: str, to_address: str, user: User | None, subject: str, body: str):
    """Hand one of allauth's mails to the outbox (``notifications.notify``): a row now, sent by Celery
    after commit. The recipient is the account the address belongs to; an address without an account
    gets nothing (the portal keeps no rows about people who have none — allauth's "unknown account"
    mails are off in settings). Returns the e-mail message row, or None."""
    from allauth.account.models import EmailAddress

    from notifications.services import notify

    from .notification_kinds import ACCOUNT_NOTICE, KIND_BY_TEMPLATE

    if user is None or not getattr(user, "pk", None):
        address = (EmailAddress.objects.filter(email__iexact=to_address).select_related("user")
                   .order_by("-verified", "-primary", "pk").first())
        user = address.user if address else User.objects.filter(email__iexact=to_address).first()
    if user is None:
        logger.info("account mail %s not sent: no account for the address", template_prefix)
        return None
    kind = KIND_BY_TEMPLATE.get(template_prefix, ACCOUNT_NOTICE.key)
    # A key of its own per mail: the same text asked for twice (a second "someone tried to sign up with
    # your address") is a second mail, as allauth's rate limits allow it.
    rows = notify(recipient=user, kind=kind, context={"subject": subject, "body": body, "to_address": to_address},
                  idempotency_key=f"{kind}:{user.pk}:{uuid.uuid4().hex}")
    return next((row for row in rows if row.channel == "email"), None)


def user_data_export(*, user: User) -> dict:
    """Everything the portal holds about ``user``, as one JSON-serialisable document (times as they
    are stored; ``personal_data.as_json`` writes them in Asia/Seoul)."""
    from allauth.account.models import EmailAddress

    data: dict = {
        "exported_at": timezone.now(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "name": user.name,
            "phone": user.phone,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "roles": sorted(g.name for g in user.groups.all()),
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user)
            ],
            "two_factor": _two_factor_of(user),
        },
        "consents": consents_of(user),
        "access_log": _access_log_about(user),
        "files": [{"path": f.path, "original_name": f.original_name, "size": f.size, "uploaded_at": f.uploaded_at}
                  for f in files_of(user)],
    }
    for config in contributing_apps():
        data[config.label] = config.personal_data_export(user)
    return data


def _two_factor_of(user: User) -> dict:
    """Whether two-factor sign-in is on and with what — never a secret or a recovery code."""
    from allauth.mfa.models import Authenticator

    methods = [{"type": a.type, "created_at": a.created_at, "last_used_at": a.last_used_at}
               for a in Authenticator.objects.filter(user=user).order_by("created_at")]
    return {"enabled": any(m["type"] != Authenticator.Type.RECOVERY_CODES for m in methods), "methods": methods}


STAFF_ROLE_LABELS = {
    "superuser": gettext_lazy("시스템 관리자"),
    CITY_CLERK: gettext_lazy("광명시 담당 공무원"),
    AGENCY_STAFF: gettext_lazy("협약 기관 직원"),
}


def _access_log_about(user: User) -> list[dict]:
    """Staff views, changes and exports of the person's data (PIPA: the right to know who processed
    it). Each says when, what was done to which record, and the staff member's role and agency — not
    their name, account or IP address: those stay with the city, which answers a request about them."""
    from gwangmyeong_portal.models import AccessLogEntry

    entries = list(AccessLogEntry.objects.filter(subject_user_id=user.pk).order_by("at", "pk")
                   .select_related("actor__agency_membership__agency").prefetch_related("actor__groups"))
    return [{
        "at": entry.at,
        "action": entry.action,
        "action_label": str(entry.get_action_display()),
        "record_type": entry.record_type,
        "record": entry.subject_label or entry.record_id,
        "reason": entry.reason,
        **_staff_role(entry.actor, own=entry.actor_id == user.pk),
    } for entry in entries]


def _staff_role(actor, *, own: bool) -> dict:
    if own:
        return {"staff_role": str(_("본인")), "staff_agency": None}
    if actor is None:
        return {"staff_role": str(_("삭제된 직원 계정")), "staff_agency": None}
    groups = {g.name for g in actor.groups.all()}
    role = "superuser" if actor.is_superuser else CITY_CLERK if CITY_CLERK in groups else AGENCY_STAFF
    membership = getattr(actor, "agency_membership", None)
    agency = membership.agency.name_ko if membership is not None else None
    if role == CITY_CLERK or role == "superuser":
        agency = agency or str(_("광명시 여성가족과"))
    return {"staff_role": str(STAFF_ROLE_LABELS[role]), "staff_agency": agency}


@transaction.atomic
def user_delete(*, user: User) -> list[str]:
    """Delete the account, or anonymise it where other records must be kept.

    Each app erases its own data first and says what it must keep. If nothing is kept, the user
    row goes; otherwise the row stays as an anonymous stub (no email, name, phone or password) so
    kept records still point at *someone*, and the sign-in is gone for good.
    Returns the sentences to show the person about what was kept and why.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    kept: list[str] = []
    for config in erasing_apps():
        kept.extend(config.personal_data_erase(user))

    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    if not kept:
        user.delete()
        return []
    user.email = f"deleted-{user.pk}@invalid.invalid"
    user.name = ""
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.anonymised_at = timezone.now()
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.__dict__.pop("_portal_group_names", None)
    return kept


def deletion_explanation() -> list[str]:
    """What the deletion page tells a citizen before they confirm."""
    return [
        _("계정, 이메일 주소, 연락처, 알림 설정은 즉시 삭제됩니다."),
        _("심사가 끝난 신청서는 사업별 법정 보존 기간 동안 이름 없이 보관된 뒤 삭제됩니다."),
        _("개인정보 접근 기록은 개인정보 보호법에 따라 2년간 보관됩니다."),
    ]
