"""The registry of message kinds every app declares in ``<app>/notification_kinds.py``.

A kind names one message the portal sends ("programs.application_decided") and says which
context variables its templates need, whether a citizen may turn it off and whether it may
break SMS quiet hours. The text lives in ``templates/notifications/kinds/<key>/<lang>/``.
"""

from __future__ import annotations

from dataclasses import dataclass

CHANNELS: tuple[str, ...] = ("inapp", "email", "sms", "alimtalk")


class UnknownKind(LookupError):
    """``notify`` was called with a kind nobody registered: a programming error, always raised."""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # lazy Korean, shown on the preferences page and in the admin
    required_context: tuple[str, ...]
    mandatory: bool = False  # service messages (a decision): always in-app and email
    urgent: bool = False  # may be sent by SMS during quiet hours
    default_channels: tuple[str, ...] = ("inapp", "email")
    # Only the recipient ever sees these rows: they are left out of the staff delivery log, because
    # who got them is itself private (the singles-meetup registry: who applied, was drawn, matched).
    private: bool = False
    # Sign-up and sign-in mails (allauth's, written by accounts.adapter): e-mail only, to the address in
    # the context's ``to_address`` (an address being confirmed is not yet the account's), and — as their
    # text carries one-time links — the body is not kept once sent and the delivery log shows neither
    # body nor context: a clerk must never be able to use someone's password-reset link.
    account_mail: bool = False

    def __post_init__(self):
        if self.account_mail and self.default_channels != ("email",):
            raise ValueError(f"Kind {self.key}: an account mail goes by e-mail only")
        unknown = set(self.default_channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"Kind {self.key}: unknown channels {sorted(unknown)}")
        if not self.key or "/" in self.key or ".." in self.key:
            raise ValueError(f"Kind key {self.key!r} must be a dotted name like 'app.event'")


_registry: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind; registering the same definition twice (module re-import) is harmless."""
    existing = _registry.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"Notification kind {kind.key!r} is already registered differently")
    _registry[kind.key] = kind
    return kind


def get_kind(key: str) -> Kind:
    try:
        return _registry[key]
    except KeyError:
        raise UnknownKind(f"Unknown notification kind {key!r}; declare it in <app>/notification_kinds.py") from None


def private_kind_keys() -> list[str]:
    return sorted(key for key, kind in _registry.items() if kind.private)


def account_mail_kind_keys() -> list[str]:
    return sorted(key for key, kind in _registry.items() if kind.account_mail)


def kept_after_sending(kind_key: str, *, context: dict, subject: str, body: str) -> dict:
    """The fields a sent message row keeps of its text: subject and body — except an account mail,
    whose body and context (one-time links) are dropped once sent; its address stays for the log."""
    kind = _registry.get(kind_key)
    if kind is not None and kind.account_mail:
        return {"subject": subject, "body": "", "context": {"to_address": context.get("to_address", "")}}
    return {"subject": subject, "body": body}


def all_kinds() -> list[Kind]:
    return sorted(_registry.values(), key=lambda kind: kind.key)
