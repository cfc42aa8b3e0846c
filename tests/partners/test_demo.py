"""The demo data holds the agreement of 2017-02-02: ten agencies (plus the city), five clauses signed by all."""

import datetime as dt

import pytest

from partners import demo
from partners.models import ActivityReport, Agency, Agreement, Commitment, Lecturer, LectureRequest

pytestmark = pytest.mark.django_db


def test_demo_holds_ten_agencies_five_clauses_and_work_in_every_state():
    demo.seed()
    demo.seed()  # idempotent
    assert Agency.objects.partners().count() == 10 and Agency.objects.filter(is_city=True).count() == 1
    agreement = Agreement.objects.get()
    assert agreement.signed_on == dt.date(2017, 2, 2) and agreement.parties.count() == 11
    clauses = list(agreement.clauses.all())
    assert [c.number for c in clauses] == [1, 2, 3, 4, 5]
    assert all(c.signatories.count() == 10 and c.text_en for c in clauses)
    assert Commitment.objects.filter(target_count__isnull=False).values("agency").distinct().count() == 10
    assert set(ActivityReport.objects.values_list("status", flat=True)) == set(ActivityReport.Status.values)
    assert Lecturer.objects.count() == 3
    assert {"requested", "scheduled", "delivered", "declined"} <= set(
        LectureRequest.objects.values_list("status", flat=True))
