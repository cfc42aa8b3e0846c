"""Each settings mode loads, and production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "k" * 40 + "0123456789abcdefghij"
PROD_ENV = {
    "DJANGO_SECRET_KEY": GOOD_SECRET,
    "DJANGO_ALLOWED_HOSTS": "portal.example.go.kr",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/gwangmyeong",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "NOTIFY_SITE_URL": "https://portal.example.go.kr",
    "MATCHMAKING_CONTACT_KEY": "ilUFeGnTtkxYdswkLWP_GfT3FODGMuLAplnthvJBlZ8=",
}
PROBE = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, settings.DEBUG)"
)
MANAGED = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG",
           "UPLOAD_MAX_BYTES", "DJANGO_SETTINGS_MODULE", "NOTIFY_SITE_URL", "MATCHMAKING_CONTACT_KEY",
           "ACCESS_LOG_RETENTION_DAYS", "SMS_BACKEND", "APPLICATION_RETENTION_DAYS",
           "APPLICATION_DRAFT_RETENTION_DAYS", "FINDER_PROFILE_RETENTION_DAYS", "REGISTRATION_RETENTION_DAYS",
           "MESSAGE_RETENTION_DAYS", "MATCHMAKING_UNUSED_CONSENT_DAYS", "EMAIL_BACKEND", "EMAIL_FILE_PATH")


def load(module: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in MANAGED}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = f"gwangmyeong_portal.settings.{module}"
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=60)


def test_dev_without_database_url_uses_embedded_sqlite_and_eager_tasks():
    result = load("dev")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "True"]


def test_dev_with_urls_uses_postgres_and_the_broker():
    result = load("dev", DATABASE_URL=PROD_ENV["DATABASE_URL"], REDIS_URL=PROD_ENV["REDIS_URL"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False", "True"]


def test_test_mode_defaults_to_postgres():
    result = load("test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_production_loads_with_every_required_setting():
    result = load("production", **PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django_prometheus.db.backends.postgresql", "False", "False"]


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "NOTIFY_SITE_URL",
                "MATCHMAKING_CONTACT_KEY"]
)
def test_production_refuses_to_start_without_a_required_setting(missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = load("production", **env)
    assert result.returncode != 0
    assert missing in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_refuses_a_short_secret():
    result = load("production", **{**PROD_ENV, "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("UPLOAD_MAX_BYTES", "ten megabytes"), ("DJANGO_DEBUG", "maybe"), ("DATABASE_URL", "not-a-url"),
     ("REDIS_URL", "http://127.0.0.1:6379"),
     ("ACCESS_LOG_RETENTION_DAYS", "365"),  # the access log is kept at least two years (PIPA)
     # Retention periods: too short to be meant, or (applications) longer than the apply page promises.
     ("APPLICATION_RETENTION_DAYS", "364"), ("APPLICATION_RETENTION_DAYS", "1827"),
     ("APPLICATION_RETENTION_DAYS", "5 years"), ("APPLICATION_DRAFT_RETENTION_DAYS", "29"),
     ("FINDER_PROFILE_RETENTION_DAYS", "29"), ("REGISTRATION_RETENTION_DAYS", "364"),
     ("MESSAGE_RETENTION_DAYS", "29"), ("MATCHMAKING_UNUSED_CONSENT_DAYS", "29")],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(name, value):
    result = load("dev", **{name: value})
    assert result.returncode != 0
    assert name in result.stderr.strip().splitlines()[-1]


def test_production_refuses_to_write_texts_to_the_log():
    result = load("production", **PROD_ENV, SMS_BACKEND="notifications.sms.LoggingSmsBackend")
    assert result.returncode != 0
    assert "SMS_BACKEND" in result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "key",
    ["ZGV2LW9ubHktbWF0Y2htYWtpbmctY29udGFjdC1rZXk=",  # the public dev key of settings/base.py
     # ... also behind a key of one's own during a rotation: it still decrypts what it encrypted
     "ilUFeGnTtkxYdswkLWP_GfT3FODGMuLAplnthvJBlZ8=,ZGV2LW9ubHktbWF0Y2htYWtpbmctY29udGFjdC1rZXk=",
     "not-a-fernet-key"],
)
def test_production_refuses_the_public_dev_contact_key_or_a_broken_one(key):
    result = load("production", **{**PROD_ENV, "MATCHMAKING_CONTACT_KEY": key})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line and "MATCHMAKING_CONTACT_KEY" in last_line


@pytest.mark.parametrize(
    ("env", "variable"),
    [({"EMAIL_BACKEND": "django.core.mail.backends.nosuch.EmailBackend"}, "EMAIL_BACKEND"),
     ({"EMAIL_BACKEND": "django.core.mail.backends.smtp.NoSuchBackend"}, "EMAIL_BACKEND"),
     ({"EMAIL_BACKEND": "smtp"}, "EMAIL_BACKEND"),
     # Django's file backend without a folder fails every mail at send time: refused at start instead.
     ({"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"}, "EMAIL_FILE_PATH"),
     ({"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": "/proc/no-mail-here"},
      "EMAIL_FILE_PATH")],
)
@pytest.mark.parametrize("mode", ["dev", "production"])
def test_a_mail_setting_that_cannot_work_stops_start_up_naming_the_variable(mode, env, variable):
    base = PROD_ENV if mode == "production" else {}
    result = load(mode, **base, **env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line and variable in last_line


def test_the_file_mail_backend_reads_its_folder_from_email_file_path(tmp_path):
    folder = tmp_path / "mail"
    probe = ("import django; from django.conf import settings; django.setup(); "
             "from django.core.mail import send_mail; send_mail('s', 'b', None, ['a@example.com']); "
             "print(settings.EMAIL_FILE_PATH)")
    clean = {k: v for k, v in os.environ.items() if k not in MANAGED}
    clean.update(DJANGO_SETTINGS_MODULE="gwangmyeong_portal.settings.dev", EMAIL_FILE_PATH=str(folder),
                 EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=clean, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(folder)
    assert len(list(folder.iterdir())) == 1
