import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_my_page_needs_a_sign_in(client):
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_my_page_shows_the_citizen_their_account(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 200
    assert citizen.email in response.content.decode()


def test_profile_form_saves_and_rejects_bad_input(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("accounts:profile"), {"name": "김새이름", "phone": "010-1234-5678",
                                                         "preferred_language": "xx"})
    assert response.status_code == 400
    assert "preferred_language" in response.context["form"].errors
    citizen.refresh_from_db()
    assert citizen.name == "김시민"
    response = client.post(reverse("accounts:profile"), {"name": "김새이름", "phone": "010-1234-5678",
                                                         "preferred_language": "en"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert (citizen.name, citizen.preferred_language) == ("김새이름", "en")


def test_data_download_holds_the_citizens_data_and_nobody_elses(client, citizen, other_citizen):
    client.force_login(citizen)
    response = client.get(reverse("accounts:data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == citizen.email
    assert other_citizen.email not in response.content.decode()


def test_deleting_the_account_asks_for_the_password_again(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("accounts:delete"))
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]


def test_deleting_the_account_removes_the_person_and_their_sign_in(client, citizen, password):
    client.force_login(citizen)
    client.post(reverse("account_reauthenticate"), {"password": password})
    page = client.get(reverse("accounts:delete"))
    assert page.status_code == 200
    assert "보관" in page.content.decode()  # says what is kept and why
    response = client.post(reverse("accounts:delete"), {})
    assert response.status_code == 400
    assert response.context["form"].errors  # confirmation is required
    response = client.post(reverse("accounts:delete"), {"confirm": "on"})
    assert response.status_code == 200
    assert not User.objects.filter(email=citizen.email).exists()
    assert not client.login(email=citizen.email, password=password)


def test_staff_are_signed_out_after_the_idle_limit(client, clerk, settings):
    from accounts.middleware import StaffIdleTimeoutMiddleware

    client.force_login(clerk)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[StaffIdleTimeoutMiddleware.SESSION_KEY] -= settings.STAFF_SESSION_IDLE_SECONDS + 5
    session.save()
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("how", ["clerk group", "agency membership"])
def test_role_holders_without_the_staff_flag_are_signed_out_after_the_idle_limit(client, citizen, settings, how):
    """A clerk role or an agency membership reaches personal data (check-in, attendee lists,
    reports) without ``is_staff``: such sessions expire after the idle limit too."""
    from django.contrib.auth.models import Group

    from accounts.middleware import StaffIdleTimeoutMiddleware
    from accounts.roles import CITY_CLERK
    from partners.models import Agency, AgencyMembership

    if how == "clerk group":
        citizen.groups.add(Group.objects.get(name=CITY_CLERK))
    else:
        AgencyMembership.objects.create(user=citizen, agency=Agency.objects.filter(is_active=True).first()
                                        or Agency.objects.create(name_ko="광명경찰서", name_en="Police", slug="police"))
    assert not citizen.is_staff
    client.force_login(citizen)
    assert client.get("/me/").status_code == 200
    session = client.session
    session[StaffIdleTimeoutMiddleware.SESSION_KEY] -= settings.STAFF_SESSION_IDLE_SECONDS + 5
    session.save()
    assert client.get("/me/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_citizens_keep_their_session_and_pay_no_role_query_on_each_page(client, citizen, settings,
                                                                         django_assert_num_queries):
    from accounts.middleware import StaffIdleTimeoutMiddleware

    client.force_login(citizen)
    client.get("/me/")
    session = client.session
    assert StaffIdleTimeoutMiddleware.SESSION_KEY not in session
    assert session[StaffIdleTimeoutMiddleware.ROLE_KEY][1] is False
    client.get("/me/")  # the role answer is kept in the session: a second page asks nothing more
    with django_assert_num_queries(1):  # the user row, as before
        client.get("/me/")


def _role_lookups(queries) -> list[str]:
    return [q["sql"] for q in queries if "auth_group" in q["sql"] or "partners_agencymembership" in q["sql"]
            or "django_session" in q["sql"]]


def test_the_role_check_is_made_at_sign_in_so_a_citizens_pages_ask_nothing_about_roles(client, citizen):
    """The sign-in writes the session anyway and keeps the role check in it: from the first page on,
    a citizen's role and agency membership (visible_to, managed_by) cost no query and no session write."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.middleware import StaffIdleTimeoutMiddleware
    from events.models import Event

    event = Event.objects.create(title_ko="부부 출산교실", type=Event.Type.CLASS, organiser_office="여성가족과",
                                 starts_at=timezone.now() + timedelta(days=3),
                                 ends_at=timezone.now() + timedelta(days=3, hours=2))
    client.force_login(citizen)  # login() sends user_logged_in, as allauth's sign-in does
    assert client.session[StaffIdleTimeoutMiddleware.ROLE_KEY][1:] == [False, ["citizen"]]
    with CaptureQueriesContext(connection) as first_page:
        assert client.get(f"/events/{event.pk}/").status_code == 200
    assert _role_lookups(first_page.captured_queries) == []


def test_a_role_taken_away_applies_on_the_next_page(client, citizen):
    """Only a citizen's answer is reused: someone holding a role is looked up on every page, so a
    clerk role removed mid-session stops reaching unpublished events at once."""
    from django.contrib.auth.models import Group

    from accounts.roles import CITY_CLERK
    from events.models import Event

    hidden = Event.objects.create(title_ko="내부 준비 회의", type=Event.Type.CLASS, organiser_office="여성가족과",
                                  is_public=False, starts_at=timezone.now() + timedelta(days=3),
                                  ends_at=timezone.now() + timedelta(days=3, hours=2))
    clerks = Group.objects.get(name=CITY_CLERK)
    citizen.groups.add(clerks)
    client.force_login(citizen)
    assert client.get(f"/events/{hidden.pk}/").status_code == 200
    citizen.groups.remove(clerks)
    assert client.get(f"/events/{hidden.pk}/").status_code == 404


def test_agency_staff_membership_is_looked_up_once_per_page(client, citizen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events.models import Event
    from partners.models import Agency, AgencyMembership

    agency = Agency.objects.filter(is_active=True).first() or Agency.objects.create(
        name_ko="광명경찰서", name_en="Police", slug="police")
    AgencyMembership.objects.create(user=citizen, agency=agency, can_manage_events=True)
    event = Event.objects.create(title_ko="안전 교육", type=Event.Type.CLASS, organiser=agency,
                                 starts_at=timezone.now() + timedelta(days=3),
                                 ends_at=timezone.now() + timedelta(days=3, hours=2))
    client.force_login(citizen)
    with CaptureQueriesContext(connection) as page:
        content = client.get(f"/events/{event.pk}/").content.decode()
    assert f"/events/{event.pk}/manage/" in content  # visible_to and managed_by both used the membership
    membership_rows = [q for q in page.captured_queries
                       if '"partners_agencymembership"."can_manage_events"' in q["sql"]]
    assert len(membership_rows) == 1


@pytest.fixture
def mfa_required(settings):
    settings.STAFF_REQUIRE_MFA = True


def test_with_two_factor_required_staff_set_it_up_before_any_staff_page(client, clerk, mfa_required):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    client.force_login(clerk)
    for url in ("/admin/", "/reports/", "/me/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), url
    # The way out is open: allauth's own setup (after it asks for the password again), not the gate.
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200 or setup["Location"].startswith("/accounts/reauthenticate/")
    TOTP.activate(clerk, generate_totp_secret())
    assert client.get("/admin/").status_code == 200


def test_with_two_factor_required_role_holders_without_the_staff_flag_are_asked_too(client, citizen,
                                                                                    mfa_required):
    from django.contrib.auth.models import Group

    from accounts.roles import CITY_CLERK

    citizen.groups.add(Group.objects.get(name=CITY_CLERK))
    client.force_login(citizen)
    assert client.get("/reports/")["Location"] == reverse("mfa_activate_totp")


def test_with_two_factor_required_citizens_are_never_asked(client, citizen, mfa_required):
    client.force_login(citizen)
    assert client.get("/me/").status_code == 200
