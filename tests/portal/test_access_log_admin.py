"""The admin writes whose rows a list showed, every bulk delete and every admin action on personal data."""

import pytest
from django.core import checks
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from gwangmyeong_portal.access_log import check_personal_data_admins
from gwangmyeong_portal.models import AccessLogEntry
from matchmaking import services as matchmaking_services
from matchmaking.models import Verification
from tests.matchmaking.factories import AgencyFactory, UserFactory, verifier_for

pytestmark = pytest.mark.django_db


def test_a_changelist_names_the_subject_of_every_row_on_the_page(client, admin_user):
    people = [make_user(f"person{n}@example.com") for n in range(3)]
    client.force_login(admin_user)
    response = client.get(reverse("admin:accounts_user_changelist"), {"q": "person"})
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(action="list", record_type="accounts.user")
    assert entry.detail["filters"] == {"q": "person"} and entry.detail["rows"] == 3
    assert sorted(entry.detail["subjects"]) == sorted([str(p.pk), f"user #{p.pk}", p.pk] for p in people)
    # Clerks find the list row by any one subject shown in it.
    found = client.get(reverse("admin:portal_accesslogentry_changelist"), {"q": f"user #{people[1].pk}\""})
    assert found.status_code == 200 and entry in found.context["cl"].result_list


def test_a_list_whose_subject_needs_another_query_still_names_the_records():
    # A meetup application's subject is its profile's user: a list that did not select the profile
    # keeps the record ids (no query per row); one that did names the people.
    from django.db import connection

    from gwangmyeong_portal.access_log import list_subjects
    from matchmaking.models import SessionApplication
    from tests.matchmaking.factories import attend, make_profile, make_session

    profiles = [make_profile(), make_profile()]
    attend(make_session(), *profiles)
    bare = list(SessionApplication.objects.order_by("pk"))
    ran = []

    def count(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        ran.append(sql)
        return result

    with connection.execute_wrapper(count):
        assert list_subjects(bare) == [[str(a.pk), str(a.pk), None] for a in bare]
    assert ran == []
    selected = list(SessionApplication.objects.select_related("profile").order_by("pk"))
    assert [row[2] for row in list_subjects(selected)] == [p.user_id for p in profiles]


def test_a_bulk_delete_writes_a_row_per_record_before_it_goes(client, admin_user):
    doomed = [make_user(f"doomed{n}@example.com") for n in range(2)]
    ids = [u.pk for u in doomed]
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_changelist")
    # The site's bulk delete: Django's delete_selected, or a replacement that asks a reason first.
    actions = dict(client.get(url).context["action_form"].fields["action"].choices)
    name = "delete_selected" if "delete_selected" in actions else "delete_with_reason"
    confirm = client.post(url, {"action": name, "_selected_action": ids})
    assert confirm.status_code == 200  # "are you sure?" lists them: a look at each
    assert sorted(AccessLogEntry.objects.filter(action="view", detail__admin_action=name)
                  .values_list("subject_user_id", flat=True)) == sorted(ids)
    go = {"post": "yes"} if name == "delete_selected" else {"apply": "1", "delete_reason": "시험 계정"}
    done = client.post(url, {"action": name, "_selected_action": ids, **go})
    assert done.status_code == 302
    deleted = AccessLogEntry.objects.filter(action="delete", record_type="accounts.user")
    assert sorted(deleted.values_list("subject_user_id", flat=True)) == sorted(ids)  # one row each
    assert {e.actor_email for e in deleted} == {"admin@example.com"}
    assert not type(admin_user).objects.filter(pk__in=ids).exists()


def test_the_single_delete_page_is_a_look_and_the_delete_is_logged(client, admin_user):
    doomed = make_user("doomed@example.com")
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_delete", args=[doomed.pk])
    assert client.get(url).status_code == 200
    look = AccessLogEntry.objects.get(action="view", record_type="accounts.user")
    assert look.subject_user_id == doomed.pk and look.detail == {"page": "delete_confirmation"}
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert AccessLogEntry.objects.get(action="delete", record_type="accounts.user").subject_user_id == doomed.pk


def test_confirming_a_verification_is_logged_with_whose_it_was(client):
    agency = AgencyFactory()
    verifier = verifier_for(agency)
    request = matchmaking_services.verification_request(user=UserFactory(), agency=agency)
    client.force_login(verifier)
    client.post(reverse("admin:matchmaking_verification_changelist"),
                {"action": "confirm", "_selected_action": [request.pk]})
    request.refresh_from_db()
    assert request.status == Verification.Status.CONFIRMED
    entry = AccessLogEntry.objects.get(action="change", record_type="matchmaking.verification")
    assert entry.actor == verifier and entry.record_id == str(request.pk)
    assert entry.subject_user_id == request.user_id and entry.detail == {"admin_action": "confirm"}


def test_an_action_that_logs_itself_is_not_logged_twice(client, clerk):
    from accounts.roles import role_permissions_sync
    from programs.models import Application
    from tests.programs.factories import ApplicationFactory

    role_permissions_sync()
    application = ApplicationFactory(status=Application.Status.SUBMITTED, reference="GM-T-1",
                                     submitted_at=timezone.now(), applicant=make_user("applicant@example.com"))
    client.force_login(clerk)
    client.post(reverse("admin:programs_application_changelist"),
                {"action": "action_start_review", "_selected_action": [application.pk]})
    assert AccessLogEntry.objects.filter(action="change", record_id=str(application.pk)).count() == 1


def test_every_personal_data_admin_writes_the_access_log():
    assert check_personal_data_admins() == []

    from django.contrib import admin

    from accounts.models import User

    class Bare(admin.ModelAdmin):
        pass

    site = admin.sites.AdminSite()
    site.register(User, Bare)
    original, admin.site._registry = admin.site._registry, site._registry
    try:
        errors = check_personal_data_admins()
    finally:
        admin.site._registry = original
    assert [e.id for e in errors] == ["portal.E001"] and errors[0].level == checks.ERROR


def test_the_check_in_search_names_whose_registrations_it_showed(client, clerk, citizen, other_citizen):
    from tests.events.factories import EventFactory, RegistrationFactory

    event = EventFactory(starts_at=timezone.now() + timezone.timedelta(hours=1))
    found = RegistrationFactory(event=event, user=citizen)  # 김시민
    RegistrationFactory(event=event, user=other_citizen)  # 이타인: not found by "김"
    client.force_login(clerk)
    assert client.get(f"/events/{event.pk}/check-in/", {"q": "김"}).status_code == 200
    entry = AccessLogEntry.objects.get(action="view", record_type="events.registration")
    assert entry.detail["rows"] == 1
    assert entry.detail["subjects"] == [[str(found.pk), str(citizen), citizen.pk]]


def test_a_delete_logged_with_its_reason_elsewhere_is_not_logged_twice(admin_user):
    """A replacement of delete_selected that logs each row with a reason, then deletes through the
    admin's delete_queryset (and a delete page doing the same for one record), leaves one row each."""
    from django.contrib import admin
    from django.test import RequestFactory

    from accounts.models import User
    from gwangmyeong_portal.access_log import _action_logged, access_log_record

    model_admin = admin.site._registry[User]

    def delete_with_reason(modeladmin, request, queryset):
        for obj in queryset:
            access_log_record(action="delete", request=request, obj=obj, reason="시험 계정")
        modeladmin.delete_queryset(request, queryset)

    request = RequestFactory().post("/admin/accounts/user/")
    request.user = admin_user
    doomed = [make_user(f"gone{n}@example.com") for n in range(2)]
    _action_logged(delete_with_reason, "delete_with_reason")(model_admin, request,
                                                            User.objects.filter(pk__in=[u.pk for u in doomed]))
    rows = AccessLogEntry.objects.filter(record_type="accounts.user")
    assert sorted(rows.values_list("action", "reason", "subject_user_id")) == sorted(
        ("delete", "시험 계정", u.pk) for u in doomed)

    single = make_user("single@example.com")
    single_pk = single.pk
    request = RequestFactory().post(f"/admin/accounts/user/{single.pk}/delete/")
    request.user = admin_user
    access_log_record(action="delete", request=request, obj=single, reason="본인 요청")
    model_admin.delete_model(request, single)
    assert list(AccessLogEntry.objects.filter(subject_user_id=single_pk).values_list("reason", flat=True)) == [
        "본인 요청"]


def test_clerks_access_log_leaves_out_who_is_in_the_meetup_registry(client, clerk, admin_user):
    """An access-log row about a meetup profile names a registry member: only operators see it."""
    from gwangmyeong_portal.access_log import access_log_record

    member = make_user("member@example.com", name="비밀회원")
    access_log_record(action="view", actor=admin_user, record_type="matchmaking.profile", record_id="1",
                      subject_label="비밀회원", subject_user_id=member.pk)
    access_log_record(action="view", actor=admin_user, record_type="programs.application", record_id="2",
                      subject_label="신청인", subject_user_id=member.pk)
    url = reverse("admin:portal_accesslogentry_changelist")
    client.force_login(clerk)
    page = client.get(url)
    assert page.status_code == 200 and "비밀회원" not in page.content.decode()
    assert list(client.get(url, {"q": "비밀회원"}).context["cl"].result_list) == []
    assert [e.record_type for e in client.get(url).context["cl"].result_list] == ["programs.application"]
    client.force_login(admin_user)
    assert "비밀회원" in client.get(url).content.decode()
