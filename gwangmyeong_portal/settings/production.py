"""Production: every secret and address from the environment; refuses to start without them."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import contact_keys_check, email_backend, email_file_path, env_bool, env_int, env_list, env_str, redis_url

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
contact_keys_check("MATCHMAKING_CONTACT_KEY", MATCHMAKING_CONTACT_KEY, refused=DEV_MATCHMAKING_CONTACT_KEY)  # noqa: F405
# Texts carry names and numbers: without a provider they fail visibly rather than go to the log.
SMS_BACKEND = env_str("SMS_BACKEND", "notifications.sms.DisabledSmsBackend")
if SMS_BACKEND.endswith("LoggingSmsBackend"):
    raise ImproperlyConfigured(
        "Environment variable SMS_BACKEND must not be the logging backend in production "
        "(texts hold personal data); use notifications.sms.HttpSmsBackend or leave it unset."
    )
# 알림톡 likewise: never to the log in production; without SOLAPI configured every 알림톡 fails at
# once and goes out as its SMS fallback.
ALIMTALK_BACKEND = env_str("ALIMTALK_BACKEND", "notifications.alimtalk.DisabledAlimtalkBackend")
if ALIMTALK_BACKEND.endswith("LoggingAlimtalkBackend"):
    raise ImproperlyConfigured(
        "Environment variable ALIMTALK_BACKEND must not be the logging backend in production "
        "(messages hold personal data); use notifications.alimtalk.SolapiAlimtalkBackend or leave it unset."
    )
if ALIMTALK_BACKEND.endswith("SolapiAlimtalkBackend") and not SOLAPI_WEBHOOK_TOKEN:  # noqa: F405
    raise ImproperlyConfigured("Environment variable SOLAPI_WEBHOOK_TOKEN is required with the SOLAPI backend "
                               "(it guards the delivery-report callback).")

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
EMAIL_BACKEND = email_backend("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = email_file_path("EMAIL_FILE_PATH", EMAIL_BACKEND)
# django-prometheus's PostgreSQL backend: the same driver, plus query, error and connection counters on /metrics.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"  # noqa: F405
