"""The demo data: the April 2027 fair with sub-events, a weekly class, an agency lecture, past events."""

import pytest
from django.core.management import call_command

from events.models import Event, EventSeries, Registration

pytestmark = pytest.mark.django_db


def test_demo_events_load_and_loading_twice_changes_nothing(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Event.objects.count(), Registration.objects.count(), EventSeries.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Event.objects.count(), Registration.objects.count(), EventSeries.objects.count()) == counts

    fair = Event.objects.get(title_ko="아이와 맘 편한 우리동네 박람회")
    assert fair.type == "fair" and fair.starts_at.year == 2027 and fair.starts_at.month == 4
    subs = list(fair.sub_events.all())
    assert len(subs) >= 5 and all(s.capacity and s.registration_required for s in subs)
    series = EventSeries.objects.get()
    assert series.occurrences.count() >= 10 and series.party_size_max == 2
    lecture = Event.objects.get(type="lecture", title_ko__startswith="찾아가는 인구교육")
    assert lecture.organiser is not None and lecture.organiser.slug == "police"
    assert Event.objects.filter(ends_at__lt=fair.starts_at.replace(year=2026, month=11)).exists()  # past events

    april = client.get("/events/?month=2027-04").content.decode()
    assert "아이와 맘 편한 우리동네 박람회" in april and "찾아가는 인구교육" in april
    assert client.get(f"/events/{fair.pk}/").status_code == 200
