"""The personal-data access log: one service, append-only, searchable by clerks, purged after retention."""

import uuid
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from gwangmyeong_portal.access_log import access_log_purge, access_log_record
from gwangmyeong_portal.models import AccessLogEntry
from gwangmyeong_portal.tasks import access_log_purge_task


@pytest.mark.django_db
def test_a_record_names_who_when_where_whose_and_what(clerk, citizen):
    request = RequestFactory().get("/admin/accounts/user/1/change/", REMOTE_ADDR="10.1.2.3")
    request.user = clerk
    entry = access_log_record(action="view", request=request, obj=citizen)

    entry.refresh_from_db()
    assert entry.actor == clerk and entry.actor_email == "clerk@example.com"
    assert entry.ip_address == "10.1.2.3"
    assert entry.record_type == "accounts.user" and entry.record_id == str(citizen.pk)
    assert entry.at is not None and entry.path == "/admin/accounts/user/1/change/"


@pytest.mark.django_db
def test_an_entry_cannot_be_changed_once_written(clerk):
    entry = access_log_record(action="export", actor=clerk, record_type="programs.application",
                              reason="월간 보고", detail={"rows": 3})
    entry.reason = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    assert AccessLogEntry.objects.get().reason == "월간 보고"


@pytest.mark.django_db
def test_unknown_action_is_a_programming_error(clerk):
    with pytest.raises(ValueError):
        access_log_record(action="peek", actor=clerk, record_type="x")


def _written_at(when, **kwargs) -> AccessLogEntry:
    """A row as it was written ``when`` (rows cannot be back-dated once written: the table refuses UPDATE)."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        return access_log_record(**kwargs)


@pytest.mark.django_db
def test_purge_removes_only_rows_past_retention_and_logs_itself(settings, clerk):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    now = timezone.now()
    _written_at(now - timedelta(days=731), action="view", actor=clerk, record_type="x", record_id="1")
    _written_at(now - timedelta(days=729), action="view", actor=clerk, record_type="x", record_id="2")

    assert access_log_purge(now=now) == 1
    assert list(AccessLogEntry.objects.exclude(action="purge").values_list("record_id", flat=True)) == ["2"]
    purge = AccessLogEntry.objects.get(action="purge")
    assert purge.actor is None and purge.actor_email == "(system)"
    assert purge.detail["purged"] == 1
    assert datetime.fromisoformat(purge.detail["before"]) == now - timedelta(days=730)


@pytest.mark.django_db
def test_the_daily_retention_task_runs_the_purge(settings, clerk):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    _written_at(timezone.now() - timedelta(days=800), action="view", actor=clerk, record_type="x")
    assert access_log_purge_task() == 1
    assert list(AccessLogEntry.objects.values_list("action", flat=True)) == ["purge"]


@pytest.fixture
def app_role(db):
    """A role like production's application account: owns nothing special, may read and write the
    tables, is no superuser. Created inside the test's transaction, so it is rolled back with it."""
    name = f"portal_app_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} NOSUPERUSER NOLOGIN")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON portal_accesslogentry TO {name}")
        cursor.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {name}")
    return name


@pytest.mark.django_db
@pytest.mark.parametrize("statement", [
    "UPDATE portal_accesslogentry SET reason = 'tampered'",
    "UPDATE portal_accesslogentry SET at = at - interval '3 years'",
    "DELETE FROM portal_accesslogentry",
    "TRUNCATE portal_accesslogentry",
    "SELECT set_config('portal.access_log_purge', 'off', true); DELETE FROM portal_accesslogentry",
])
@pytest.mark.parametrize("as_app_role", [True, False], ids=["app-role", "owner"])
def test_the_database_refuses_to_change_or_remove_rows(request, clerk, statement, as_app_role):
    entry = access_log_record(action="export", actor=clerk, record_type="programs.application", reason="월간 보고")
    with connection.cursor() as cursor:
        # The row's foreign-key check is deferred to commit; TRUNCATE would refuse to run past it.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        if as_app_role:
            cursor.execute(f"SET LOCAL ROLE {request.getfixturevalue('app_role')}")
        cursor.execute(statement)
    entry = AccessLogEntry.objects.get(pk=entry.pk)
    assert entry.reason == "월간 보고" and entry.at > timezone.now() - timedelta(minutes=5)


@pytest.mark.django_db
def test_the_orm_cannot_delete_or_update_rows_either(clerk):
    access_log_record(action="view", actor=clerk, record_type="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.update(actor_email="someone@else")
    assert AccessLogEntry.objects.get().actor_email == "clerk@example.com"


@pytest.mark.django_db
def test_the_app_role_purges_through_the_function(app_role, clerk, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    _written_at(timezone.now() - timedelta(days=731), action="view", actor=clerk, record_type="x", record_id="old")
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {app_role}")
        try:
            assert access_log_purge() == 1
        finally:
            cursor.execute("RESET ROLE")
    assert list(AccessLogEntry.objects.values_list("action", "detail__purged")) == [("purge", 1)]


@pytest.mark.django_db
def test_deleting_a_staff_account_keeps_its_rows_and_says_who_it_was(clerk):
    access_log_record(action="view", actor=clerk, record_type="x")
    clerk.delete()
    entry = AccessLogEntry.objects.get()
    assert entry.actor is None and entry.actor_email == "clerk@example.com"


@pytest.mark.django_db
def test_forwarded_address_is_trusted_only_behind_configured_proxies(settings, clerk):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1")
    request.user = clerk
    assert access_log_record(action="view", request=request, record_type="x").ip_address == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert access_log_record(action="view", request=request, record_type="x").ip_address == "203.0.113.9"


@pytest.mark.django_db
def test_clerks_can_search_the_log_but_nobody_can_edit_it(client, clerk, admin_user):
    from accounts.roles import role_permissions_sync

    role_permissions_sync()
    entry = access_log_record(action="view", actor=admin_user, record_type="accounts.user",
                              subject_label="GM-2027-000001")
    client.force_login(clerk)
    changelist = reverse("admin:portal_accesslogentry_changelist")
    response = client.get(changelist, {"q": "GM-2027-000001"})
    assert response.status_code == 200
    assert b"GM-2027-000001" in response.content

    change = reverse("admin:portal_accesslogentry_change", args=[entry.pk])
    delete = reverse("admin:portal_accesslogentry_delete", args=[entry.pk])
    assert client.post(change, {"reason": "x"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.force_login(admin_user)  # not even a superuser
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_citizens_cannot_open_the_log(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("admin:portal_accesslogentry_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
