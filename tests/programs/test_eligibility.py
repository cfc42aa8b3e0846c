"""The finder's rule engine: table-driven, including unanswered questions."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import translation

from programs.eligibility import (
    ELIGIBLE,
    INELIGIBLE,
    MAYBE,
    MET,
    NOT_MET,
    UNKNOWN,
    evaluate,
    evaluate_rule,
    parse_answers,
    validate_rules,
)

SECOND_CHILD = {"field": "children", "op": "gte", "value": 2, "label_ko": "둘째 자녀부터 지급",
                "label_en": "Paid from the second child"}
RESIDENT = {"field": "resident", "op": "eq", "value": True, "label_ko": "광명시민"}
YOUTH = {"field": "age", "op": "between", "value": [19, 39], "label_ko": "만 19~39세"}
MARRIED = {"field": "marital", "op": "in", "value": ["married", "planning"], "label_ko": "기혼 또는 예비부부"}
LOW_INCOME = {"field": "income", "op": "lte", "value": 2, "label_ko": "중위소득 100% 이하"}
SMALL_CHILD = {"field": "youngest_child_age", "op": "lte", "value": 12, "label_ko": "만 12세 이하 자녀"}
NOT_PREGNANT = {"field": "pregnant", "op": "ne", "value": True, "label_ko": "임신 중이 아님"}


def answers(query: str):
    return parse_answers(QueryDict(query))


@pytest.mark.parametrize(
    "rule, query, outcome",
    [
        (SECOND_CHILD, "child_ages=3", NOT_MET),
        (SECOND_CHILD, "child_ages=0,3", MET),
        (SECOND_CHILD, "child_ages=", NOT_MET),  # answered: no children
        (SECOND_CHILD, "", UNKNOWN),
        (RESIDENT, "resident=yes", MET),
        (RESIDENT, "resident=no", NOT_MET),
        (RESIDENT, "resident=maybe", UNKNOWN),  # a bad value is dropped, not guessed
        (YOUTH, "age=19", MET),
        (YOUTH, "age=39", MET),
        (YOUTH, "age=40", NOT_MET),
        (YOUTH, "age=18", NOT_MET),
        (MARRIED, "marital=planning", MET),
        (MARRIED, "marital=single", NOT_MET),
        (LOW_INCOME, "income=2", MET),
        (LOW_INCOME, "income=3", NOT_MET),
        (SMALL_CHILD, "child_ages=14,8", MET),
        (SMALL_CHILD, "child_ages=14", NOT_MET),
        (SMALL_CHILD, "child_ages=", UNKNOWN),  # no children: no youngest child to judge
        (NOT_PREGNANT, "pregnant=no", MET),
    ],
)
def test_rule_outcomes(rule, query, outcome):
    assert evaluate_rule(rule, answers(query)).outcome == outcome


def test_reason_repeats_what_the_citizen_said():
    with translation.override("ko"):
        result = evaluate_rule(SECOND_CHILD, answers("child_ages=3"))
    assert result.reason == "둘째 자녀부터 지급 — 자녀 1명이라고 알려 주셨습니다"
    with translation.override("en"):
        result = evaluate_rule(SECOND_CHILD, answers("child_ages=3"))
    assert result.reason.startswith("Paid from the second child — ")


@pytest.mark.parametrize(
    "query, status",
    [
        ("resident=yes&child_ages=1,4", ELIGIBLE),
        ("resident=yes", MAYBE),
        ("resident=no&child_ages=1,4", INELIGIBLE),
        ("child_ages=4", INELIGIBLE),  # one rule not met beats an unknown one
        ("", MAYBE),
    ],
)
def test_verdict_combines_rules(query, status):
    assert evaluate([RESIDENT, SECOND_CHILD], answers(query)).status == status


def test_no_rules_means_everyone():
    assert evaluate([], answers("")).status == ELIGIBLE


@pytest.mark.parametrize(
    "query, field",
    [("age=abc", "age"), ("age=200", "age"), ("due_date=2027-13-40", "due_date"), ("child_ages=a,b", "child_ages"),
     ("income=9", "income"), ("child_ages=" + ",".join(["1"] * 20), "child_ages")],
)
def test_bad_answers_become_messages_not_errors(query, field):
    parsed = answers(query)
    assert field in parsed.errors
    assert field not in parsed.values


def test_answers_round_trip_through_the_query_string():
    parsed = answers("resident=yes&age=31&child_ages=4,0&due_date=2027-05-01&income=2")
    assert parse_answers(QueryDict(mutable=True) | parsed.as_query()).values == parsed.values
    assert parsed.values["child_ages"] == [0, 4]


@pytest.mark.parametrize(
    "rules",
    [
        "not a list",
        [{"field": "shoe_size", "op": "eq", "value": 1, "label_ko": "x"}],
        [{"field": "age", "op": "approx", "value": 1, "label_ko": "x"}],
        [{"field": "age", "op": "eq", "label_ko": "x"}],
        [{"field": "age", "op": "between", "value": 3, "label_ko": "x"}],
    ],
)
def test_malformed_rules_are_refused_in_the_admin(rules):
    with pytest.raises(ValidationError):
        validate_rules(rules)


def test_demo_rules_are_all_valid(db):
    from programs.demo import PROGRAMS

    for entry in PROGRAMS:
        validate_rules(entry[-1].get("eligibility_rules", []))


# --- Birth order counts the pregnancy (issue 13.3) -------------------------------------------------

BIRTH_ORDER_SECOND = {"field": "birth_order", "op": "gte", "value": 2, "label_ko": "둘째 자녀부터 지급",
                      "label_en": "Paid from the second child"}
MULTI_CHILD = {"field": "children", "op": "gte", "value": 2, "label_ko": "자녀 2명 이상 가정"}


@pytest.mark.parametrize(
    "query, outcome",
    [
        ("pregnant=yes&child_ages=3", MET),  # expecting her second child
        ("pregnant=no&child_ages=3", NOT_MET),
        ("pregnant=yes&child_ages=", NOT_MET),  # expecting her first
        ("pregnant=no&child_ages=0,3", MET),  # the youngest is the second
        ("child_ages=3", UNKNOWN),  # pregnancy not answered: the order is not known
        ("pregnant=yes", UNKNOWN),
    ],
)
def test_birth_order_counts_the_pregnancy(query, outcome):
    assert evaluate_rule(BIRTH_ORDER_SECOND, answers(query)).outcome == outcome


def test_the_count_of_children_stays_the_children_born():
    assert evaluate_rule(MULTI_CHILD, answers("pregnant=yes&child_ages=3")).outcome == NOT_MET


def test_birth_order_reason_names_the_coming_child():
    with translation.override("ko"):
        result = evaluate_rule(BIRTH_ORDER_SECOND, answers("pregnant=yes&child_ages=3"))
    assert result.reason == ("둘째 자녀부터 지급 — 자녀 1명에 지금 임신 중이라고 알려 주셨습니다. "
                             "태어날 아이가 둘째입니다")
    with translation.override("en"):
        result = evaluate_rule(BIRTH_ORDER_SECOND, answers("pregnant=yes&child_ages=3"))
    assert result.reason.startswith("Paid from the second child — ") and "second" in result.reason.split("—")[1]


def test_birth_order_rules_are_valid_in_the_admin():
    validate_rules([BIRTH_ORDER_SECOND])


def test_the_demo_birth_incentive_applies_to_a_pregnant_mother_of_one(db):
    from programs.demo import PROGRAMS

    rules = next(entry[-1]["eligibility_rules"] for entry in PROGRAMS if entry[0] == "birth-incentive")
    assert evaluate(rules, answers("resident=yes&pregnant=yes&child_ages=2")).status == ELIGIBLE


def test_migration_moves_birth_order_rules_off_the_count_of_children(db):
    import importlib
    from pathlib import Path

    from django.apps import apps

    import programs.migrations
    from programs.models import Program
    from tests.programs.factories import ProgramFactory

    # Found by name, whatever number it carries after a merge with other branches' migrations.
    [path] = Path(programs.migrations.__file__).parent.glob("*_search_birth_order_timeline_reminders.py")
    migration = importlib.import_module(f"programs.migrations.{path.stem}")
    incentive = ProgramFactory(eligibility_rules=[RESIDENT, SECOND_CHILD])
    multi = ProgramFactory(eligibility_rules=[MULTI_CHILD])
    migration.birth_order_rules(apps, None)
    assert Program.objects.get(pk=incentive.pk).eligibility_rules[1]["field"] == "birth_order"
    assert Program.objects.get(pk=multi.pk).eligibility_rules == [MULTI_CHILD]
    migration.children_rules(apps, None)
    assert Program.objects.get(pk=incentive.pk).eligibility_rules == [RESIDENT, SECOND_CHILD]
