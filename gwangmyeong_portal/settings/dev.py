"""`make run` on a laptop: debug pages, console email, SQLite unless DATABASE_URL is set."""

from .base import *  # noqa: F403
from .env import email_backend, email_file_path, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
EMAIL_BACKEND = email_backend("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = email_file_path("EMAIL_FILE_PATH", EMAIL_BACKEND)
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# `make run` logs 알림톡 (numbers masked) for these kinds, as SMS; set ALIMTALK_TEMPLATES to change them.
from .env import env_mapping  # noqa: E402

ALIMTALK_TEMPLATES = env_mapping("ALIMTALK_TEMPLATES", {
    "notifications.urgent": "DEV-URGENT", "notifications.reminder": "DEV-REMINDER",
    "programs.application_decided": "DEV-APPLICATION-DECIDED", "events.reminder": "DEV-EVENT-REMINDER",
})
