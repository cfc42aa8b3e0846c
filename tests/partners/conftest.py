import pytest

from accounts.roles import role_permissions_sync

from .factories import AgencyFactory, ClauseFactory, LecturerFactory, staff_of


@pytest.fixture
def roles(db):
    role_permissions_sync()


@pytest.fixture
def agency_a(db):
    return AgencyFactory(slug="agency-a", name_ko="가기관", name_en="Agency A")


@pytest.fixture
def agency_b(db):
    return AgencyFactory(slug="agency-b", name_ko="나기관", name_en="Agency B")


@pytest.fixture
def clause(agency_a, agency_b):
    return ClauseFactory(number=1, signatories=[agency_a, agency_b])


@pytest.fixture
def staff_a(agency_a, roles):
    return staff_of(agency_a, "staff@agency-a.example.com")


@pytest.fixture
def staff_b(agency_b, roles):
    return staff_of(agency_b, "staff@agency-b.example.com")


@pytest.fixture
def lecturer(db):
    return LecturerFactory(name="김강사")
