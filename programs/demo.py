"""Demo catalog: every program of the child- and mom-friendly city, in the portal's own words.

Facts come from ``../shared/domain/facts.md`` and public facts we are sure of (City Hall's address,
the name of the city's ordinance). Where a fact is not known — a facility's street address, this
year's amount — the text says so and points to the office, rather than inventing one: a facility
without a known address has none (and so no map link). Application windows and the crowd's
applications (``seed_applications``) are placed relative to today, so the demo is alive on any date.
"""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import Application, ApplicationEvent, HouseholdTag, LifeStage, Program, RequiredDocument

SEOUL = ZoneInfo("Asia/Seoul")

OFFICE = ("여성가족과", "Women & Family Division", "02-2680-6716")
CITY_HALL = "경기도 광명시 시청로 20"
# The city's own ordinance (June 2016, the first of its name in the country). No article is cited:
# we do not know them for sure, and a wrong article is worse than none.
ORDINANCE_KO = "광명시 아이와 맘 편한 도시 만들기 조례"
ORDINANCE_EN = "Gwangmyeong City Ordinance on Making a Child- and Mom-Friendly City"
ORDINANCE = (ORDINANCE_KO, ORDINANCE_EN)


def basis(ko: str = "", en: str = "") -> dict:
    """Legal basis fields: a national act (when there is one we are sure of) and the city's ordinance."""
    return {"legal_basis_ko": f"{ko}, {ORDINANCE_KO}" if ko else ORDINANCE_KO,
            "legal_basis_en": f"{en}; {ORDINANCE_EN}" if en else ORDINANCE_EN}


ASK_ADDRESS_KO = "주소와 찾아가는 길은 담당 부서(여성가족과 02-2680-6716)에 문의해 주세요."
ASK_ADDRESS_EN = "Please ask the Women & Family Division (02-2680-6716) for the address and directions."
AMOUNT_YEARLY_KO = "금액은 해마다 정해집니다. 올해 금액은 담당 부서에 문의해 주세요."
AMOUNT_YEARLY_EN = "The amount is set every year; please ask the office for this year's figure."

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
      "how_to_apply_ko": "신분증과 청첩장 또는 혼인관계증명서를 가지고 광명시보건소를 방문하세요. 검사 항목과 "
                         "예약 방법은 보건소에 미리 확인해 주세요.",
      "how_to_apply_en": "Visit the Gwangmyeong public health centre with an ID and a wedding invitation or "
                         "marriage certificate. Please check the tests offered and how to book with the centre.",
      "description_ko": "검진 비용은 시가 부담합니다. 검사 항목은 해마다 정해집니다.",
      "description_en": "The city pays for the checkup. The tests offered are set every year.",
      **basis("모자보건법", "Mother and Child Health Act")}),
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
      "timeline_anchor": P.TimelineAnchor.DUE_DATE, "timeline_start_days": -200, "timeline_end_days": -30,
      "window": (-20, 40),
      "description_ko": "교실은 무료이며, 회차별 일정은 행사 달력에서 볼 수 있습니다. 신청은 기수마다 받습니다.",
      "description_en": "The classes are free; each session is on the event calendar. Applications are taken "
                        "for each intake.",
      **basis("모자보건법", "Mother and Child Health Act")}),
    ("pregnant-priority-counter", S.PREGNANCY_BIRTH, P.Topic.CIVIL_SERVICE, P.SupportKind.SERVICE, P.ApplyMethod.NONE,
     ["pregnant"], "임산부 민원 우선 창구", "Priority counter for pregnant women",
     "민원 창구에서 임산부가 기다리지 않고 먼저 업무를 볼 수 있습니다.",
     "Pregnant women are served first at the city's civil-service counters.",
     {"eligibility_rules": [{"field": "pregnant", "op": "eq", "value": True, "label_ko": "임신 중인 분",
                             "label_en": "Currently pregnant"}],
      "how_to_apply_ko": "창구에서 임산부 배지나 산모수첩을 보여 주세요.",
      "how_to_apply_en": "Show a pregnancy badge or maternity handbook at the counter.", **basis()}),
    ("nursing-room-city-hall", S.PREGNANCY_BIRTH, P.Topic.CIVIL_SERVICE, P.SupportKind.FACILITY, P.ApplyMethod.NONE,
     ["infant"], "시청 종합민원실 수유실", "Nursing room, City Hall civil-service office",
     "시청 종합민원실 안에 있는 수유실을 누구나 이용할 수 있습니다.",
     "A nursing room inside City Hall's general civil-service office, open to everyone.",
     {"is_facility": True, "address": CITY_HALL + " 광명시청 종합민원실",
      "opening_hours_ko": "평일 09:00~18:00 (시청 민원실 운영 시간)",
      "opening_hours_en": "Weekdays 9:00–18:00 (City Hall's civil-service hours)",
      "how_to_apply_ko": "신청 없이 이용합니다. 종합민원실 안내 창구에 물어보시면 수유실로 안내해 드립니다.",
      "how_to_apply_en": "No application needed: ask at the civil-service office's information desk.",
      **basis("모자보건법", "Mother and Child Health Act")}),
    ("nursing-room-citizens-hall", S.PREGNANCY_BIRTH, P.Topic.CIVIL_SERVICE, P.SupportKind.FACILITY, P.ApplyMethod.NONE,
     ["infant"], "시민회관 수유실", "Nursing room, Citizens' Hall",
     "시민회관에서 공연이나 행사를 볼 때 수유실을 이용할 수 있습니다.",
     "A nursing room at the Citizens' Hall for parents attending shows and events.",
     {"is_facility": True, "address": "",
      "description_ko": "시민회관 수유실의 정확한 위치는 시민회관 안내 데스크에서 알려 드립니다. " + ASK_ADDRESS_KO,
      "description_en": "The Citizens' Hall information desk will show you to the nursing room. " + ASK_ADDRESS_EN,
      "opening_hours_ko": "시민회관 운영 시간 (공연·행사가 있는 날은 행사 시간 동안)",
      "opening_hours_en": "During Citizens' Hall opening hours (on show and event days, during the event)",
      **basis("모자보건법", "Mother and Child Health Act")}),
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
      "timeline_anchor": P.TimelineAnchor.BIRTH_DATE, "timeline_start_days": 0, "timeline_end_days": 365,
      "description_ko": "출생 순위에 따라 지급액이 다릅니다. " + AMOUNT_YEARLY_KO
                        + " 아이가 태어난 뒤 1년 안에 신청해 주세요.",
      "description_en": "The amount depends on the child's birth order. " + AMOUNT_YEARLY_EN
                        + " Please apply within a year of the birth.",
      **basis()}),
    ("neighbourhood-fair", S.PREGNANCY_BIRTH, P.Topic.CLASSES, P.SupportKind.SERVICE, P.ApplyMethod.NONE,
     [], "아이와 맘 편한 우리동네 박람회", "Child- and mom-friendly neighbourhood fair",
     "임신·출산, 교육, 일자리, 주거 정보를 한자리에서 만나는 동네 박람회입니다.",
     "A neighbourhood fair bringing pregnancy, birth, education, jobs and housing services together in one place.",
     {"how_to_apply_ko": "행사 달력에서 세부 행사를 골라 참가 신청하세요.",
      "how_to_apply_en": "Pick the talks and booths in the event calendar and register there.",
      "address": CITY_HALL, "description_ko": "입장은 무료이고 신청 없이 누구나 들어올 수 있습니다.",
      "description_en": "Entry is free and open to all without registering.", **basis()}),
    ("toy-library", S.CHILDCARE_EDUCATION, P.Topic.CHILDCARE, P.SupportKind.FACILITY, P.ApplyMethod.NONE,
     ["infant"], "장난감도서관", "Toy library",
     "전국에서 가장 큰 규모의 장난감도서관에서 장난감을 빌리고 놀이 공간을 이용하세요.",
     "Borrow toys and use the play space at the country's largest toy library.",
     {"is_facility": True, "address": "", "description_ko": ASK_ADDRESS_KO, "description_en": ASK_ADDRESS_EN,
      **basis(),
      "opening_hours_ko": "화~토 10:00~18:00 (일·월·공휴일 휴관)", "opening_hours_en": "Tue–Sat 10:00–18:00",
      "what_to_bring_ko": "회원증(첫 방문 시 신분증과 주민등록등본)", "what_to_bring_en": "Membership card (first visit: ID)"}),
    ("childcare-support-center", S.CHILDCARE_EDUCATION, P.Topic.CHILDCARE, P.SupportKind.FACILITY, P.ApplyMethod.NONE,
     ["infant", "dual_income"], "육아종합지원센터", "Comprehensive childcare support center",
     "육아 상담, 부모 교육, 어린이집 정보까지 육아에 필요한 지원을 한곳에서 받습니다.",
     "Parenting advice, parent education and childcare information in one place.",
     {"is_facility": True, "address": "", "description_ko": ASK_ADDRESS_KO, "description_en": ASK_ADDRESS_EN,
      **basis("영유아보육법 제7조(육아종합지원센터)", "Infant Care Act, Article 7 (childcare support centres)"),
      "opening_hours_ko": "평일 09:00~18:00", "opening_hours_en": "Weekdays 9:00–18:00"}),
    *[
        (f"childcare-sharing-space-{n}", S.CHILDCARE_EDUCATION, P.Topic.CHILDCARE, P.SupportKind.FACILITY,
         P.ApplyMethod.NONE, ["infant"], f"육아나눔터 {n}호점", f"Childcare-sharing space no. {n}",
         "이웃 부모들이 함께 아이를 돌보고 육아 정보를 나누는 공간입니다.",
         "A space where neighbouring parents look after children together and share tips.",
         {"is_facility": True, "address": "", "description_ko": ASK_ADDRESS_KO, "description_en": ASK_ADDRESS_EN,
          **basis(),
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
      "documents": [("부부 재직증명서", "Proof of employment for both parents", True)],
      "description_ko": "이용료와 운영 시간은 돌봄 기관마다 다릅니다. " + AMOUNT_YEARLY_KO,
      "description_en": "Fees and hours depend on the care provider. " + AMOUNT_YEARLY_EN,
      **basis("영유아보육법", "Infant Care Act")}),
    ("safe-care-route", S.CHILDCARE_EDUCATION, P.Topic.SAFETY, P.SupportKind.SERVICE, P.ApplyMethod.ONLINE,
     ["infant"], "등하굣길 안심 알림", "Safe route to school alerts",
     "아이가 학교를 오가는 경로와 위치를 부모에게 알려 주는 안심 돌봄 서비스입니다.",
     "Parents are told the route and location of their child on the way to and from school.",
     {"eligibility_rules": [RESIDENT, {"field": "youngest_child_age", "op": "between", "value": [6, 12],
                                       "label_ko": "초등학생 자녀(만 6~12세)",
                                       "label_en": "A primary-school child (6–12)"}],
      "form_questions": [{"key": "school", "label_ko": "자녀의 학교", "label_en": "Child's school", "type": "text",
                          "required": True}],
      "allows_repeat": True, **basis()}),
    ("innovation-schools", S.CHILDCARE_EDUCATION, P.Topic.SCHOOL, P.SupportKind.SERVICE, P.ApplyMethod.NONE,
     [], "혁신학교", "Innovation schools",
     "광명시 초·중·고 46곳 가운데 15곳(32.6%)이 혁신학교로 운영됩니다.",
     "15 of the city's 46 primary, middle and high schools (32.6%) are innovation schools.",
     {"description_ko": "혁신학교는 교육청이 지정·운영합니다. 학교별 내용은 광명시교육지원청에 문의해 주세요.",
      "description_en": "Innovation schools are designated and run by the education authorities; please ask the "
                        "Gwangmyeong Office of Education about each school.",
      "legal_basis_ko": "", "legal_basis_en": ""}),
    ("non-gmo-school-meals", S.CHILDCARE_EDUCATION, P.Topic.SCHOOL, P.SupportKind.SERVICE, P.ApplyMethod.NONE,
     [], "학교 급식 Non-GMO 식재료 지원", "Non-GMO school meals",
     "2017년 1학기부터 전국 처음으로 시내 모든 초·중·고 급식에 4억 원을 들여 Non-GMO 식재료를 씁니다.",
     "From spring 2017, a first in the country: 400 million won for non-GMO ingredients in every school's meals.",
     # 4억 원 is the city's budget for every school, not an amount a family receives: no amount_max.
     {"description_ko": "학교에 다니는 학생이면 따로 신청하지 않아도 됩니다. 4억 원은 시 전체 학교에 드는 예산입니다.",
      "description_en": "Every pupil benefits without applying. The 400 million won is the budget for all the "
                        "city's schools, not an amount paid to families.",
      **basis("학교급식법", "School Meals Act")}),
    ("youth-job-start", S.JOBS_HOUSING, P.Topic.JOBS, P.SupportKind.SERVICE, P.ApplyMethod.ONLINE,
     ["youth"], "청년 잡스타트", "Youth Job-Start",
     "청년에게 일 경험과 직무 전문 교육을 제공합니다.",
     "Work experience and professional training for young people.",
     {"eligibility_rules": [RESIDENT, YOUTH],
      "form_questions": [{"key": "field", "label_ko": "희망 직무 분야", "label_en": "Field you want to work in",
                          "type": "text", "required": True}],
      "window": (-10, 20),
      "description_ko": "참여 기간과 교육 과정은 모집 때마다 공고합니다. 한 번 모집에 한 번 신청할 수 있습니다.",
      "description_en": "Each intake announces its dates and courses. One application per intake.",
      **basis("청년기본법", "Framework Act on Youth")}),
    ("youth-job-go", S.JOBS_HOUSING, P.Topic.JOBS, P.SupportKind.SERVICE, P.ApplyMethod.ONLINE,
     ["youth"], "청년 정규직 잡고", "Youth Job-Go (permanent jobs)",
     "청년이 정규직 일자리를 얻도록 기업과 연결해 드립니다.",
     "Connects young people with employers offering permanent jobs.",
     {"eligibility_rules": [RESIDENT, YOUTH], "documents": [("이력서", "CV", True)], "window": (-5, 25),
      "description_ko": "연결되는 기업과 일자리는 모집 때마다 달라집니다.",
      "description_en": "The employers and jobs on offer change with each intake.",
      **basis("청년기본법", "Framework Act on Youth")}),
    ("youth-startup-center", S.JOBS_HOUSING, P.Topic.STARTUP, P.SupportKind.FACILITY, P.ApplyMethod.VISIT,
     ["youth"], "청년 창업센터", "Youth startup center",
     "무료 창업 공간과 홍보·세무 등 실무 교육을 제공합니다.",
     "Free startup space and practical training in publicity, tax and more.",
     {"eligibility_rules": [YOUTH], "is_facility": True, "address": "",
      "description_ko": "입주 공간은 심사로 정합니다. " + ASK_ADDRESS_KO, "description_en": "Desks are allocated "
      "after a review. " + ASK_ADDRESS_EN, **basis("중소기업창업 지원법", "Support for Small and Medium Enterprise "
                                                   "Establishment Act"),
      "opening_hours_ko": "평일 09:00~22:00", "opening_hours_en": "Weekdays 9:00–22:00"}),
    ("youth-startup-fund", S.JOBS_HOUSING, P.Topic.STARTUP, P.SupportKind.CASH, P.ApplyMethod.ONLINE,
     ["youth"], "청년 창업 자금", "Youth startup fund",
     "2017년부터 창업하는 청년 한 명당 최대 5천만 원을 지원합니다.",
     "From 2017, up to 50 million won per young founder.",
     {"eligibility_rules": [RESIDENT, YOUTH], "amount_max": 50_000_000, "window": (-30, 60),
      "description_ko": "한 사람에게 최대 5천만 원까지 지원합니다. 실제 금액은 사업계획 심사로 정합니다.",
      "description_en": "Up to 50 million won per founder; the actual amount follows a review of the business plan.",
      **basis("중소기업창업 지원법", "Support for Small and Medium Enterprise Establishment Act"),
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
      "documents": [("소득 증빙 서류", "Proof of income", True), ("가족관계증명서", "Family relations certificate", True)],
      "window": (-15, 30),
      "description_ko": "전세 보증금 지원 한도와 임대 조건은 모집 공고마다 정해집니다. " + AMOUNT_YEARLY_KO,
      "description_en": "The deposit limit and the terms are set in each call for applications. " + AMOUNT_YEARLY_EN,
      **basis("공공주택 특별법", "Special Act on Public Housing")}),
]


def seed_catalog() -> None:
    for order, (code, ko, en) in enumerate(TAGS):
        HouseholdTag.objects.update_or_create(code=code, defaults={"name_ko": ko, "name_en": en, "order": order})
    tags = {t.code: t for t in HouseholdTag.objects.all()}
    today = timezone.localdate()
    for slug, stage, topic, kind, method, tag_codes, title_ko, title_en, summary_ko, summary_en, extra in PROGRAMS:
        extra = dict(extra)
        documents = extra.pop("documents", [])
        window = extra.pop("window", None)  # (opens, closes) in days from today: a call for applications
        defaults = dict(
            title_ko=title_ko, title_en=title_en, summary_ko=summary_ko, summary_en=summary_en, life_stage=stage,
            topic=topic, support_kind=kind, apply_method=method, status=Program.Status.PUBLISHED,
            office_ko=OFFICE[0], office_en=OFFICE[1], office_phone=OFFICE[2],
            legal_basis_ko=ORDINANCE_KO, legal_basis_en=ORDINANCE_EN, description_ko="", description_en="",
            amount_max=None, address="",
            opens_on=today + timedelta(days=window[0]) if window else None,
            closes_on=today + timedelta(days=window[1]) if window else None,
        )
        defaults.update(extra)
        program, _ = Program.objects.update_or_create(slug=slug, defaults=defaults)
        program.household_tags.set([tags[c] for c in tag_codes])
        for index, (name_ko, name_en, required) in enumerate(documents):
            RequiredDocument.objects.update_or_create(
                program=program, name_ko=name_ko, defaults={"name_en": name_en, "is_required": required, "order": index}
            )


# --- The crowd's applications: twelve months of them, in every status ----------------------------

# Programs the crowd applies to online, and the share of the crowd that applies to each.
APPLIED = {"couples-prenatal-class": 0.6, "birth-incentive": 0.7, "night-childcare": 0.6, "safe-care-route": 0.5,
           "youth-job-start": 0.7, "youth-job-go": 0.6, "youth-startup-fund": 0.5, "jeonse-rental-housing": 0.6}
ANSWERS = {
    "couples-prenatal-class": lambda rng, day: {"due_date": f"{day + timedelta(days=rng.randint(60, 200)):%Y-%m-%d}",
                                                "partner_attends": rng.choice(["yes", "no"])},
    "birth-incentive": lambda rng, day: {"child_birth_date": f"{day - timedelta(days=rng.randint(5, 200)):%Y-%m-%d}",
                                         "birth_order": str(rng.choice([2, 2, 2, 3, 4]))},
    "safe-care-route": lambda rng, day: {"school": rng.choice(["광명초등학교", "철산초등학교", "하안초등학교",
                                                               "소하초등학교"])},
    "youth-job-start": lambda rng, day: {"field": rng.choice(["사무 행정", "디자인", "소프트웨어 개발", "마케팅"])},
    "youth-startup-fund": lambda rng, day: {"business": rng.choice(["동네 반찬 가게", "육아용품 대여", "모바일 앱"]),
                                            "amount": str(rng.choice([10, 20, 30, 50]) * 1_000_000)},
}
INFO_REQUESTS = ["가족관계증명서를 최근 3개월 안에 발급한 것으로 다시 올려 주세요.",
                 "재직증명서에 직인이 보이지 않습니다. 선명한 사본을 올려 주세요.",
                 "신청서에 적은 연락처로 연락이 되지 않습니다. 연락처를 확인해 주세요."]
INFO_REPLIES = ["새로 발급한 서류를 올렸습니다.", "선명한 사본으로 다시 올렸습니다.", "연락처를 고쳐 적었습니다."]
REJECT_REASONS = ["가구 소득이 지원 기준을 넘습니다.", "신청일 기준 광명시에 주민등록이 되어 있지 않습니다.",
                  "같은 해에 이미 지원을 받으셨습니다."]


def _moment(day, rng) -> datetime:
    return datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59)), tzinfo=SEOUL)


def _plan(rng: random.Random, today, slug: str) -> dict:
    """One application's fate, placed relative to today: older ones decided, recent ones in progress."""
    S = Application.Status
    age = rng.randint(1, 360)
    submitted = _moment(today - timedelta(days=age), rng)
    roll = rng.random()
    if roll < 0.03:
        return {"status": S.DRAFT, "submitted_at": None, "steps": [], "started": submitted}
    if age <= 7:
        status = S.SUBMITTED if roll < 0.6 else S.UNDER_REVIEW if roll < 0.9 else S.WITHDRAWN
    elif age <= 30:
        status = (S.UNDER_REVIEW if roll < 0.25 else S.INFO_REQUESTED if roll < 0.4 else S.INFO_PROVIDED
                  if roll < 0.5 else S.APPROVED if roll < 0.85 else S.REJECTED if roll < 0.95 else S.WITHDRAWN)
    else:
        status = S.APPROVED if roll < 0.72 else S.REJECTED if roll < 0.93 else S.WITHDRAWN
    paths = {
        S.SUBMITTED: [], S.UNDER_REVIEW: [S.UNDER_REVIEW], S.INFO_REQUESTED: [S.UNDER_REVIEW, S.INFO_REQUESTED],
        S.INFO_PROVIDED: [S.UNDER_REVIEW, S.INFO_REQUESTED, S.INFO_PROVIDED],
        S.APPROVED: [S.UNDER_REVIEW, S.APPROVED] if rng.random() < 0.8 else
        [S.UNDER_REVIEW, S.INFO_REQUESTED, S.INFO_PROVIDED, S.APPROVED],
        S.REJECTED: [S.UNDER_REVIEW, S.REJECTED], S.WITHDRAWN: [S.WITHDRAWN],
    }
    # Spread the steps over the days after submission, never past yesterday.
    span = max(1, min(age - 1, rng.randint(3, 28)))
    steps, previous = [], submitted
    path = paths[status]
    for index, to_status in enumerate(path):
        day = (submitted + timedelta(days=round(span * (index + 1) / len(path)))).date()
        moment = max(_moment(day, rng), previous + timedelta(minutes=30))
        steps.append((to_status, moment))
        previous = moment
    return {"status": status, "submitted_at": submitted, "steps": steps, "started": submitted - timedelta(minutes=20)}


def seed_applications() -> None:
    """About six hundred applications of the demo crowd over the last twelve months, in every status.

    Created on the model directly (as the history they stand for happened in the past, which the
    services, stamping ``timezone.now()``, cannot write) but numbered with the service's per-year
    counter. Keyed by (applicant, program): one per pair, so a second run — also on a later day,
    which moves them along with today — never adds a row."""
    from accounts.demo import crowd_users

    from .services import CONSENT_VERSION, application_reference_next

    crowd = crowd_users()
    clerk = get_user_model().objects.filter(email="clerk@example.com").first()
    if not crowd or clerk is None:
        return
    S = Application.Status
    today = timezone.localdate()
    programs = {p.slug: p for p in Program.objects.filter(slug__in=APPLIED)}
    existing = {(a.applicant_id, a.program_id): a
                for a in Application.objects.filter(applicant__in=crowd, program__in=programs.values())}
    planned = []
    for user in crowd:
        for slug, share in APPLIED.items():
            rng = random.Random(f"{user.email}:{slug}")
            if slug not in programs or rng.random() >= share:
                continue
            planned.append((user, programs[slug], rng, _plan(rng, today, slug)))
    planned.sort(key=lambda row: (row[3]["submitted_at"] or row[3]["started"], row[0].pk))
    for user, program, rng, plan in planned:
        application = existing.get((user.pk, program.pk))
        fresh = application is None
        if fresh:
            application = Application(program=program, applicant=user, single_per_person=not program.allows_repeat)
        submitted = plan["submitted_at"]
        decided = plan["steps"][-1][1] if plan["status"] in Application.DECIDED else None
        notes = {S.INFO_REQUESTED: rng.choice(INFO_REQUESTS), S.INFO_PROVIDED: rng.choice(INFO_REPLIES),
                 S.REJECTED: rng.choice(REJECT_REASONS), S.APPROVED: "지원 대상으로 결정되었습니다."}
        values = {
            "status": plan["status"], "submitted_at": submitted, "decided_at": decided,
            "answers": ANSWERS[program.slug](rng, today) if program.slug in ANSWERS else {},
            "consent_at": plan["started"], "consent_version": CONSENT_VERSION,
            "decision_reason": notes.get(plan["status"], "") if decided else "",
            "info_request": notes[S.INFO_REQUESTED] if any(s == S.INFO_REQUESTED for s, _ in plan["steps"]) else "",
        }
        if not fresh and all(getattr(application, k) == v for k, v in values.items()) and (
                submitted is None or (application.reference or "").startswith(f"GM-{submitted.year}-")):
            continue  # already as planned: a second run on the same day changes nothing
        for name, value in values.items():
            setattr(application, name, value)
        if submitted is None:
            application.reference = None
        elif not (application.reference or "").startswith(f"GM-{submitted.year}-"):
            application.reference = application_reference_next(year=submitted.year)
        application.save()
        application.history.all().delete()
        history, previous = [], S.DRAFT
        if submitted is not None:
            history.append(ApplicationEvent(application=application, from_status=S.DRAFT, to_status=S.SUBMITTED,
                                            actor=user, at=submitted))
            previous = S.SUBMITTED
        for to_status, moment in plan["steps"]:
            actor = user if to_status in (S.INFO_PROVIDED, S.WITHDRAWN) else clerk
            history.append(ApplicationEvent(application=application, from_status=previous, to_status=to_status,
                                            actor=actor, note=notes.get(to_status, ""), at=moment))
            previous = to_status
        ApplicationEvent.objects.bulk_create(history)
        # created_at is auto_now_add: set it to when the citizen started the form.
        Application.objects.filter(pk=application.pk).update(created_at=plan["started"])


def seed() -> None:
    seed_catalog()
    seed_applications()
