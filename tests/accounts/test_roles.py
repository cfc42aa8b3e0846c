import pytest
from django.contrib.auth.models import Group

from accounts.roles import AGENCY_STAFF, CITIZEN, CITY_CLERK, ROLE_PERMISSIONS, role_permissions_sync

pytestmark = pytest.mark.django_db


def test_role_groups_are_created_by_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {CITIZEN, AGENCY_STAFF, CITY_CLERK}


def test_each_role_holds_exactly_its_permissions():
    role_permissions_sync()
    for role, wanted in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == wanted, role


def test_a_clerk_can_open_the_admin_and_a_citizen_cannot(client, clerk, citizen):
    client.force_login(clerk)
    assert client.get("/admin/").status_code == 200
    assert clerk.has_perm("accounts.view_user")
    client.force_login(citizen)
    assert client.get("/admin/").status_code == 302
    assert not citizen.has_perm("accounts.view_user")
