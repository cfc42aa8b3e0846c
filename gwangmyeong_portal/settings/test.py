"""The test suite: real PostgreSQL and Redis, as in production (see `make test`)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gwangmyeong")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

from .base import *  # noqa: E402, F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdef"
ALLOWED_HOSTS = ["*"]
# One test database per run, so several runs on one machine (developers, helpers, CI) never
# drop each other's database mid-run.
DATABASES["default"]["TEST"] = {"NAME": f"test_gwangmyeong_{os.getpid()}"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process unless a test starts a real worker (tests/notifications).
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Static files come straight from the app folders in tests (nothing is collected).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = BASE_DIR / "var" / "test_media"  # noqa: F405
CACHES = {
    **CACHES,  # noqa: F405
    "default": {
        **CACHES["default"],  # noqa: F405
        "KEY_PREFIX": f"gm-test-{os.getpid()}",
    }
}
# The open data API's per-address limit would stop the fuzzer; tests/api sets a low one where it is tested.
API_RATE_LIMIT = "1000000/m"
# Tests change figures between requests; the dashboard cache has its own test (tests/reports/test_table_cache.py).
REPORTS_CACHE_SECONDS = 0
