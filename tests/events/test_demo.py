"""The demo events, placed relative to today: the fair 6–8 weeks ahead with its talks and booths, two
weekly class series around today, an agency lecture, and past events with attendance."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import Event, EventSeries, Registration

pytestmark = pytest.mark.django_db


def test_demo_events_load_and_loading_twice_changes_nothing(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Event.objects.count(), Registration.objects.count(), EventSeries.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Event.objects.count(), Registration.objects.count(), EventSeries.objects.count()) == counts

    today = timezone.localdate()
    fair = Event.objects.get(title_ko="아이와 맘 편한 우리동네 박람회", parent=None)
    assert fair.type == "fair" and 42 <= (timezone.localdate(fair.starts_at) - today).days <= 56
    subs = list(fair.sub_events.all())
    assert len(subs) >= 5 and all(s.capacity and s.registration_required for s in subs)
    assert all(s.registration_closes_at < fair.starts_at for s in subs)
    for series in EventSeries.objects.all():
        dates = [timezone.localdate(e.starts_at) for e in series.occurrences.all()]
        assert len(dates) >= 10 and min(dates) < today < max(dates), series.title_ko
    couples = EventSeries.objects.get(title_ko="부부가 함께하는 임신·출산 교실")
    assert couples.party_size_max == 2
    upcoming = couples.occurrences.filter(starts_at__gt=timezone.now()).order_by("starts_at")[:2]
    for session in upcoming:  # the next two sessions are full, with a waitlist
        held = sum(r.party_size for r in session.registrations.filter(status__in=Registration.HOLDS_PLACE))
        assert held == session.capacity and session.registrations.filter(status="waitlisted").exists()
    past = couples.occurrences.filter(starts_at__lt=timezone.now()).first()
    assert past.registrations.filter(status="attended").count() >= 5
    lecture = Event.objects.get(type="lecture", title_ko__startswith="찾아가는 인구교육")
    assert lecture.organiser is not None and lecture.organiser.slug == "police"
    assert Event.objects.filter(ends_at__lt=timezone.now()).exists()  # past events

    month = client.get(f"/events/?month={timezone.localdate(fair.starts_at):%Y-%m}").content.decode()
    assert "아이와 맘 편한 우리동네 박람회" in month
    month = client.get(f"/events/?month={timezone.localdate(lecture.starts_at):%Y-%m}").content.decode()
    assert "찾아가는 인구교육" in month
    assert client.get(f"/events/{fair.pk}/").status_code == 200
