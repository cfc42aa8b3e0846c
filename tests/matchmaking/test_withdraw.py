"""Giving up a seat after the draw: until the meetup starts a selected or waitlisted person may
withdraw (or leave the registry); a selected seat goes to the next person waiting of the same
gender, who is told — and told nothing about who gave it up."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from matchmaking import services
from matchmaking.models import DrawRecord, Profile, SessionApplication
from notifications.models import Message

from .factories import make_profile, make_session

F, M = Profile.Gender.FEMALE, Profile.Gender.MALE
Status = SessionApplication.Status
PROMOTED = "matchmaking.waitlist_promoted"


def drawn_session(clerk, *, women: int = 5, men: int = 3):
    """A session with 2+2 seats, drawn after ``women`` women and ``men`` men applied."""
    session = make_session(start_in_days=10, seats_female=2, seats_male=2)
    during = session.applications_open_at + timedelta(hours=1)
    for gender, count in ((F, women), (M, men)):
        for _ in range(count):
            services.session_apply(session=session, profile=make_profile(gender=gender), now=during)
    services.session_draw(session=session, drawn_by=clerk, now=session.applications_close_at + timedelta(minutes=1))
    return session


def selected(session, gender) -> list[SessionApplication]:
    return list(session.applications.filter(status=Status.SELECTED, profile__gender=gender)
                .select_related("profile__user").order_by("pk"))


def waiting(session, gender) -> list[SessionApplication]:
    """The waitlist of one gender, first in line first."""
    return list(session.applications.filter(status=Status.WAITLISTED, profile__gender=gender)
                .select_related("profile__user").order_by("waitlist_position"))


def promoted_messages():
    return Message.objects.filter(kind=PROMOTED, channel="inapp")


def draw_record_state(session):
    record = DrawRecord.objects.get(session=session)
    return record.seed, record.input_order, record.result, record.drawn_at


@pytest.mark.django_db
def test_a_selected_seat_goes_to_the_lowest_waitlisted_position_of_the_same_gender(clerk):
    session = drawn_session(clerk)
    # The first in line is the one with the highest id, so "first" cannot mean "oldest row".
    women_waiting = list(session.applications.filter(status=Status.WAITLISTED, profile__gender=F).order_by("-pk"))
    for position, application in enumerate(women_waiting, start=1):
        SessionApplication.objects.filter(pk=application.pk).update(waitlist_position=position)
    first, second, third = women_waiting
    man_waiting = waiting(session, M)[0]
    record_before = draw_record_state(session)
    leaver = selected(session, F)[0]

    status = services.session_withdraw(session=session, profile=leaver.profile)

    assert status == Status.SELECTED
    assert not SessionApplication.objects.filter(pk=leaver.pk).exists()
    first.refresh_from_db()
    assert (first.status, first.waitlist_position) == (Status.SELECTED, None)
    assert len(selected(session, F)) == 2
    # The others keep the positions the draw gave them (the gap at 1 stays): they match the record.
    assert [(a.pk, a.waitlist_position) for a in waiting(session, F)] == [(second.pk, 2), (third.pk, 3)]
    man_waiting_after = SessionApplication.objects.get(pk=man_waiting.pk)
    assert (man_waiting_after.status, man_waiting_after.waitlist_position) == (Status.WAITLISTED, 1)
    assert draw_record_state(session) == record_before
    assert list(promoted_messages().values_list("recipient_id", flat=True)) == [first.profile.user_id]


@pytest.mark.django_db
def test_a_waitlisted_person_withdrawing_promotes_nobody(clerk):
    session = drawn_session(clerk)
    first, second, third = waiting(session, F)
    seated = {a.pk for a in selected(session, F) + selected(session, M)}

    status = services.session_withdraw(session=session, profile=first.profile)

    assert status == Status.WAITLISTED
    assert not SessionApplication.objects.filter(pk=first.pk).exists()
    assert {a.pk for a in selected(session, F) + selected(session, M)} == seated
    assert [(a.pk, a.waitlist_position) for a in waiting(session, F)] == [(second.pk, 2), (third.pk, 3)]
    assert not promoted_messages().exists()


@pytest.mark.django_db
def test_with_nobody_waiting_the_seat_simply_stays_empty(clerk):
    session = drawn_session(clerk, women=2, men=2)
    leaver = selected(session, M)[0]

    assert services.session_withdraw(session=session, profile=leaver.profile) == Status.SELECTED

    remaining = selected(session, M)
    assert len(remaining) == 1 and remaining[0].pk != leaver.pk
    assert len(selected(session, F)) == 2
    assert not promoted_messages().exists()


@pytest.mark.django_db
def test_before_the_draw_an_application_simply_goes():
    session = make_session()
    profile = make_profile()
    services.session_apply(session=session, profile=profile, now=session.applications_open_at)
    assert services.session_withdraw(session=session, profile=profile) == Status.APPLIED
    assert not session.applications.exists()
    assert services.session_withdraw(session=session, profile=profile) is None  # twice: harmless


@pytest.mark.django_db
def test_withdrawing_is_refused_once_the_meetup_has_started(clerk):
    session = drawn_session(clerk)
    leaver = selected(session, F)[0]
    with pytest.raises(ValidationError) as excinfo:
        services.session_withdraw(session=session, profile=leaver.profile, now=session.starts_at)
    assert excinfo.value.code == "started"
    assert excinfo.value.messages == ["행사가 시작된 뒤에는 신청을 취소할 수 없습니다."]
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        services.session_withdraw(session=session, profile=leaver.profile, now=session.starts_at + timedelta(hours=1))
    assert excinfo.value.messages == ["You cannot withdraw once the meetup has started."]
    assert SessionApplication.objects.get(pk=leaver.pk).status == Status.SELECTED
    assert len(waiting(session, F)) == 3 and not promoted_messages().exists()


@pytest.mark.django_db
def test_leaving_the_registry_frees_the_seat_for_the_next_person_waiting(clerk):
    session = drawn_session(clerk)
    first = waiting(session, F)[0]
    leaver = selected(session, F)[0]

    services.profile_leave(profile=leaver.profile)

    assert not Profile.objects.filter(pk=leaver.profile_id).exists()
    first.refresh_from_db()
    assert (first.status, first.waitlist_position) == (Status.SELECTED, None)
    assert len(selected(session, F)) == 2 and len(waiting(session, F)) == 2
    assert list(promoted_messages().values_list("recipient_id", flat=True)) == [first.profile.user_id]


@pytest.mark.django_db
def test_leaving_from_the_waitlist_or_after_the_start_promotes_nobody(clerk):
    session = drawn_session(clerk)
    services.profile_leave(profile=waiting(session, F)[0].profile)
    assert len(selected(session, F)) == 2 and len(waiting(session, F)) == 2
    services.profile_leave(profile=selected(session, M)[0].profile, now=session.starts_at + timedelta(minutes=5))
    assert len(selected(session, M)) == 1 and len(waiting(session, M)) == 1
    assert not promoted_messages().exists()


@pytest.mark.django_db
def test_the_promoted_person_alone_is_told_once_in_their_language_and_nothing_about_the_leaver(
        clerk, django_capture_on_commit_callbacks):
    session = drawn_session(clerk)
    first = waiting(session, F)[0]
    promoted_user = first.profile.user
    promoted_user.preferred_language = "en"
    promoted_user.save(update_fields=["preferred_language"])
    session.event.title_en = "Gwangmyeong staff meetup"
    session.event.save(update_fields=["title_en"])
    leaver = selected(session, F)[0].profile
    leaver_contact = leaver.reveal_contact()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.session_withdraw(session=session, profile=leaver)

    messages = list(Message.objects.filter(kind=PROMOTED))
    assert {m.recipient_id for m in messages} == {promoted_user.pk}
    assert len([m for m in messages if m.channel == "inapp"]) == 1
    inapp = next(m for m in messages if m.channel == "inapp")
    assert inapp.subject == "[Meetup] A seat at Gwangmyeong staff meetup is now yours"
    assert "When:" in inapp.body and "/matchmaking/sessions/" in inapp.body
    assert set(inapp.context) == {"title", "when"} and inapp.link == "/matchmaking/sessions/"
    assert all(m.idempotency_key.startswith(f"matchmaking.promoted:{session.pk}:{first.pk}:") for m in messages)
    assert [e.to for e in mail.outbox] == [[promoted_user.email]]
    texts = [f"{m.subject}\n{m.body}\n{m.context}\n{m.link}" for m in messages]
    texts += [f"{e.subject}\n{e.body}" for e in mail.outbox]
    for text in texts:
        for secret in (leaver.display_name, leaver.user.name, leaver.user.email, leaver_contact):
            assert secret not in text


@pytest.mark.django_db(transaction=True)
def test_two_selected_people_withdrawing_at_once_promote_two_different_people(clerk):
    session = drawn_session(clerk)
    first, second, third = waiting(session, F)
    leavers = [a.profile for a in selected(session, F)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def withdraw(profile):
        try:
            barrier.wait(timeout=10)
            outcomes.append(services.session_withdraw(session=session, profile=profile))
        except Exception as exc:  # noqa: BLE001 - reported through the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=withdraw, args=(profile,)) for profile in leavers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == [Status.SELECTED, Status.SELECTED], outcomes
    assert {a.pk for a in selected(session, F)} == {first.pk, second.pk}
    assert [(a.pk, a.waitlist_position) for a in waiting(session, F)] == [(third.pk, 3)]
    recipients = list(promoted_messages().values_list("recipient_id", flat=True))
    assert sorted(recipients) == sorted([first.profile.user_id, second.profile.user_id])


# --- The sessions page ------------------------------------------------------------------------------

def withdraw_url(session) -> str:
    return f"/matchmaking/sessions/{session.pk}/withdraw/"


@pytest.mark.django_db
def test_after_the_draw_the_page_offers_withdrawing_to_selected_and_waitlisted_people(client, clerk):
    session = drawn_session(clerk)
    for application in (selected(session, F)[0], waiting(session, F)[1]):
        client.force_login(application.profile.user)
        page = client.get("/matchmaking/sessions/").content.decode()
        assert f'action="{withdraw_url(session)}"' in page
        assert "선정된 자리는 대기 중인 다음 분께 넘어갑니다" in page


@pytest.mark.django_db
def test_withdrawing_a_seat_through_the_page_hands_it_on(client, clerk):
    session = drawn_session(clerk)
    first = waiting(session, F)[0]
    leaver = selected(session, F)[0]
    client.force_login(leaver.profile.user)
    response = client.post(withdraw_url(session), follow=True)
    assert response.redirect_chain == [("/matchmaking/sessions/", 302)]
    assert "참가를 취소했습니다. 자리는 대기 중인 다음 분께 넘어갑니다." in response.content.decode()
    assert not SessionApplication.objects.filter(pk=leaver.pk).exists()
    assert SessionApplication.objects.get(pk=first.pk).status == Status.SELECTED
    assert f'action="{withdraw_url(session)}"' not in response.content.decode()


@pytest.mark.django_db
def test_the_page_tells_a_waiting_person_their_place_in_line_now(client, clerk):
    session = drawn_session(clerk)
    _, second, third = waiting(session, F)
    client.force_login(third.profile.user)
    assert "대기 3번" in client.get("/matchmaking/sessions/").content.decode()
    services.session_withdraw(session=session, profile=selected(session, F)[0].profile)
    services.session_withdraw(session=session, profile=second.profile)
    # The draw's list still says 3 (the record is never changed); in line, nobody is ahead any more.
    assert SessionApplication.objects.get(pk=third.pk).waitlist_position == 3
    page = client.get("/matchmaking/sessions/").content.decode()
    assert "대기 1번" in page and "대기 3번" not in page


@pytest.mark.django_db
def test_withdrawing_needs_the_csrf_token_and_ones_own_application(clerk):
    session = drawn_session(clerk)
    leaver = selected(session, F)[0]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(leaver.profile.user)
    assert browser.post(withdraw_url(session)).status_code == 403
    outsider = make_profile(gender=F)  # has a profile, but no application to this session
    browser.force_login(outsider.user)
    assert f'action="{withdraw_url(session)}"' not in browser.get("/matchmaking/sessions/").content.decode()
    browser.get("/matchmaking/leave/")  # a page with a form: sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    assert browser.post(withdraw_url(session), {"csrfmiddlewaretoken": token}).status_code == 404
    assert SessionApplication.objects.get(pk=leaver.pk).status == Status.SELECTED
    assert not promoted_messages().exists()


@pytest.mark.django_db
def test_once_the_meetup_has_started_the_page_offers_no_withdrawing_and_refuses_it(client, clerk):
    session = drawn_session(clerk)
    leaver = selected(session, F)[0]
    session.event.starts_at = timezone.now() - timedelta(hours=1)
    session.event.save(update_fields=["starts_at"])
    client.force_login(leaver.profile.user)
    assert f'action="{withdraw_url(session)}"' not in client.get("/matchmaking/sessions/").content.decode()
    response = client.post(withdraw_url(session), follow=True)
    assert "행사가 시작된 뒤에는 신청을 취소할 수 없습니다." in response.content.decode()
    assert SessionApplication.objects.get(pk=leaver.pk).status == Status.SELECTED


@pytest.mark.django_db
def test_between_the_close_of_applications_and_the_draw_the_page_offers_withdrawing(client):
    session = make_session(start_in_days=0.5)  # applications closed half a day ago; no draw yet
    assert session.applications_close_at < timezone.now() < session.starts_at and session.drawn_at is None
    profile = make_profile(gender=F)
    services.session_apply(session=session, profile=profile, now=session.applications_open_at + timedelta(hours=1))
    client.force_login(profile.user)
    page = client.get("/matchmaking/sessions/").content.decode()
    assert f'action="{withdraw_url(session)}"' in page
    assert f'action="/matchmaking/sessions/{session.pk}/apply/"' not in page
    response = client.post(withdraw_url(session), follow=True)
    assert "신청을 취소했습니다." in response.content.decode()
    assert not SessionApplication.objects.filter(session=session).exists()
    assert f'action="{withdraw_url(session)}"' not in response.content.decode()
