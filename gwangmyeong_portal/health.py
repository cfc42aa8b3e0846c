"""What /healthz reports: is each service the portal depends on answering?"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .cache import rate_limit_figures

logger = logging.getLogger(__name__)

HealthCheck = Callable[[], dict]

# Apps add figures to /healthz (e.g. notifications adds pending/failed counts) by appending a
# callable returning a dict; they are informational and never turn the answer into a 503.
EXTRA_FIGURES: list[HealthCheck] = []


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def check_cache() -> bool:
    try:
        cache.set("healthz", "ok", 5)
        return cache.get("healthz") == "ok"
    except Exception:
        return False


def check_broker() -> bool | None:
    """True/False for a real broker; None when tasks run eagerly in-process (embedded mode)."""
    if settings.CELERY_BROKER_URL.startswith("memory://"):
        return None
    from gwangmyeong_portal.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def health_report() -> tuple[bool, dict]:
    broker = check_broker()
    checks = {
        "database": "ok" if check_database() else "down",
        "cache": "ok" if check_cache() else "down",
        "broker": "eager" if broker is None else ("ok" if broker else "down"),
    }
    healthy = all(value in ("ok", "eager") for value in checks.values())
    report: dict = {"status": "ok" if healthy else "degraded", "checks": checks}
    # Sign-in rate limits are not enforced while Redis cannot answer (gwangmyeong_portal/cache.py).
    report.update(rate_limit_figures())
    for figures in EXTRA_FIGURES:
        try:
            report.update(figures())
        except Exception:  # a figure must never hide the service checks
            logger.exception("healthz figure %s failed", getattr(figures, "__name__", figures))
    return healthy, report
