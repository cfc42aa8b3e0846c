"""Every program of the city's facts is in the demo data, bilingual, and seeding twice changes nothing."""

import pytest

from programs import demo
from programs.eligibility import validate_rules
from programs.models import HouseholdTag, LifeStage, Program

pytestmark = pytest.mark.django_db


def test_demo_catalog_is_complete_and_idempotent():
    demo.seed()
    demo.seed()
    assert Program.objects.count() == len(demo.PROGRAMS) >= 20
    assert HouseholdTag.objects.count() == len(demo.TAGS)
    for stage in LifeStage.values:
        assert Program.objects.filter(life_stage=stage).exists()
    for program in Program.objects.all():
        assert program.title_en and program.summary_en, program.slug
        validate_rules(program.eligibility_rules)
    facilities = set(Program.objects.filter(is_facility=True).values_list("slug", flat=True))
    assert {"toy-library", "childcare-support-center", "childcare-sharing-space-1", "childcare-sharing-space-2",
            "childcare-sharing-space-3", "nursing-room-city-hall", "nursing-room-citizens-hall"} <= facilities
    fund = Program.objects.get(slug="youth-startup-fund")
    assert fund.amount_max == 50_000_000 and fund.is_open()
