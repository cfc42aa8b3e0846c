"""Reading settings from the environment, failing with the variable's name on bad input.

Every setting that an operator can change is read through these helpers so that a typo in a
deployment stops start-up with a message such as ``UPLOAD_MAX_BYTES must be a whole number``
instead of a traceback deep inside Django.
"""

import importlib.util
import os
from pathlib import Path

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


def contact_keys_check(name: str, value: str, *, refused: str) -> list[str]:
    """Comma-separated Fernet keys (the first encrypts, all decrypt): each must be a Fernet key, and
    none the published development key ``refused`` — data encrypted with it is readable by anyone."""
    from cryptography.fernet import Fernet

    keys = [key.strip() for key in value.split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured(f"Environment variable {name} is required and is empty.")
    if refused in keys:
        raise ImproperlyConfigured(
            f"Environment variable {name} holds the public development key; generate a key of your own with "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'."
        )
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            raise ImproperlyConfigured(
                f"Environment variable {name}: key {position} is not a Fernet key (32 url-safe base64 bytes)."
            ) from None
    return keys


FILE_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def email_backend(name: str, default: str) -> str:
    """A dotted path to an e-mail backend class whose module can be found.

    Only the module is looked up here (importing a custom backend while settings load could read
    settings that do not exist yet); ``accounts.apps`` imports the class once apps are ready."""
    value = env_str(name, default)
    module, _, cls = value.rpartition(".")
    try:
        found = bool(module and cls) and importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise ImproperlyConfigured(
            f"Environment variable {name} must be the dotted path of an e-mail backend class, e.g. "
            f"django.core.mail.backends.smtp.EmailBackend; {value!r} does not import."
        )
    return value


def email_file_path(name: str, backend: str) -> str | None:
    """With Django's file backend, the folder mails are written to: required, created if missing, and
    writable — otherwise every mail would fail at send time (no path) or land nowhere."""
    if backend != FILE_EMAIL_BACKEND:
        return env_str(name)
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"Environment variable {name} is required with the file e-mail backend "
                                   f"({FILE_EMAIL_BACKEND}) and is not set.")
    path = Path(value)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"Environment variable {name}: cannot create {value!r}: {exc.strerror}.") from None
    if not path.is_dir() or not os.access(path, os.W_OK | os.X_OK):
        raise ImproperlyConfigured(f"Environment variable {name}: {value!r} is not a writable folder.")
    return str(path)
