"""Demo institutions: the city and the ten agencies of the 2017-02-02 agreement."""

from accounts.models import User

from .models import Agency, AgencyEmailDomain, AgencyMembership

# slug, Korean name, English name, kind, demo work-mail domain
INSTITUTIONS = [
    ("gwangmyeong-city", "광명시", "Gwangmyeong City", Agency.Kind.CITY, "gm.go.kr"),
    ("police", "광명경찰서", "Gwangmyeong Police Station", Agency.Kind.POLICE, "police.example.go.kr"),
    ("education", "광명시교육지원청", "Gwangmyeong Office of Education", Agency.Kind.EDUCATION, "goegm.example.go.kr"),
    ("fire", "광명소방서", "Gwangmyeong Fire Station", Agency.Kind.FIRE, "fire.example.go.kr"),
    ("tax", "광명세무서", "Gwangmyeong Tax Office", Agency.Kind.TAX, "nts.example.go.kr"),
    ("kepco", "한국전력 광명지사", "KEPCO Gwangmyeong Branch", Agency.Kind.PUBLIC_CORPORATION, "kepco.example.co.kr"),
    ("nhis", "국민건강보험공단 광명지사", "National Health Insurance Service, Gwangmyeong Branch",
     Agency.Kind.SOCIAL_INSURANCE, "nhis.example.or.kr"),
    ("post", "광명우체국", "Gwangmyeong Post Office", Agency.Kind.POSTAL, "koreapost.example.go.kr"),
    ("korail", "한국철도공사 광명역", "Korail Gwangmyeong Station", Agency.Kind.PUBLIC_CORPORATION,
     "korail.example.com"),
    ("nps", "국민연금공단 광명지사", "National Pension Service, Gwangmyeong Branch", Agency.Kind.SOCIAL_INSURANCE,
     "nps.example.or.kr"),
    ("ppfk-gyeonggi", "인구보건복지협회 경기지회", "Korea Population, Health and Welfare Association, Gyeonggi Branch",
     Agency.Kind.ASSOCIATION, "ppfk.example.or.kr"),
]

# Demo staff accounts (created by accounts.demo) and the agency each works for.
MEMBERSHIPS = [
    ("police.staff@example.com", "police", dict(can_report_activities=True, can_request_lectures=True,
                                                can_verify_employees=True, can_manage_events=True)),
    ("post.staff@example.com", "post", dict(can_report_activities=True, can_request_lectures=True,
                                            can_verify_employees=True)),
]


def seed() -> None:
    for order, (slug, name_ko, name_en, kind, domain) in enumerate(INSTITUTIONS):
        agency, _ = Agency.objects.update_or_create(
            slug=slug,
            defaults=dict(name_ko=name_ko, name_en=name_en, kind=kind, is_city=kind == Agency.Kind.CITY,
                          address="경기도 광명시", order=order),
        )
        AgencyEmailDomain.objects.get_or_create(domain=domain, defaults={"agency": agency})
    for email, slug, flags in MEMBERSHIPS:
        user = User.objects.filter(email=email).first()
        if user is not None:
            AgencyMembership.objects.update_or_create(
                user=user, defaults={"agency": Agency.objects.get(slug=slug), **flags}
            )
