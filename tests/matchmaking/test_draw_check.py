"""A draw every applicant can check (issue 14.4): a commitment before the draw, and after it the seed
and a re-run that seats the same people — without naming anyone else who applied."""

import hashlib
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from matchmaking import services
from matchmaking.models import MeetupSession, SessionApplication
from matchmaking.services.draws import commitment_of

from .factories import make_profile, make_session

pytestmark = pytest.mark.django_db


def code(body: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', body)
    assert match, testid
    return match.group(1)


@pytest.fixture
def applied():
    session = make_session(start_in_days=5, seats_female=2, seats_male=1)
    women = [make_profile(gender="female", display_name=f"여성참가{i}") for i in range(4)]
    men = [make_profile(gender="male", display_name=f"남성참가{i}") for i in range(3)]
    for profile in women + men:
        services.session_apply(session=session, profile=profile, now=session.applications_open_at)
    return session, women, men


def close(session):
    MeetupSession.objects.filter(pk=session.pk).update(applications_close_at=timezone.now() - timedelta(minutes=1),
                                                       applications_open_at=timezone.now() - timedelta(days=2))


def test_the_commitment_shown_before_the_draw_is_the_one_the_draw_used(client, applied, clerk):
    session, women, men = applied
    client.force_login(women[0].user)
    before = client.get(f"/matchmaking/sessions/{session.pk}/draw/").content.decode()
    commitment, seed_hash = code(before, "commitment"), code(before, "seed-sha256")
    assert 'data-testid="seed"' not in before  # the seed stays secret until the draw
    session.refresh_from_db()
    assert session.committed_seed not in before
    close(session)
    record = services.session_draw(session=session, drawn_by=clerk)
    after = client.get(f"/matchmaking/sessions/{session.pk}/draw/").content.decode()
    assert record.commitment == commitment == code(after, "commitment")
    assert code(after, "seed-sha256") == seed_hash == hashlib.sha256(code(after, "seed").encode()).hexdigest()
    assert record.seed == code(after, "seed")


def test_the_re_run_from_the_published_values_seats_the_same_people(client, applied, clerk):
    session, women, men = applied
    close(session)
    services.session_draw(session=session, drawn_by=clerk)
    for profile in women + men:
        client.force_login(profile.user)
        body = client.get(f"/matchmaking/sessions/{session.pk}/draw/").content.decode()
        assert "공개된 시드와 순서로 다시 추첨한 결과가 실제 결과와 같습니다." in body
        own = code(body, "own-pseudonym")
        application = SessionApplication.objects.get(session=session, profile=profile)
        assert own == application.pseudonym
        selected = re.search(rf'data-testid="rerun-selected-{profile.gender}">(.*?)</ol>', body, re.S).group(1)
        assert (own in selected) is (application.status == SessionApplication.Status.SELECTED)


def test_the_published_program_reproduces_the_draw_on_its_own(client, applied, clerk):
    session, women, _men = applied
    close(session)
    record = services.session_draw(session=session, drawn_by=clerk)
    session.refresh_from_db()
    check = services.draws.draw_check_for(session=session,
                                          application=SessionApplication.objects.get(profile=women[0]))
    output = subprocess.run([sys.executable, "-c", check.script], capture_output=True, text=True, check=True).stdout
    pseudonym = dict(SessionApplication.objects.filter(session=session).values_list("pk", "pseudonym"))
    for gender, outcome in record.result.items():
        line = next(x for x in output.splitlines() if x.startswith(gender))
        assert str([pseudonym[pk] for pk in outcome["selected"]]) in line


def test_the_page_names_nobody_else_and_answers_non_applicants_404(client, applied, clerk, citizen):
    session, women, men = applied
    client.force_login(women[0].user)
    for stage in ("before", "after"):
        if stage == "after":
            close(session)
            services.session_draw(session=session, drawn_by=clerk)
        body = client.get(f"/matchmaking/sessions/{session.pk}/draw/").content.decode()
        for other in women[1:] + men:
            assert other.display_name not in body and other.user.name not in body and other.user.email not in body
            assert str(other.pk) not in re.findall(r"<code>([^<]*)</code>", body)
    outsider = make_profile()
    client.force_login(outsider.user)
    assert client.get(f"/matchmaking/sessions/{session.pk}/draw/").status_code == 404
    client.force_login(citizen)
    assert client.get(f"/matchmaking/sessions/{session.pk}/draw/").status_code == 404
    client.logout()
    assert client.get(f"/matchmaking/sessions/{session.pk}/draw/").status_code == 302


def test_pseudonyms_are_per_session_and_the_commitment_changes_with_the_list(applied):
    session, women, _men = applied
    other = make_session(start_in_days=6)
    services.session_apply(session=other, profile=women[0], now=other.applications_open_at)
    mine = SessionApplication.objects.filter(profile=women[0]).values_list("pseudonym", flat=True)
    assert len(set(mine)) == 2
    _apps, listed = services.draws.applicants_in_draw_order(session)
    assert commitment_of(applicants=listed, seed_sha256=session.seed_sha256) != commitment_of(
        applicants={**listed, "female": listed["female"][1:]}, seed_sha256=session.seed_sha256)


def test_the_check_page_takes_the_same_number_of_queries_however_many_applied(client, clerk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 8):
        session = make_session(start_in_days=5, seats_female=1, seats_male=1)
        profiles = [make_profile(gender="female" if i % 2 else "male") for i in range(n)]
        for profile in profiles:
            services.session_apply(session=session, profile=profile, now=session.applications_open_at)
        close(session)
        services.session_draw(session=session, drawn_by=clerk)
        client.force_login(profiles[0].user)
        client.get(f"/matchmaking/sessions/{session.pk}/draw/")  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/matchmaking/sessions/{session.pk}/draw/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
