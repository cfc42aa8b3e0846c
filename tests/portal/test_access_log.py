"""The personal-data access log: one service, append-only, searchable by clerks, purged after retention."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from gwangmyeong_portal.access_log import access_log_purge, access_log_record
from gwangmyeong_portal.models import AccessLogEntry


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


@pytest.mark.django_db
def test_purge_removes_only_rows_past_retention(settings, clerk):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    old = access_log_record(action="view", actor=clerk, record_type="x", record_id="1")
    recent = access_log_record(action="view", actor=clerk, record_type="x", record_id="2")
    AccessLogEntry.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=731))
    AccessLogEntry.objects.filter(pk=recent.pk).update(at=timezone.now() - timedelta(days=729))

    assert access_log_purge() == 1
    assert list(AccessLogEntry.objects.values_list("record_id", flat=True)) == ["2"]


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
