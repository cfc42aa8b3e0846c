"""Anonymous visitors get whole public pages from the cache; changes show at once; nobody else does."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def test_anonymous_pages_are_cached_whole_and_hold_no_csrf_token(client):
    ProgramFactory(title_ko="장난감도서관")
    first = client.get(reverse("programs:catalog"))
    second = client.get(reverse("programs:catalog"))
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second.content == first.content and "장난감도서관" in second.content.decode()
    assert b"csrfmiddlewaretoken" not in second.content
    assert "csrftoken" not in second.cookies
    # Security headers are still added to a cached page on its way out.
    assert "Content-Security-Policy" in second


def test_a_change_shows_on_the_very_next_visit(client):
    program = ProgramFactory(title_ko="옛 이름")
    client.get(program.get_absolute_url())
    program.title_ko = "새 이름"
    program.save()
    response = client.get(program.get_absolute_url())
    assert "새 이름" in response.content.decode() and response["X-Page-Cache"] == "miss"


def test_queries_and_languages_are_cached_apart(client):
    ProgramFactory(title_ko="장난감도서관", title_en="Toy library")
    ProgramFactory(title_ko="출산 장려금", title_en="Birth incentive")
    found = client.get(reverse("programs:catalog"), {"q": "장난감"}).content.decode()
    assert "장난감도서관" in found and "출산 장려금" not in found
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "Toy library" in english.get(reverse("programs:catalog")).content.decode()
    assert "Toy library" not in client.get(reverse("programs:catalog")).content.decode()


def test_signed_in_visitors_and_pending_messages_are_never_served_from_the_cache(client, citizen):
    ProgramFactory()
    Client().get(reverse("programs:catalog"))  # an anonymous visit fills the cache
    client.force_login(citizen)
    response = client.get(reverse("programs:catalog"))
    assert "X-Page-Cache" not in response and "마이페이지" in response.content.decode()
    anonymous_with_message = Client()
    anonymous_with_message.cookies["messages"] = "x"
    assert "X-Page-Cache" not in anonymous_with_message.get(reverse("programs:catalog"))


def test_the_language_switcher_works_without_a_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/programs/"})
    assert response.status_code == 302 and client.cookies["django_language"].value == "en"


def test_my_page_sections_are_kept_per_person_and_refreshed_when_their_rows_change(client, citizen, clerk):
    from programs import services
    from programs.models import Application

    program = ProgramFactory(title_ko="야간 보육")
    client.force_login(citizen)
    assert "아직 신청한 사업이 없습니다" in client.get(reverse("accounts:me")).content.decode()
    application = services.application_start(program=program, applicant=citizen)
    services.application_save_draft(application=application, answers={}, consent=True)
    application = services.application_submit(application=application, actor=citizen)
    page = client.get(reverse("accounts:me")).content.decode()
    assert "야간 보육" in page and "접수" in page
    services.application_approve(application=application, actor=clerk)
    assert "승인" in client.get(reverse("accounts:me")).content.decode()
    # Another person's page is their own.
    other = Client()
    other.force_login(clerk)
    assert "야간 보육" not in other.get(reverse("accounts:me")).content.decode()
    assert Application.objects.count() == 1


def test_the_unread_badge_follows_new_and_read_messages(client, citizen):
    from notifications.services import notify

    client.force_login(citizen)

    def badge():
        return client.get(reverse("programs:catalog")).context["notifications_unread_count"]

    assert badge() == 0
    notify(recipient=citizen, kind="notifications.welcome", context={"name": "김시민", "tip": "1"})
    assert badge() == 1
    client.post(reverse("notifications:mark_all_read"))
    assert badge() == 0


def test_an_event_page_is_cached_for_anonymous_visitors_until_a_place_is_taken_or_registration_opens(
        client, citizen):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Registration
    from tests.events.factories import EventFactory, RegistrationFactory

    event = EventFactory(capacity=2, waitlist_limit=0, registration_opens_at=timezone.now() + timedelta(hours=1))
    path = f"/events/{event.pk}/"
    assert client.get(path)["X-Page-Cache"] == "miss"
    waiting = client.get(path)
    assert waiting["X-Page-Cache"] == "hit" and "2명 / 정원 2명" in waiting.content.decode()
    RegistrationFactory(event=event, user=citizen, status=Registration.Status.CONFIRMED)  # no Event row saved
    taken = client.get(path)
    assert taken["X-Page-Cache"] == "miss" and "1명 / 정원 2명" in taken.content.decode()
    # The opening moment passes with no row changed: the page offers the sign-in to register at once.
    assert "로그인하고 신청하기" not in taken.content.decode()
    type(event).objects.filter(pk=event.pk).update(registration_opens_at=timezone.now() - timedelta(seconds=1))
    opened = client.get(path)
    assert "로그인하고 신청하기" in opened.content.decode()
    # Signed in, the page is the person's own (their registration, the form): never from that cache.
    client.force_login(citizen)
    mine = client.get(path)
    assert "X-Page-Cache" not in mine and "이 행사에 신청하셨습니다" in mine.content.decode()


def test_finder_results_are_cached_for_anonymous_visitors_not_for_people_signed_in(client, citizen):
    path = reverse("programs:finder_results") + "?resident=yes&age=31&pregnant=yes"
    assert client.get(path)["X-Page-Cache"] == "miss" and client.get(path)["X-Page-Cache"] == "hit"
    client.force_login(citizen)
    signed_in = client.get(path)
    assert "X-Page-Cache" not in signed_in and b"csrfmiddlewaretoken" in signed_in.content  # "save my answers"


def _rebuilding(kind: str, name: str, *parts):
    """Another request holds the right to rebuild this page (as at a busy moment after an edit)."""
    from django.core.cache import cache
    from django.utils import translation

    from gwangmyeong_portal import page_cache

    with translation.override("ko"):
        building = page_cache.stale_key(kind, name, *parts) + ":building"
    assert cache.add(building, 1, 10)
    return building


def test_while_one_visitor_rebuilds_a_page_after_an_edit_the_others_get_the_last_copy(client):
    from django.core.cache import cache

    program = ProgramFactory(title_ko="옛 이름")
    catalog = reverse("programs:catalog")
    assert client.get(catalog)["X-Page-Cache"] == "miss"
    program.title_ko = "새 이름"
    program.save()
    building = _rebuilding("programs", "anonymous-page", catalog, "")
    meanwhile = client.get(catalog)
    assert meanwhile["X-Page-Cache"] == "stale" and "옛 이름" in meanwhile.content.decode()
    assert "Content-Security-Policy" in meanwhile  # still a page through every middleware
    cache.delete(building)  # the rebuilding request is done: the next visitor builds and sees the change
    after = client.get(catalog)
    assert after["X-Page-Cache"] == "miss" and "새 이름" in after.content.decode()
    assert cache.get(building) is None  # released, so the next edit's first visitor rebuilds at once


def test_with_no_last_copy_every_visitor_builds_the_page_while_another_rebuilds_it(client):
    from django.core.cache import cache

    ProgramFactory(title_ko="장난감도서관")
    catalog = reverse("programs:catalog")
    building = _rebuilding("programs", "anonymous-page", catalog, "q=%EB%8F%84%EC%84%9C%EA%B4%80&page=1")
    response = client.get(catalog, {"q": "도서관", "page": "1"})  # asked for by no other test
    assert response["X-Page-Cache"] == "miss" and "장난감도서관" in response.content.decode()
    assert cache.get(building) == 1  # not this request's to release
    cache.delete(building)


def test_an_event_page_rebuilt_by_another_visitor_is_given_as_it_was_a_moment_before(client, citizen):
    from django.core.cache import cache

    from events.models import Registration
    from tests.events.factories import EventFactory, RegistrationFactory

    event = EventFactory(capacity=2, waitlist_limit=0)
    path = f"/events/{event.pk}/"
    assert client.get(path)["X-Page-Cache"] == "miss"
    RegistrationFactory(event=event, user=citizen, status=Registration.Status.CONFIRMED)
    building = _rebuilding("events", "detail", event.pk)
    meanwhile = client.get(path)
    assert meanwhile["X-Page-Cache"] == "stale" and "2명 / 정원 2명" in meanwhile.content.decode()
    cache.delete(building)
    assert "1명 / 정원 2명" in client.get(path).content.decode()
    # An event no longer public is a 404 before any copy is looked at.
    type(event).objects.filter(pk=event.pk).update(is_public=False)
    building = _rebuilding("events", "detail", event.pk)
    assert client.get(path).status_code == 404
    cache.delete(building)


def test_a_page_unpublished_meanwhile_is_never_given_from_its_last_copy_again(client):
    from django.core.cache import cache

    program = ProgramFactory(title_ko="곧 내려갈 사업")
    path = program.get_absolute_url()
    assert client.get(path)["X-Page-Cache"] == "miss"
    program.status = "draft"
    program.save()
    assert client.get(path).status_code == 404  # the first visitor rebuilds: nothing to keep
    building = _rebuilding("programs", "anonymous-page", path, "")
    assert client.get(path).status_code == 404  # another rebuilds meanwhile: no last copy any more
    cache.delete(building)


def test_a_visitor_arriving_during_a_rebuild_gets_the_last_copy_and_the_page_is_built_once(rf):
    import secrets

    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from gwangmyeong_portal import page_cache

    request = rf.get("/programs/")
    request.user = AnonymousUser()
    name = secrets.token_hex(4)  # keys no other test uses
    stale = page_cache.stale_key("programs", name)
    builds, meanwhile = [], []

    def build(text):
        def render():
            builds.append(text)
            if text == "new":  # a second visitor's request arrives while this one is rebuilding
                meanwhile.append(page_cache.anonymous_response(request, f"{name}:v2", build("again"), stale=stale))
            return HttpResponse(text)
        return render

    page_cache.anonymous_response(request, f"{name}:v1", build("old"), stale=stale)
    after_edit = page_cache.anonymous_response(request, f"{name}:v2", build("new"), stale=stale)
    assert builds == ["old", "new"]  # the visitor who came meanwhile did not build it again
    assert meanwhile[0]["X-Page-Cache"] == "stale" and meanwhile[0].content == b"old"
    assert after_edit["X-Page-Cache"] == "miss" and after_edit.content == b"new"
    again = page_cache.anonymous_response(request, f"{name}:v2", build("unused"), stale=stale)
    assert again["X-Page-Cache"] == "hit" and again.content == b"new"
