"""Reading settings from the environment, failing with the variable's name on bad input.

Every setting that an operator can change is read through these helpers so that a typo in a
deployment stops start-up with a message such as ``UPLOAD_MAX_BYTES must be a whole number``
instead of a traceback deep inside Django.
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"Environment variable {name} is required and is not set.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"Environment variable {name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name} must be a whole number, not {value!r}."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"Environment variable {name} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None, *, required: bool = False) -> list[str]:
    value = env_str(name, required=required)
    if value is None:
        return list(default or [])
    items = [item.strip() for item in value.split(",") if item.strip()]
    if required and not items:
        raise ImproperlyConfigured(f"Environment variable {name} is required and is empty.")
    return items


def env_mapping(name: str, default: dict[str, str] | None = None) -> dict[str, str]:
    """``key=value,key=value`` (ALIMTALK_TEMPLATES: kind → approved template id)."""
    value = env_str(name)
    if value is None:
        return dict(default or {})
    result = {}
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        key, sep, val = (piece.strip() for piece in item.partition("="))
        if not sep or not key or not val:
            raise ImproperlyConfigured(f"Environment variable {name} must be key=value pairs separated by commas, "
                                       f"not {item!r}.")
        result[key] = val
    return result


def database_from_url(name: str, url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"Environment variable {name} is not a database URL: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"Environment variable {name} names an unknown database scheme.")
    return config


def redis_url(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = env_str(name, default, required=required)
    if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"Environment variable {name} must start with redis://, not {value!r}.")
    return value
