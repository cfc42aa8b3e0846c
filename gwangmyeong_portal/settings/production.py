"""Production: every secret and address from the environment; refuses to start without them."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_str, redis_url

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("Environment variable DJANGO_SECRET_KEY must be a random string of 50+ characters.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", required=True)
env_str("DATABASE_URL", required=True)
REDIS_URL = redis_url("REDIS_URL", required=True)
# Links in e-mail and SMS must point at the public address, never at a default.
NOTIFY_SITE_URL = env_str("NOTIFY_SITE_URL", required=True)
# Meetup-registry contacts are encrypted with this Fernet key (comma-separated for rotation);
# the dev key in base.py is public, so production has no default.
MATCHMAKING_CONTACT_KEY = env_str("MATCHMAKING_CONTACT_KEY", required=True)
# Texts carry names and numbers: without a provider they fail visibly rather than go to the log.
SMS_BACKEND = env_str("SMS_BACKEND", "notifications.sms.DisabledSmsBackend")
if SMS_BACKEND.endswith("LoggingSmsBackend"):
    raise ImproperlyConfigured(
        "Environment variable SMS_BACKEND must not be the logging backend in production "
        "(texts hold personal data); use notifications.sms.HttpSmsBackend or leave it unset."
    )

STAFF_REQUIRE_MFA = env_bool("STAFF_REQUIRE_MFA", True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# django-prometheus's PostgreSQL backend: the same driver, plus query, error and connection counters on /metrics.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"  # noqa: F405
