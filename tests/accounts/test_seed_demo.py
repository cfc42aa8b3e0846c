"""`seed_demo` builds a demo city that is alive on whatever day it runs, and running it again —
the same day or months later — adds no rows."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from events.models import Event, EventSeries, Registration
from matchmaking.models import Match, MeetupSession
from partners.models import ActivityReport, LectureRequest
from programs.models import Application
from reports.forms import ReportFilters
from reports.selectors import SUPPRESS_BELOW, dashboard, report_scope_for

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")
# Models whose row count a rerun on the same day must leave alone.
MODELS = (User, Event, EventSeries, Registration, Application, ActivityReport, LectureRequest, MeetupSession, Match)
# ... and those a rerun on a later day must not grow either: the same demo, moved along with today.
STABLE = (User, Event, EventSeries, Application, ActivityReport, LectureRequest, MeetupSession, Match)


def counts(models=MODELS) -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in models}


def seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def figures(table) -> list[int]:
    return [cell for row in table.rows for cell in row[1:] if isinstance(cell, int) and not isinstance(cell, bool)]


@pytest.mark.parametrize("days", [(datetime(2026, 12, 2, 10, tzinfo=SEOUL), datetime(2027, 8, 19, 15, tzinfo=SEOUL))])
def test_demo_city_is_alive_on_any_date_and_a_rerun_adds_nothing(client, days):
    stable = None
    for moment in days:
        with time_machine.travel(moment, tick=False):
            seed()
            before = counts()
            seed()
            assert counts() == before, "a second run on the same day changed row counts"
            if stable is None:
                stable = counts(STABLE)
            else:
                assert counts(STABLE) == stable, "a run on a later day duplicated demo rows"
            today = timezone.localdate()

            # The calendar's current month has events, and the page shows them.
            month = Event.objects.filter(is_public=True, starts_at__year=today.year, starts_at__month=today.month)
            assert month.count() >= 4
            page = client.get(f"/events/?month={today:%Y-%m}").content.decode()
            assert "부부가 함께하는 임신·출산 교실" in page

            # Past two months and next four hold events; the fair is 6–8 weeks ahead with its parts.
            now = timezone.now()
            assert Event.objects.filter(starts_at__lt=now, starts_at__gte=now - timedelta(days=62)).count() >= 5
            assert Event.objects.filter(starts_at__gt=now + timedelta(days=90)).exists()
            fair = Event.objects.get(title_ko="아이와 맘 편한 우리동네 박람회", parent=None)
            assert 42 <= (fair.starts_at.date() - today).days <= 56
            assert fair.sub_events.filter(registration_required=True).count() >= 5
            # Some upcoming sessions are full, with people waiting.
            assert Event.objects.filter(starts_at__gt=now, registrations__status=Registration.Status.WAITLISTED
                                        ).distinct().count() >= 2
            # Applications over the last twelve months, in every status.
            assert set(Application.objects.values_list("status", flat=True)) == set(Application.Status.values)
            assert Application.objects.filter(submitted_at__lt=now - timedelta(days=300)).exists()
            assert not Application.objects.filter(submitted_at__gt=now).exists()
            # Meetups held and coming.
            assert MeetupSession.objects.filter(event__starts_at__lt=now, drawn_at__isnull=False).count() >= 2
            assert MeetupSession.objects.filter(event__starts_at__gt=now).exists()

            # The clerk's dashboard reads like a real quarter: figures well above the suppression threshold.
            clerk = User.objects.get(email="clerk@example.com")
            tables = {t.key: t for t in dashboard(user=clerk, scope=report_scope_for(clerk),
                                                  filters=ReportFilters.from_query({}))}
            for key in ("applications_by_month", "program_decisions", "event_fill", "partner_activities",
                        "lecture_dispatches", "matchmaking_sessions"):
                assert tables[key].rows, key
                assert max(figures(tables[key])) >= 3 * SUPPRESS_BELOW, key
            monthly = [row[-1] for row in tables["applications_by_month"].rows if isinstance(row[-1], int)]
            # Every month of the default period (the current one may have begun only days ago).
            assert sum(monthly) >= 400 and len({row[0] for row in tables["applications_by_month"].rows}) >= 11
            held = [row for row in tables["matchmaking_sessions"].rows[:-1]]
            assert len(held) >= 2 and all(isinstance(row[5], int) and row[5] >= SUPPRESS_BELOW for row in held)
