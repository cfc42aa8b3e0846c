"""Settings shared by every mode. Modes (dev, test, production) import this and adjust.

Every value an operator may change comes from the environment (see README, "Settings").
"""

import re
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import (
    database_from_url,
    email_backend,
    email_file_path,
    env_bool,
    env_int,
    env_list,
    env_mapping,
    env_str,
    redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.kakao",
    "allauth.socialaccount.providers.naver",
    "allauth.mfa",
    "django_celery_beat",
    "django_prometheus",
    "gwangmyeong_portal",
    "accounts",
    "notifications",
    "partners",
    "programs",
    "events",
    "matchmaking",
    "reports",
    # CORS headers for the open data API (GET from any origin); maintained by Adam Johnson.
    "corsheaders",
    "api",
]

MIDDLEWARE = [
    # django-prometheus: first and last, so /metrics times every other middleware too.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.JsonErrorsMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After django-csp: every download gets the sandboxing policy before the site's is added.
    "gwangmyeong_portal.uploads.AttachmentSandboxMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages are never kept by a shared browser or a proxy (Cache-Control: private, no-store).
    "accounts.middleware.PrivatePagesNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffIdleTimeoutMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# /metrics answers loopback scrapers, and others that send "Authorization: Bearer <METRICS_TOKEN>".
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# --- Browser security headers (every mode, so tests catch an inline script early) -------------
# No inline scripts or styles: JavaScript lives in static files. QR codes are data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Only the check-in page may use the camera (QR scanning); nothing may use the rest.
PERMISSIONS_POLICY = {
    "camera": ["self"], "geolocation": [], "microphone": [], "payment": [], "usb": [],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "gwangmyeong_portal.urls"
WSGI_APPLICATION = "gwangmyeong_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gwangmyeong_portal.context_processors.portal",
                "notifications.context_processors.unread_count",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL is the database. Without DATABASE_URL (only `make run` on a laptop) an embedded
# SQLite file keeps the first start to one command.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url("DATABASE_URL", DATABASE_URL)}
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "var" / "db.sqlite3"}
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ---------------------------------------------------------
REDIS_URL = redis_url("REDIS_URL")
if REDIS_URL:
    # django-redis, because it can ignore a Redis outage: the cache then misses (pages still
    # render) instead of every page failing, and sign-in rate limits fail open rather than refuse
    # everyone (gwangmyeong_portal/cache.py, logged as errors). /healthz reports both.
    CACHES = {
        "default": {
            # django-redis with django-prometheus's hit/miss counters (/metrics), and rate limits that
            # fail open while Redis cannot answer (gwangmyeong_portal/cache.py).
            "BACKEND": "gwangmyeong_portal.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gm",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Embedded mode: no broker, tasks run in-process as soon as they are sent.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
# The page shell's fixed parts (footer, menus), rendered once per language and menu state in each
# process ({% cache … using="fragments" %} in templates/includes): they depend on the code and the
# language only, never on data, so every node renders the same and nothing needs invalidating.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments",
                       "TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 1000}}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# One schedule for every app's periodic jobs; apps add their entries here as they land.
CELERY_BEAT_SCHEDULE: dict = {
    # Held SMS after quiet hours, and messages whose task was lost (worker killed, Redis restarted).
    "notifications-requeue-due": {"task": "notifications.tasks.requeue_due_messages", "schedule": 60.0},
    # 알림톡 whose delivery report did not arrive within ALIMTALK_RECEIPT_WAIT: ask SOLAPI.
    "notifications-alimtalk-poll": {"task": "notifications.tasks.poll_alimtalk_receipts", "schedule": 300.0},
    # PIPA: access-log rows older than ACCESS_LOG_RETENTION_DAYS are removed once a day.
    "portal-access-log-purge": {"task": "gwangmyeong_portal.tasks.access_log_purge_task", "schedule": 24 * 3600.0},
    # Events: lapsed waitlist offers pass on; reminders the day before and 2 hours before; feedback requests.
    "events-expire-offers": {"task": "events.tasks.expire_offers", "schedule": 300.0},
    "events-send-organiser-messages": {"task": "events.tasks.send_organiser_messages", "schedule": 300.0},
    "events-send-reminders": {"task": "events.tasks.send_reminders", "schedule": 600.0},
    "events-send-feedback-requests": {"task": "events.tasks.send_feedback_requests", "schedule": 3600.0},
    "events-notify-open-programs": {"task": "events.tasks.notify_open_programs", "schedule": 3600.0},
    # Programs: "알림 받기" on the personal timeline, before each window opens and closes (sends each once).
    "programs-timeline-reminders": {"task": "programs.tasks.timeline_reminders_task", "schedule": 3600.0},
    # Matchmaking: notice 30 days ahead, then delete profiles inactive for MATCHMAKING_RETENTION_DAYS.
    "matchmaking-retention": {"task": "matchmaking.tasks.retention_run_task", "schedule": 24 * 3600.0},
}

# --- Accounts (django-allauth) --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:me"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[광명시 아이와 맘 편한 도시] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Sign-up does the same work whether or not the address has an account (timing tells nothing).
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# No mail to addresses without an account (a password reset for an unknown address): every mail is a
# message row of an account (accounts.adapter), and the portal keeps nothing about people who have none.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS = {
    # Five wrong passwords in a row for one account lock it for five minutes: the sixth is refused.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_SESSION_REMEMBER = None
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS: dict = {}
for _provider in ("kakao", "naver"):
    _client_id = env_str(f"{_provider.upper()}_CLIENT_ID")
    _secret = env_str(f"{_provider.upper()}_CLIENT_SECRET")
    if _client_id and _secret:
        # Configured in settings (not the database) so a button only appears with real keys.
        SOCIALACCOUNT_PROVIDERS[_provider] = {"APPS": [{"client_id": _client_id, "secret": _secret}]}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "광명시 아이와 맘 편한 도시"

# Staff sessions end after this many seconds without a request (PIPA safety measures).
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
# Staff roles must turn on two-factor sign-in (TOTP) before any other page (PIPA safety measures).
# On in production (settings/production.py); off here so the demo's staff accounts work at once.
STAFF_REQUIRE_MFA = env_bool("STAFF_REQUIRE_MFA", False)
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Sessions live in the database (they survive a Redis restart) and are read through the cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "광명시 아이와 맘 편한 도시 <noreply@gm.go.kr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = email_backend("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Only with the file backend (django.core.mail.backends.filebased.EmailBackend), where it is required.
EMAIL_FILE_PATH = email_file_path("EMAIL_FILE_PATH", EMAIL_BACKEND)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploads hold personal data: they live outside the web root and are served only through
    # views that check who is asking. Operators may point MEDIA_ROOT at a mounted volume.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "private_media")))
MEDIA_URL = "/private-media-is-never-served-directly/"
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Privacy --------------------------------------------------------------------------------
# PIPA asks for two years once a system holds 50,000+ people's data, as a city portal does: no less.
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 730, minimum=730)
# How many reverse proxies (load balancers) sit in front of the web containers; their
# X-Forwarded-For is then trusted for the client IP written to the access log.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# The monthly check of the access log (/reports/access-review/) flags an account that, in one month,
# touched more than ACCESS_REVIEW_MAX_RECORDS records (rows of lists it was shown count one each) or
# made more than ACCESS_REVIEW_MAX_EXPORTS exports; access outside office hours (before START, from
# END on, or at a weekend, Seoul time) is listed whatever its volume.
ACCESS_REVIEW_MAX_RECORDS = env_int("ACCESS_REVIEW_MAX_RECORDS", 2000, minimum=1)
ACCESS_REVIEW_MAX_EXPORTS = env_int("ACCESS_REVIEW_MAX_EXPORTS", 20, minimum=1)
ACCESS_REVIEW_OFFICE_START_HOUR = env_int("ACCESS_REVIEW_OFFICE_START_HOUR", 8, minimum=0)
ACCESS_REVIEW_OFFICE_END_HOUR = env_int("ACCESS_REVIEW_OFFICE_END_HOUR", 19, minimum=1)
# One small-count rule for every aggregate figure that counts people (report tables, their charts
# and exports, the meetup statistics): a count from 1 to SMALL_COUNT_THRESHOLD - 1 is hidden, and so
# is a total or rate from which a hidden count could be worked out (gwangmyeong_portal.small_counts).
SMALL_COUNT_THRESHOLD = env_int("SMALL_COUNT_THRESHOLD", 5, minimum=2)

# Retention: every kind of citizen record has a period here and a nightly job that applies it
# (scheduled below). Kinds with their own job: the access log (above), meetup profiles
# (MATCHMAKING_RETENTION_DAYS) and report exports (REPORTS_EXPORT_LINK_HOURS). Kinds that do not
# expire: applications still awaiting a decision (the office must decide them first), notification
# preferences and accounts (settings the person keeps until they delete the account), agency rosters
# (replaced by each upload), and partners' records — lecturers, activity reports, lecture requests —
# which are agencies' professional records, not citizens' data.
#
# Decided (approved, rejected) and withdrawn applications, from the decision or withdrawal. The apply
# page promises "the program's legal retention, at most 5 years": 1826 days is 5 years with a leap
# day, and more is refused. At least a year: a decision can be appealed up to a year after it
# (행정소송법 제20조). Past it each is replaced by a row holding only program, status and dates (new id
# and reference, no applicant): answers, contact, documents (files too) and history go, and the
# reports dashboard keeps counting it.
APPLICATION_RETENTION_DAYS = env_int("APPLICATION_RETENTION_DAYS", 1826, minimum=365)
if APPLICATION_RETENTION_DAYS > 1826:
    raise ImproperlyConfigured(
        "Environment variable APPLICATION_RETENTION_DAYS must be at most 1826: the apply page promises "
        "that decided applications are kept at most 5 years."
    )
# Drafts never submitted, from their last save: deleted with their uploads. A year spans a program's
# whole yearly application window, so nobody loses a draft they may still send.
APPLICATION_DRAFT_RETENTION_DAYS = env_int("APPLICATION_DRAFT_RETENTION_DAYS", 365, minimum=30)
# Finder answers a citizen saved to their profile, from the last save: after a year a household's
# facts (children's ages, income) are stale, and the finder asks again.
FINDER_PROFILE_RETENTION_DAYS = env_int("FINDER_PROFILE_RETENTION_DAYS", 365, minimum=30)
# Event registrations with their answers and feedback, from the event's end, and programs noted at a
# fair booth, from when they were noted. Three years: the year of the event, the organiser's yearly
# report on it and the review of that report the year after; the dashboard's default twelve months
# and a comparison with the years before keep their figures. Registrations are deleted (the person
# is the row), so the event-fill table shows no registrations for events older than this. The
# registration form's collection notice states this period.
REGISTRATION_RETENTION_DAYS = env_int("REGISTRATION_RETENTION_DAYS", 1096, minimum=365)
# Notification messages (in-app, e-mail and SMS rows: their bodies and variables hold personal
# data), from creation. A year keeps the inbox and the delivery log for complaints about a missed
# message; at least 30 days, so nothing still being sent is removed.
MESSAGE_RETENTION_DAYS = env_int("MESSAGE_RETENTION_DAYS", 365, minimum=30)
# Meetup-registry consents and employment-verification requests of people who never made a profile
# (or whose profile is gone), from their last consent, request or decision.
MATCHMAKING_UNUSED_CONSENT_DAYS = env_int("MATCHMAKING_UNUSED_CONSENT_DAYS", 365, minimum=30)

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ("krds",)
CRISPY_TEMPLATE_PACK = "krds"

PORTAL_NAME = _("광명시 아이와 맘 편한 도시")
CITY_OFFICE_PHONE = "02-2680-6716"
# The privacy officer (개인정보 보호책임자) and the desk handling privacy requests, named on the
# privacy policy (/privacy/) as PIPA art. 30 and 31 ask; the accessibility statement's contact.
PRIVACY_OFFICER_NAME = env_str("PRIVACY_OFFICER_NAME", "")
PRIVACY_OFFICER_DEPARTMENT = env_str("PRIVACY_OFFICER_DEPARTMENT", "광명시청 여성가족과")
PRIVACY_OFFICER_PHONE = env_str("PRIVACY_OFFICER_PHONE", CITY_OFFICE_PHONE)
PRIVACY_OFFICER_EMAIL = env_str("PRIVACY_OFFICER_EMAIL", "privacy@gm.go.kr")
ACCESSIBILITY_CONTACT_EMAIL = env_str("ACCESSIBILITY_CONTACT_EMAIL", PRIVACY_OFFICER_EMAIL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}


# --- Notifications ----------------------------------------------------------------------------
# SMS: the logging backend by default; "notifications.sms.HttpSmsBackend" with the three values
# below sends through the provider.
SMS_BACKEND = env_str("SMS_BACKEND", "notifications.sms.LoggingSmsBackend")
SMS_API_URL = env_str("SMS_API_URL", "")
SMS_API_KEY = env_str("SMS_API_KEY", "")
SMS_SENDER = env_str("SMS_SENDER", "")
# No SMS from 21:00 to 08:00 Seoul time (start hour, end hour) unless the kind is urgent.
NOTIFY_QUIET_HOURS = (21, 8)
# Links in e-mail and SMS are made absolute with this address.
NOTIFY_SITE_URL = env_str("NOTIFY_SITE_URL", "http://127.0.0.1:8000")
# Seconds one send may take before Celery stops it; a "sending" claim older than
# NOTIFY_CLAIM_TIMEOUT belongs to a dead worker and is taken over.
NOTIFY_SEND_TIME_LIMIT = env_int("NOTIFY_SEND_TIME_LIMIT", 60, minimum=2)
NOTIFY_CLAIM_TIMEOUT = env_int("NOTIFY_CLAIM_TIMEOUT", 2 * NOTIFY_SEND_TIME_LIMIT, minimum=2)
# A pending message older than this is enqueued again by the sweep (its task may have been lost).
NOTIFY_REQUEUE_AFTER = env_int("NOTIFY_REQUEUE_AFTER", 300, minimum=10)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 10, minimum=1)
# 카카오 알림톡 through SOLAPI (notifications.alimtalk): the logging backend by default (numbers
# masked); "notifications.alimtalk.SolapiAlimtalkBackend" sends with the values below. A kind goes
# by 알림톡 only with an approved template: ALIMTALK_TEMPLATES="kind=templateId,kind=templateId".
ALIMTALK_BACKEND = env_str("ALIMTALK_BACKEND", "notifications.alimtalk.LoggingAlimtalkBackend")
ALIMTALK_TEMPLATES = env_mapping("ALIMTALK_TEMPLATES", {})
SOLAPI_API_URL = env_str("SOLAPI_API_URL", "https://api.solapi.com")
SOLAPI_API_KEY = env_str("SOLAPI_API_KEY", "")
SOLAPI_API_SECRET = env_str("SOLAPI_API_SECRET", "")
SOLAPI_PF_ID = env_str("SOLAPI_PF_ID", "")  # the Kakao channel's sender profile (pfId)
SOLAPI_SENDER = env_str("SOLAPI_SENDER", "")  # the registered sender number (SMS fallback, SOLAPI SMS)
# SOLAPI's report webhooks carry no signature: the callback URL holds this secret, and only these
# addresses may call it (empty: any; the token still applies).
SOLAPI_WEBHOOK_TOKEN = env_str("SOLAPI_WEBHOOK_TOKEN", "")
SOLAPI_WEBHOOK_ALLOWED_IPS = env_list("SOLAPI_WEBHOOK_ALLOWED_IPS", [])
# An accepted 알림톡 without a report after this many seconds is asked about (beat, every 5 min).
ALIMTALK_RECEIPT_WAIT = env_int("ALIMTALK_RECEIPT_WAIT", 900, minimum=60)


# --- Matchmaking (singles-meetup registry for staff of the eleven institutions) ---------------
# Fernet key(s) that encrypt contact details at rest; comma-separated for rotation (the first
# encrypts, every key decrypts). Dev and test derive a fixed key; production requires one.
# The development key is published in this repository: production refuses it (settings/production.py).
DEV_MATCHMAKING_CONTACT_KEY = "ZGV2LW9ubHktbWF0Y2htYWtpbmctY29udGFjdC1rZXk="
MATCHMAKING_CONTACT_KEY = env_str("MATCHMAKING_CONTACT_KEY", "") or DEV_MATCHMAKING_CONTACT_KEY
MATCHMAKING_MIN_AGE = 19  # adults only (민법 성년)
MATCHMAKING_MAX_AGE = env_int("MATCHMAKING_MAX_AGE", 39, minimum=19)
# A profile inactive this long is deleted; its owner is told MATCHMAKING_RETENTION_NOTICE_DAYS ahead.
MATCHMAKING_RETENTION_DAYS = env_int("MATCHMAKING_RETENTION_DAYS", 365, minimum=60)
MATCHMAKING_RETENTION_NOTICE_DAYS = 30
MATCHMAKING_MAX_PICKS = 3


# --- Reports (dashboard and exports for clerks) ------------------------------------------------
# An XLSX detail export with more rows than this is written by a Celery task; the clerk is
# notified with a download link. CSV always streams, whatever its size.
REPORTS_SYNC_XLSX_MAX_ROWS = env_int("REPORTS_SYNC_XLSX_MAX_ROWS", 5000, minimum=1)
# How long a background export's download link works (hours); the purge job then deletes the file.
# The dashboard's tables are counted at most once per this many seconds per clerk and filter (0: every
# request); the page says when. reports.selectors.tables.report_table.
# A refused CSRF check shows the portal's page (403) instead of Django's bare one.
CSRF_FAILURE_VIEW = "gwangmyeong_portal.views.csrf_failure"
REPORTS_CACHE_SECONDS = env_int("REPORTS_CACHE_SECONDS", 120, minimum=0)
REPORTS_EXPORT_LINK_HOURS = env_int("REPORTS_EXPORT_LINK_HOURS", 72, minimum=1)
# Seconds a background export may run before Celery stops it (200,000 rows take well under a minute).
REPORTS_EXPORT_TIME_LIMIT = env_int("REPORTS_EXPORT_TIME_LIMIT", 1800, minimum=60)
CELERY_BEAT_SCHEDULE["reports-purge-expired-exports"] = {
    "task": "reports.tasks.purge_expired_exports", "schedule": 3600.0,
}

# --- Retention jobs (periods in the Privacy section) --------------------------------------------
# Nightly (Seoul time), when hardly anyone applies or registers, a quarter of an hour apart.
CELERY_BEAT_SCHEDULE.update({
    "programs-purge-expired": {"task": "programs.tasks.purge_expired_task",
                               "schedule": crontab(hour=2, minute=15)},
    "events-purge-expired": {"task": "events.tasks.purge_expired_task", "schedule": crontab(hour=2, minute=30)},
    "notifications-purge-expired": {"task": "notifications.tasks.purge_expired_task",
                                    "schedule": crontab(hour=2, minute=45)},
    "matchmaking-purge-unused-consents": {"task": "matchmaking.tasks.purge_unused_consents_task",
                                          "schedule": crontab(hour=3, minute=0)},
})
# Nightly list of rows whose stored files are gone (logged; operators get a message).
CELERY_BEAT_SCHEDULE["portal-stored-files-check"] = {
    "task": "gwangmyeong_portal.tasks.stored_files_check_task", "schedule": crontab(hour=3, minute=30),
}


# --- Open data API (/api/v1/, api/) -----------------------------------------------------------------
# Requests per client address and period ("120/m", "5000/h"): beyond it, 429 with Retry-After.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "120/m")
if not re.fullmatch(r"[1-9][0-9]*/[smhd]", API_RATE_LIMIT or ""):
    raise ImproperlyConfigured("API_RATE_LIMIT must look like 120/m (a number, then /s, /m, /h or /d).")
# How long shared caches may keep an API answer (clients revalidate with ETag after it).
API_CACHE_SECONDS = env_int("API_CACHE_SECONDS", 60, minimum=0)
# How old the places left in the open data API's events may be (their answers are kept that long).
API_LIVE_SECONDS = env_int("API_LIVE_SECONDS", 10, minimum=1)
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Retry-After", "Content-Language")
# The downloads' provider columns (전국문화축제표준데이터): the city's institution code from the
# public data portal, its name, and the phone printed for the city's own events.
OPEN_DATA_PROVIDER_CODE = env_str("OPEN_DATA_PROVIDER_CODE", "")
OPEN_DATA_PROVIDER_NAME = env_str("OPEN_DATA_PROVIDER_NAME", "경기도 광명시")
OPEN_DATA_CONTACT_PHONE = env_str("OPEN_DATA_CONTACT_PHONE", "02-2680-6716")
