"""Load benchmark only (`make bench` → bench/load.py): production settings, served over plain HTTP on
localhost, with throw-away secrets and one extra URL, ``/bench/ceiling``, a bare view whose
throughput is the ceiling the portal's pages are measured against. Never deploy with it.

bench/load.py sets DATABASE_URL (its throw-away database), DJANGO_SECRET_KEY and BENCH_CACHE_PREFIX.
"""

import os

os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("NOTIFY_SITE_URL", "http://127.0.0.1:8000")
# A throw-away key for the benchmark's throw-away data (production refuses the public dev key).
os.environ.setdefault("MATCHMAKING_CONTACT_KEY", "YmVuY2gtb25seS1tYXRjaG1ha2luZy1jb250YWN0LWs=")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")  # no TLS in front of gunicorn here

from .production import *  # noqa: E402, F403

# Plain HTTP: secure-only cookies would never come back from the load tool.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Static files are not part of the load; serve them from the app folders instead of collecting them.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_PREFIX", "gm-bench")  # noqa: F405
ROOT_URLCONF = "gwangmyeong_portal.bench_urls"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# bench/rush.py sends e-mail through Django's file backend into a folder it reads back.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "bench-mail"))  # noqa: F405
# What each request cost its thread, in X-Bench-CPU (bench/rush.py logs it at nginx): outermost.
MIDDLEWARE = ["gwangmyeong_portal.bench_timing.BenchTimingMiddleware", *MIDDLEWARE]  # noqa: F405
