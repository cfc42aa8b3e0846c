"""Contact details are encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256) from the maintained
``cryptography`` package. The key comes from ``MATCHMAKING_CONTACT_KEY``; several comma-separated
keys allow rotation (the first encrypts, every key decrypts).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()])


def contact_encrypt(plain: str) -> str:
    if not plain:
        return ""
    return _fernet(settings.MATCHMAKING_CONTACT_KEY).encrypt(plain.encode("utf-8")).decode("ascii")


def contact_decrypt(token: str) -> str:
    """The plain contact, or "" for an empty token or one no configured key opens."""
    if not token:
        return ""
    try:
        return _fernet(settings.MATCHMAKING_CONTACT_KEY).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        return ""
