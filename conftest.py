"""Role fixtures shared by every app's tests: citizen, other_citizen, clerk, admin_user."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.roles import CITIZEN, CITY_CLERK

PASSWORD = "correct-horse-battery-staple"


def make_user(email: str, *, groups=(CITIZEN,), is_staff=False, is_superuser=False, name=""):
    from accounts.models import User

    user = User.objects.create_user(
        email=email, password=PASSWORD, name=name or email.split("@")[0], is_staff=is_staff,
        is_superuser=is_superuser,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    for name_ in groups:
        user.groups.add(Group.objects.get_or_create(name=name_)[0])
    return user


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_access_log_guard():
    """Transactional tests empty the database with one TRUNCATE of every table, which the access
    log's append-only trigger refuses. The test run (as a PostgreSQL superuser) turns triggers off
    for that one transaction; the application cannot (session_replication_role needs a superuser)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def citizen(db):
    return make_user("citizen@example.com", name="김시민")


@pytest.fixture
def other_citizen(db):
    return make_user("other@example.com", name="이타인")


@pytest.fixture
def clerk(db):
    return make_user("clerk@example.com", groups=(CITIZEN, CITY_CLERK), is_staff=True, name="정주무관")


@pytest.fixture
def admin_user(db):
    return make_user("admin@example.com", groups=(), is_staff=True, is_superuser=True, name="관리자")


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts with no cached page parts: the database rolls back between tests, the
    cache does not (gwangmyeong_portal.page_cache)."""
    from gwangmyeong_portal import page_cache

    for kind in page_cache.WATCHED:
        page_cache.forget(kind)
