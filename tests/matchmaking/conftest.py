import pytest
from django.contrib.auth.models import Group

from accounts.roles import CITY_CLERK, role_permissions_sync


@pytest.fixture(autouse=True)
def _roles(db):
    # Role groups carry the matchmaking permissions (run_draw, change_sessionapplication, ...).
    role_permissions_sync()
    Group.objects.get_or_create(name=CITY_CLERK)
