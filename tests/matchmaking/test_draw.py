"""The draw: after applications close, seats per gender, reproducible from its recorded seed, no
hand-picking, everyone told."""

import inspect
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matchmaking import services
from matchmaking.models import DrawRecord, Profile, SessionApplication
from notifications.models import Message

from .factories import make_profile, make_session

pytestmark = pytest.mark.django_db
F, M = Profile.Gender.FEMALE, Profile.Gender.MALE


@pytest.fixture
def applied():
    """A session with 2+2 seats and 5 women and 3 men applied; applications have closed."""
    session = make_session(start_in_days=10, seats_female=2, seats_male=2)
    during = session.applications_open_at + timedelta(hours=1)
    profiles = [make_profile(gender=F) for _ in range(5)] + [make_profile(gender=M) for _ in range(3)]
    for profile in profiles:
        services.session_apply(session=session, profile=profile, now=during)
    return session, profiles


def after_close(session):
    return session.applications_close_at + timedelta(minutes=1)


def test_seats_per_gender_are_respected_and_everyone_is_told(applied, clerk):
    session, profiles = applied
    record = services.session_draw(session=session, drawn_by=clerk, now=after_close(session))
    by_gender = Counter((a.profile.gender, a.status) for a in session.applications.select_related("profile"))
    assert by_gender == {(F, "selected"): 2, (F, "waitlisted"): 3, (M, "selected"): 2, (M, "waitlisted"): 1}
    positions = sorted(session.applications.filter(status="waitlisted", profile__gender=F)
                       .values_list("waitlist_position", flat=True))
    assert positions == [1, 2, 3]
    kinds = Counter(Message.objects.filter(channel="inapp", kind__startswith="matchmaking.draw")
                    .values_list("kind", flat=True))
    assert kinds == {"matchmaking.draw_selected": 4, "matchmaking.draw_waitlisted": 4}
    assert record.drawn_by == clerk and session.draw_record == record


def test_the_draw_is_reproducible_from_the_recorded_seed(applied, clerk):
    session, _ = applied
    record = services.session_draw(session=session, drawn_by=clerk, now=after_close(session))
    record = DrawRecord.objects.get(pk=record.pk)  # what an auditor reads back
    rerun = services.draw_compute(seed=record.seed, input_order=record.input_order,
                                  seats={F: session.seats_female, M: session.seats_male})
    assert rerun == record.result
    for outcome in record.result.values():
        assert set(SessionApplication.objects.filter(pk__in=outcome["selected"]).values_list("status", flat=True)) \
            == {"selected"}
    # The input order is the order of application; every applicant appears exactly once.
    all_ids = sorted(session.applications.values_list("pk", flat=True))
    assert sorted(record.input_order[F] + record.input_order[M]) == all_ids
    assert record.input_order[F] == sorted(record.input_order[F])
    session.refresh_from_db()
    assert session.draw_seed == record.seed and session.drawn_at is not None


def test_same_seed_same_result_other_seed_other_result():
    order = {F: list(range(1, 41)), M: list(range(41, 81))}
    seats = {F: 10, M: 10}
    first = services.draw_compute(seed="abc", input_order=order, seats=seats)
    assert services.draw_compute(seed="abc", input_order=order, seats=seats) == first
    assert services.draw_compute(seed="abd", input_order=order, seats=seats) != first


def test_every_applicant_has_the_same_chance():
    # 4 applicants for 1 seat, 4000 seeds: each wins about a quarter of the time.
    wins = Counter(services.draw_compute(seed=str(i), input_order={F: [1, 2, 3, 4]}, seats={F: 1})[F]["selected"][0]
                   for i in range(4000))
    assert set(wins) == {1, 2, 3, 4}
    assert all(850 < n < 1150 for n in wins.values()), wins


def test_staff_cannot_choose_the_seed_or_the_people():
    params = inspect.signature(services.session_draw).parameters
    assert set(params) == {"session", "drawn_by", "now"}


def test_refused_before_close_twice_or_without_permission(applied, clerk, citizen):
    session, _ = applied
    with pytest.raises(ValidationError) as excinfo:
        services.session_draw(session=session, drawn_by=clerk, now=session.applications_close_at - timedelta(minutes=1))
    assert excinfo.value.code == "not_closed"
    with pytest.raises(PermissionDenied):
        services.session_draw(session=session, drawn_by=citizen, now=after_close(session))
    assert not DrawRecord.objects.exists()
    assert set(session.applications.values_list("status", flat=True)) == {"applied"}
    services.session_draw(session=session, drawn_by=clerk, now=after_close(session))
    with pytest.raises(ValidationError) as excinfo:
        services.session_draw(session=session, drawn_by=clerk, now=after_close(session))
    assert excinfo.value.code == "already_drawn"
    assert DrawRecord.objects.count() == 1


def test_applications_only_during_the_period_and_once(clerk):
    session = make_session()
    profile = make_profile()
    with pytest.raises(ValidationError):
        services.session_apply(session=session, profile=profile, now=session.applications_open_at - timedelta(hours=1))
    services.session_apply(session=session, profile=profile, now=session.applications_open_at)
    with pytest.raises(ValidationError) as excinfo:
        services.session_apply(session=session, profile=profile, now=session.applications_open_at)
    assert excinfo.value.code == "duplicate"
    with pytest.raises(ValidationError):
        services.session_apply(session=session, profile=make_profile(), now=session.applications_close_at)


def test_a_session_is_an_event_on_the_calendar():
    session = make_session()
    assert session.event.type == "meetup" and not session.event.registration_required
    assert session.title == "광명 미혼 직원 만남의 날"
    assert timezone.is_aware(session.starts_at)
