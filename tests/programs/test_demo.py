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


def test_demo_catalog_states_only_what_is_known(client):
    """No placeholder address (and no map link searching for one); amounts and windows where known,
    and where an amount is not known the page says who to ask; the legal basis names the city's
    ordinance and, where there is one, the national act — not one law for every program."""
    demo.seed_catalog()
    programs = list(Program.objects.all())
    assert not [p.slug for p in programs if "예시" in p.address or "예시" in p.description_ko]
    for program in programs:
        page = client.get(program.get_absolute_url()).content.decode()
        assert "예시 주소" not in page and "%EC%98%88%EC%8B%9C" not in page, program.slug  # "예시", URL-encoded
        if program.is_facility and not program.address:
            assert "문의해 주세요" in page and "map.kakao.com" not in page, program.slug
    city_hall = Program.objects.get(slug="nursing-room-city-hall")
    assert city_hall.address.startswith("경기도 광명시 시청로 20")
    assert "광명시 아이와 맘 편한 도시 만들기 조례" in Program.objects.get(slug="birth-incentive").legal_basis_ko
    assert len({p.legal_basis_ko for p in programs}) >= 6
    assert Program.objects.get(slug="youth-startup-fund").amount_max == 50_000_000
    # 4억 원 is the city's budget for school meals, not an amount a family gets.
    assert Program.objects.get(slug="non-gmo-school-meals").amount_max is None
    incentive = client.get(Program.objects.get(slug="birth-incentive").get_absolute_url()).content.decode()
    assert "금액은 해마다 정해집니다" in incentive
    windows = [p for p in programs if p.opens_on and p.closes_on]
    assert len(windows) >= 5 and sum(p.is_open() for p in windows) >= 5
