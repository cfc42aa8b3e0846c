"""Demo catalog: every program of the child- and mom-friendly city, in the portal's own words.

Facts come from ``../shared/domain/facts.md``; addresses of facilities are illustrative.
Application windows are set relative to today so the demo always has programs open.
"""

from datetime import timedelta

from django.utils import timezone

from .models import HouseholdTag, LifeStage, Program, RequiredDocument

OFFICE = ("여성가족과", "Women & Family Division", "02-2680-6716")
ORDINANCE = ("광명시 아이와 맘 편한 도시 만들기 조례(2016)", "Gwangmyeong ordinance on a child- and mom-friendly city (2016)")

TAGS = [
    ("newlyweds", "신혼부부", "Newlyweds"), ("pregnant", "임산부", "Pregnant"), ("single_parent", "한부모", "Single parent"),
    ("dual_income", "맞벌이", "Dual income"), ("multi_child", "다자녀", "Several children"),
    ("infant", "영유아 가정", "Families with young children"), ("youth", "청년", "Young people"),
    ("low_income", "저소득", "Low income"),
]

RESIDENT = {"field": "resident", "op": "eq", "value": True, "label_ko": "광명시에 주민등록이 있는 분",
            "label_en": "Registered residents of Gwangmyeong"}
YOUTH = {"field": "age", "op": "between", "value": [19, 39], "label_ko": "만 19~39세 청년",
         "label_en": "Aged 19 to 39"}
S, P = LifeStage, Program

# slug, stage, topic, kind, method, tags, title ko/en, summary ko/en, extra fields
PROGRAMS = [
    ("newlywed-health-checkup", S.PREGNANCY_BIRTH, P.Topic.HEALTH, P.SupportKind.SERVICE, P.ApplyMethod.VISIT,
     ["newlyweds"], "신혼부부·예비부부 무료 건강검진", "Free health checkups for newlyweds",
     "결혼을 앞두었거나 막 결혼한 부부가 함께 무료로 건강검진을 받을 수 있습니다.",
     "Couples about to marry or newly married can have a health checkup together, free of charge.",
     {"eligibility_rules": [RESIDENT, {"field": "marital", "op": "in", "value": ["married", "planning"],
                                       "label_ko": "결혼했거나 결혼을 준비 중인 부부",
                                       "label_en": "Married or planning to marry"}],
      "how_to_apply_ko": "신분증과 청첩장 또는 혼인관계증명서를 가지고 보건소를 방문하세요.",
      "how_to_apply_en": "Visit the public health centre with an ID and a wedding invitation or marriage certificate."}),
    ("couples-prenatal-class", S.PREGNANCY_BIRTH, P.Topic.CLASSES, P.SupportKind.SERVICE, P.ApplyMethod.ONLINE,
     ["pregnant", "newlyweds"], "부부가 함께하는 임신·출산 교실", "Pregnancy and birth classes for couples",
     "임신한 분과 배우자가 함께 출산과 육아를 준비하는 교실입니다.",
     "Classes where expectant parents prepare together for birth and the first months.",
     {"eligibility_rules": [RESIDENT, {"field": "pregnant", "op": "eq", "value": True, "label_ko": "임신 중인 분",
                                       "label_en": "Currently pregnant"}],
      "form_questions": [
          {"key": "due_date", "label_ko": "출산 예정일", "label_en": "Due date", "type": "date", "required": True},
          {"key": "partner_attends", "label_ko": "배우자도 함께 참석하나요?", "label_en": "Will your partner attend?",
           "type": "yesno", "required": True}],
      "timeline_anchor": P.TimelineAnchor.DUE_DATE, "timeline_start_days": -200, "timeline_end_days": -30}),
    ("pregnant-priority-counter", S.PREGNANCY_BIRTH, P.Topic.CIVIL_SERVICE, P.SupportKind.SERVICE, P.ApplyMethod.NONE,
     ["pregnant"], "임산부 민원 우선 창구", "Priority counter for pregnant women",
     "민원 창구에서 임산부가 기다리지 않고 먼저 업무를 볼 수 있습니다.",
     "Pregnant women are served first at the city's civil-service counters.",
     {"eligibility_rules": [{"field": "pregnant", "op": "eq", "value": True, "label_ko": "임신 중인 분",
                             "label_en": "Currently pregnant"}],
      "how_to_apply_ko": "창구에서 임산부 배지나 산모수첩을 보여 주세요.",
      "how_to_apply_en": "Show a pregnancy badge or maternity handbook at the counter."}),
    ("nursing-room-city-hall", S.PREGNANCY_BIRTH, P.Topic.CIVIL_SERVICE, P.SupportKind.FACILITY, P.ApplyMethod.NONE,
     ["infant"], "시청 종합민원실 수유실", "Nursing room, City Hall civil-service office",
     "시청 종합민원실 안에 있는 수유실을 누구나 이용할 수 있습니다.",
     "A nursing room inside City Hall's general civil-service office, open to everyone.",
     {"is_facility": True, "address": "경기도 광명시 시청로 20 광명시청 종합민원실",
      "opening_hours_ko": "평일 09:00~18:00", "opening_hours_en": "Weekdays 9:00–18:00"}),
    ("nursing-room-citizens-hall", S.PREGNANCY_BIRTH, P.Topic.CIVIL_SERVICE, P.SupportKind.FACILITY, P.ApplyMethod.NONE,
     ["infant"], "시민회관 수유실", "Nursing room, Citizens' Hall",
     "시민회관에서 공연이나 행사를 볼 때 수유실을 이용할 수 있습니다.",
     "A nursing room at the Citizens' Hall for parents attending shows and events.",
     {"is_facility": True, "address": "경기도 광명시 시민회관 (예시 주소)",
      "opening_hours_ko": "시민회관 운영 시간", "opening_hours_en": "During Citizens' Hall opening hours"}),
    ("birth-incentive", S.PREGNANCY_BIRTH, P.Topic.CASH, P.SupportKind.CASH, P.ApplyMethod.ONLINE,
     ["multi_child"], "출산 장려금 (둘째부터)", "Birth incentive (from the second child)",
     "2016년에 확대된 출산 장려금으로, 둘째 자녀부터 지급합니다.",
     "A birth incentive, expanded in 2016, paid from the second child on.",
     {"eligibility_rules": [RESIDENT, {"field": "birth_order", "op": "gte", "value": 2, "label_ko": "둘째 자녀부터 지급",
                                       "label_en": "Paid from the second child"}],
      "form_questions": [
          {"key": "child_birth_date", "label_ko": "이번에 태어난 자녀의 출생일", "label_en": "Birth date of the new child",
           "type": "date", "required": True},
          {"key": "birth_order", "label_ko": "몇째 자녀인가요?", "label_en": "Birth order of this child",
           "type": "number", "required": True}],
      "documents": [("가족관계증명서", "Family relations certificate", True), ("통장 사본", "Copy of bank book", True)],
      "timeline_anchor": P.TimelineAnchor.BIRTH_DATE, "timeline_start_days": 0, "timeline_end_days": 365}),
    ("neighbourhood-fair", S.PREGNANCY_BIRTH, P.Topic.CLASSES, P.SupportKind.SERVICE, P.ApplyMethod.NONE,
     [], "아이와 맘 편한 우리동네 박람회", "Child- and mom-friendly neighbourhood fair",
     "임신·출산, 교육, 일자리, 주거 정보를 한자리에서 만나는 4월 박람회입니다.",
     "An April fair bringing pregnancy, birth, education, jobs and housing services together in one place.",
     {"how_to_apply_ko": "행사 달력에서 세부 행사를 골라 참가 신청하세요.",
      "how_to_apply_en": "Pick the talks and booths in the event calendar and register there."}),
    ("toy-library", S.CHILDCARE_EDUCATION, P.Topic.CHILDCARE, P.SupportKind.FACILITY, P.ApplyMethod.NONE,
     ["infant"], "장난감도서관", "Toy library",
     "전국에서 가장 큰 규모의 장난감도서관에서 장난감을 빌리고 놀이 공간을 이용하세요.",
     "Borrow toys and use the play space at the country's largest toy library.",
     {"is_facility": True, "address": "경기도 광명시 (장난감도서관, 예시 주소)",
      "opening_hours_ko": "화~토 10:00~18:00 (일·월·공휴일 휴관)", "opening_hours_en": "Tue–Sat 10:00–18:00",
      "what_to_bring_ko": "회원증(첫 방문 시 신분증과 주민등록등본)", "what_to_bring_en": "Membership card (first visit: ID)"}),
    ("childcare-support-center", S.CHILDCARE_EDUCATION, P.Topic.CHILDCARE, P.SupportKind.FACILITY, P.ApplyMethod.NONE,
     ["infant", "dual_income"], "육아종합지원센터", "Comprehensive childcare support center",
     "육아 상담, 부모 교육, 어린이집 정보까지 육아에 필요한 지원을 한곳에서 받습니다.",
     "Parenting advice, parent education and childcare information in one place.",
     {"is_facility": True, "address": "경기도 광명시 (육아종합지원센터, 예시 주소)",
      "opening_hours_ko": "평일 09:00~18:00", "opening_hours_en": "Weekdays 9:00–18:00"}),
    *[
        (f"childcare-sharing-space-{n}", S.CHILDCARE_EDUCATION, P.Topic.CHILDCARE, P.SupportKind.FACILITY,
         P.ApplyMethod.NONE, ["infant"], f"육아나눔터 {n}호점", f"Childcare-sharing space no. {n}",
         "이웃 부모들이 함께 아이를 돌보고 육아 정보를 나누는 공간입니다.",
         "A space where neighbouring parents look after children together and share tips.",
         {"is_facility": True, "address": f"경기도 광명시 (육아나눔터 {n}호점, 예시 주소)",
          "opening_hours_ko": "평일 10:00~17:00", "opening_hours_en": "Weekdays 10:00–17:00",
          "what_to_bring_ko": "아이 간식과 기저귀", "what_to_bring_en": "Snacks and nappies for your child"})
        for n in (1, 2, 3)
    ],
    ("night-childcare", S.CHILDCARE_EDUCATION, P.Topic.CHILDCARE, P.SupportKind.SERVICE, P.ApplyMethod.ONLINE,
     ["dual_income"], "맞벌이 가정 야간 보육", "Night-time childcare for dual-income families",
     "부부가 모두 늦게까지 일하는 가정의 아이를 밤에도 돌봐 드립니다.",
     "Evening care for children whose parents both work late.",
     {"eligibility_rules": [RESIDENT,
                            {"field": "dual_income", "op": "eq", "value": True, "label_ko": "맞벌이 가구",
                             "label_en": "Both parents work"},
                            {"field": "youngest_child_age", "op": "lte", "value": 12, "label_ko": "만 12세 이하 자녀",
                             "label_en": "A child aged 12 or under"}],
      "documents": [("부부 재직증명서", "Proof of employment for both parents", True)]}),
    ("safe-care-route", S.CHILDCARE_EDUCATION, P.Topic.SAFETY, P.SupportKind.SERVICE, P.ApplyMethod.ONLINE,
     ["infant"], "등하굣길 안심 알림", "Safe route to school alerts",
     "아이가 학교를 오가는 경로와 위치를 부모에게 알려 주는 안심 돌봄 서비스입니다.",
     "Parents are told the route and location of their child on the way to and from school.",
     {"eligibility_rules": [RESIDENT, {"field": "youngest_child_age", "op": "between", "value": [6, 12],
                                       "label_ko": "초등학생 자녀(만 6~12세)",
                                       "label_en": "A primary-school child (6–12)"}],
      "form_questions": [{"key": "school", "label_ko": "자녀의 학교", "label_en": "Child's school", "type": "text",
                          "required": True}],
      "allows_repeat": True}),
    ("innovation-schools", S.CHILDCARE_EDUCATION, P.Topic.SCHOOL, P.SupportKind.SERVICE, P.ApplyMethod.NONE,
     [], "혁신학교", "Innovation schools",
     "광명시 초·중·고 46곳 가운데 15곳(32.6%)이 혁신학교로 운영됩니다.",
     "15 of the city's 46 primary, middle and high schools (32.6%) are innovation schools.", {}),
    ("non-gmo-school-meals", S.CHILDCARE_EDUCATION, P.Topic.SCHOOL, P.SupportKind.SERVICE, P.ApplyMethod.NONE,
     [], "학교 급식 Non-GMO 식재료 지원", "Non-GMO school meals",
     "2017년 1학기부터 전국 처음으로 시내 모든 초·중·고 급식에 4억 원을 들여 Non-GMO 식재료를 씁니다.",
     "From spring 2017, a first in the country: 400 million won for non-GMO ingredients in every school's meals.",
     {"amount_max": 400_000_000}),
    ("youth-job-start", S.JOBS_HOUSING, P.Topic.JOBS, P.SupportKind.SERVICE, P.ApplyMethod.ONLINE,
     ["youth"], "청년 잡스타트", "Youth Job-Start",
     "청년에게 일 경험과 직무 전문 교육을 제공합니다.",
     "Work experience and professional training for young people.",
     {"eligibility_rules": [RESIDENT, YOUTH],
      "form_questions": [{"key": "field", "label_ko": "희망 직무 분야", "label_en": "Field you want to work in",
                          "type": "text", "required": True}]}),
    ("youth-job-go", S.JOBS_HOUSING, P.Topic.JOBS, P.SupportKind.SERVICE, P.ApplyMethod.ONLINE,
     ["youth"], "청년 정규직 잡고", "Youth Job-Go (permanent jobs)",
     "청년이 정규직 일자리를 얻도록 기업과 연결해 드립니다.",
     "Connects young people with employers offering permanent jobs.",
     {"eligibility_rules": [RESIDENT, YOUTH], "documents": [("이력서", "CV", True)]}),
    ("youth-startup-center", S.JOBS_HOUSING, P.Topic.STARTUP, P.SupportKind.FACILITY, P.ApplyMethod.VISIT,
     ["youth"], "청년 창업센터", "Youth startup center",
     "무료 창업 공간과 홍보·세무 등 실무 교육을 제공합니다.",
     "Free startup space and practical training in publicity, tax and more.",
     {"eligibility_rules": [YOUTH], "is_facility": True, "address": "경기도 광명시 (청년 창업센터, 예시 주소)",
      "opening_hours_ko": "평일 09:00~22:00", "opening_hours_en": "Weekdays 9:00–22:00"}),
    ("youth-startup-fund", S.JOBS_HOUSING, P.Topic.STARTUP, P.SupportKind.CASH, P.ApplyMethod.ONLINE,
     ["youth"], "청년 창업 자금", "Youth startup fund",
     "2017년부터 창업하는 청년 한 명당 최대 5천만 원을 지원합니다.",
     "From 2017, up to 50 million won per young founder.",
     {"eligibility_rules": [RESIDENT, YOUTH], "amount_max": 50_000_000, "window": True,
      "form_questions": [{"key": "business", "label_ko": "창업 아이템", "label_en": "Your business idea", "type": "text",
                          "required": True},
                         {"key": "amount", "label_ko": "신청 금액(원)", "label_en": "Amount requested (won)",
                          "type": "number", "required": True}],
      "documents": [("사업계획서", "Business plan", True)]}),
    ("jeonse-rental-housing", S.JOBS_HOUSING, P.Topic.HOUSING, P.SupportKind.HOUSING, P.ApplyMethod.ONLINE,
     ["low_income", "newlyweds", "single_parent"], "저소득층 전세 임대주택", "Jeonse rental housing for low-income households",
     "신혼부부, 한부모 가족 등 저소득 가구에 전세 임대주택을 지원합니다.",
     "Lump-sum-deposit (jeonse) rental homes for low-income households such as newlyweds and single parents.",
     {"eligibility_rules": [RESIDENT, {"field": "income", "op": "lte", "value": 2,
                                       "label_ko": "가구 소득이 기준 중위소득 100% 이하",
                                       "label_en": "Household income at most 100% of the median"}],
      "documents": [("소득 증빙 서류", "Proof of income", True), ("가족관계증명서", "Family relations certificate", True)]}),
]


def seed() -> None:
    for order, (code, ko, en) in enumerate(TAGS):
        HouseholdTag.objects.update_or_create(code=code, defaults={"name_ko": ko, "name_en": en, "order": order})
    tags = {t.code: t for t in HouseholdTag.objects.all()}
    today = timezone.localdate()
    for slug, stage, topic, kind, method, tag_codes, title_ko, title_en, summary_ko, summary_en, extra in PROGRAMS:
        extra = dict(extra)
        documents = extra.pop("documents", [])
        window = extra.pop("window", False)
        defaults = dict(
            title_ko=title_ko, title_en=title_en, summary_ko=summary_ko, summary_en=summary_en, life_stage=stage,
            topic=topic, support_kind=kind, apply_method=method, status=Program.Status.PUBLISHED,
            office_ko=OFFICE[0], office_en=OFFICE[1], office_phone=OFFICE[2],
            legal_basis_ko=ORDINANCE[0], legal_basis_en=ORDINANCE[1],
            opens_on=today - timedelta(days=30) if window else None,
            closes_on=today + timedelta(days=90) if window else None,
            **extra,
        )
        program, _ = Program.objects.update_or_create(slug=slug, defaults=defaults)
        program.household_tags.set([tags[c] for c in tag_codes])
        for index, (name_ko, name_en, required) in enumerate(documents):
            RequiredDocument.objects.update_or_create(
                program=program, name_ko=name_ko, defaults={"name_en": name_en, "is_required": required, "order": index}
            )
