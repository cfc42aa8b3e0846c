"""Picks after a session: attendees only, within the deadline, at most three, never oneself; a bad
submission changes nothing. Mutual picks become one match, notified once to both."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from matchmaking import services
from matchmaking.models import Match, Pick, Profile
from notifications.models import Message

from .factories import attend, make_profile, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    """A session that ended an hour ago, attended by three women and three men; one man absent."""
    session = make_session(start_in_days=-0.2)
    women = [make_profile(gender=Profile.Gender.FEMALE) for _ in range(3)]
    men = [make_profile(gender=Profile.Gender.MALE) for _ in range(3)]
    attend(session, *women, *men)
    absent = make_profile(gender=Profile.Gender.MALE)
    return session, women, men, absent


def in_window(session):
    return session.ends_at + timedelta(hours=1)


def match_messages(profile):
    return Message.objects.filter(recipient=profile.user, kind="matchmaking.match_made", channel="inapp")


def test_mutual_picks_make_one_match_and_both_are_told_once(held):
    session, (w1, w2, _), (m1, m2, _), _ = held
    now = in_window(session)
    assert services.pick_submit(session=session, picker=w1, picked_ids=[m1.pk, m2.pk], now=now) == []
    assert not match_messages(m1).exists()  # a one-sided pick tells nobody anything
    matches = services.pick_submit(session=session, picker=m1, picked_ids=[w1.pk], now=now)
    assert len(matches) == 1
    match = matches[0]
    assert (match.profile_a_id, match.profile_b_id) == tuple(sorted((w1.pk, m1.pk)))
    assert match_messages(w1).count() == 1 and match_messages(m1).count() == 1
    assert match_messages(w1).get().link == "/matchmaking/matches/"
    # Picking again (or adding others) does not duplicate the match or the message.
    services.pick_submit(session=session, picker=m1, picked_ids=[w1.pk, w2.pk], now=now)
    assert Match.objects.count() == 1 and match_messages(w1).count() == 1
    assert not match_messages(m2).exists() and not match_messages(w2).exists()


@pytest.mark.parametrize("case", ["non_attendee_picked", "after_deadline", "more_than_three", "oneself",
                                  "picker_absent", "before_end"])
def test_bad_picks_are_refused_and_change_nothing(held, case):
    session, (w1, w2, w3), (m1, m2, m3), absent = held
    now = in_window(session)
    services.pick_submit(session=session, picker=w1, picked_ids=[m1.pk], now=now)
    services.pick_submit(session=session, picker=m2, picked_ids=[w1.pk], now=now)  # would match if w1 picked m2
    before = set(Pick.objects.values_list("picker_id", "picked_id"))
    picker, picked = w1, [m2.pk]
    if case == "non_attendee_picked":
        picked = [m2.pk, absent.pk]
    elif case == "after_deadline":
        now = session.pick_deadline
    elif case == "more_than_three":
        picked = [m2.pk, m3.pk, w2.pk]  # 1 already + 3 new
    elif case == "oneself":
        picked = [m2.pk, w1.pk]
    elif case == "picker_absent":
        picker = absent
    elif case == "before_end":
        now = session.ends_at - timedelta(minutes=1)
    with pytest.raises(ValidationError) as excinfo:
        services.pick_submit(session=session, picker=picker, picked_ids=picked, now=now)
    assert excinfo.value.messages[0]  # a clear Korean sentence
    assert set(Pick.objects.values_list("picker_id", "picked_id")) == before
    assert not Match.objects.exists()


def test_the_database_refuses_self_picks_and_unordered_matches(held):
    session, (w1, _, _), (m1, _, _), _ = held
    with pytest.raises(IntegrityError), transaction.atomic():
        Pick.objects.create(session=session, picker=w1, picked=w1)
    a, b = sorted((w1.pk, m1.pk))
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.create(session=session, profile_a_id=b, profile_b_id=a)


def test_a_pick_of_someone_who_left_is_refused_and_their_old_picks_are_gone(held):
    session, (w1, w2, _), (m1, _, _), _ = held
    now = in_window(session)
    services.pick_submit(session=session, picker=m1, picked_ids=[w2.pk], now=now)  # m1 likes w2
    departed_id = m1.pk
    services.profile_leave(profile=m1)
    assert not Pick.objects.filter(picker_id=departed_id).exists()
    with pytest.raises(ValidationError) as excinfo:
        services.pick_submit(session=session, picker=w2, picked_ids=[departed_id], now=now)
    assert excinfo.value.code == "not_attendee_picked"
    assert not Pick.objects.filter(picker=w2).exists()
    # w2 picking someone else still works, and no match appears with the departed person.
    services.pick_submit(session=session, picker=w2, picked_ids=[w1.pk], now=now)
    assert not Match.objects.exists()


def test_a_match_survives_one_side_leaving_as_this_person_left(held, client):
    session, (w1, _, _), (m1, _, _), _ = held
    now = in_window(session)
    services.pick_submit(session=session, picker=w1, picked_ids=[m1.pk], now=now)
    services.pick_submit(session=session, picker=m1, picked_ids=[w1.pk], now=now)
    contact_of_m1 = m1.reveal_contact()
    services.profile_leave(profile=m1)
    match = Match.objects.get()
    assert None in (match.profile_a_id, match.profile_b_id)
    client.force_login(w1.user)
    page = client.get("/matchmaking/matches/").content.decode()
    assert "이 분은 탈퇴했습니다." in page
    assert contact_of_m1 not in page
