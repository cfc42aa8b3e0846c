"""The eligibility engine of the finder (맞춤 혜택 찾기).

A program's ``eligibility_rules`` is a list of rules such as::

    {"field": "birth_order", "op": "gte", "value": 2,
     "label_ko": "둘째 자녀부터 지급", "label_en": "Paid from the second child"}

``children`` counts the children already born; ``birth_order`` is the place of the child a birth
benefit is for — the coming child when the citizen is pregnant (a pregnant mother of one is
expecting her second), otherwise the youngest — so rules about birth order use ``birth_order``.

``evaluate(rules, answers)`` says for each rule whether it is met, not met or unknown (the
citizen has not answered that question) with a one-line reason, and sums them up: a program is
"eligible" when every rule is met, "ineligible" when any is not, otherwise "maybe".
Answers come from the finder's query string (``parse_answers``); nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
ELIGIBLE, INELIGIBLE, MAYBE = "eligible", "ineligible", "maybe"

YES_NO = {"yes": True, "no": False}
MARITAL = ("married", "planning", "single")
INCOME_BANDS = ("1", "2", "3", "4")  # ≤50%, ≤100%, ≤150%, >150% of the national median income
MAX_CHILDREN = 12


# The questions the finder asks, in order; one idea per step. ``kind`` drives parsing.
QUESTIONS: list[dict] = [
    {"key": "resident", "kind": "yesno", "label": gettext_lazy("광명시에 주민등록이 되어 있나요?")},
    {"key": "age", "kind": "int", "min": 0, "max": 120, "label": gettext_lazy("만 나이가 어떻게 되나요?")},
    {"key": "marital", "kind": "choice", "choices": MARITAL,
     "label": gettext_lazy("결혼하셨거나 결혼을 준비 중인가요?")},
    {"key": "pregnant", "kind": "yesno", "label": gettext_lazy("지금 임신 중인가요?")},
    {"key": "due_date", "kind": "date", "label": gettext_lazy("출산 예정일을 알려 주세요 (선택)")},
    {"key": "child_ages", "kind": "int_list", "min": 0, "max": 25,
     "label": gettext_lazy("자녀가 있다면 나이를 쉼표로 적어 주세요 (예: 0, 4). 없으면 비워 두세요.")},
    {"key": "dual_income", "kind": "yesno", "label": gettext_lazy("부부가 모두 일하는 맞벌이 가구인가요?")},
    {"key": "income", "kind": "choice", "choices": INCOME_BANDS,
     "label": gettext_lazy("가구 소득은 기준 중위소득의 몇 %인가요?")},
]
QUESTION_KEYS = [q["key"] for q in QUESTIONS]

# Fields a rule may test: the answers above plus values derived from them.
RULE_FIELDS = {"resident", "age", "marital", "pregnant", "children", "birth_order", "youngest_child_age",
               "dual_income", "income"}
OPS = {"eq", "ne", "gte", "lte", "in", "between"}


@dataclass
class Answers:
    """Typed finder answers; a missing key means the citizen has not said."""

    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)

    def get(self, key):
        if key == "children":
            ages = self.values.get("child_ages")
            return None if ages is None else len(ages)
        if key == "birth_order":
            # Counts the pregnancy: the coming child is the one a birth benefit will be paid for.
            ages, pregnant = self.values.get("child_ages"), self.values.get("pregnant")
            if ages is None or pregnant is None:
                return None
            return len(ages) + (1 if pregnant else 0)
        if key == "youngest_child_age":
            ages = self.values.get("child_ages")
            return min(ages) if ages else None
        return self.values.get(key)

    def as_query(self) -> dict[str, str]:
        """The answers back as query-string values (for links that keep them)."""
        out = {}
        for key, value in self.values.items():
            if isinstance(value, bool):
                out[key] = "yes" if value else "no"
            elif isinstance(value, list):
                out[key] = ",".join(str(v) for v in value)
            elif isinstance(value, date):
                out[key] = value.isoformat()
            else:
                out[key] = str(value)
        return out


def parse_answers(data) -> Answers:
    """Read answers from a query dict. Bad values are dropped with an error message, never raised."""
    answers = Answers()
    for question in QUESTIONS:
        key, kind = question["key"], question["kind"]
        raw = (data.get(key) or "").strip()
        if raw == "":
            if kind == "int_list" and key in data:
                answers.values[key] = []  # answered "no children"
            continue
        try:
            answers.values[key] = _parse_value(question, raw)
        except ValueError as exc:
            answers.errors[key] = str(exc)
    return answers


def _parse_value(question, raw):
    kind = question["kind"]
    if kind == "yesno":
        if raw not in YES_NO:
            raise ValueError(_("예 또는 아니오를 골라 주세요."))
        return YES_NO[raw]
    if kind == "choice":
        if raw not in question["choices"]:
            raise ValueError(_("보기 중에서 골라 주세요."))
        return raw
    if kind == "int":
        return _bounded_int(raw, question)
    if kind == "int_list":
        parts = [p for p in raw.replace("，", ",").split(",") if p.strip()]
        if len(parts) > MAX_CHILDREN:
            raise ValueError(_("자녀는 %(max)s명까지 적을 수 있습니다.") % {"max": MAX_CHILDREN})
        return sorted(_bounded_int(p.strip(), question) for p in parts)
    if kind == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(_("날짜를 2027-05-01 형식으로 적어 주세요.")) from None
    raise AssertionError(kind)


def _bounded_int(raw: str, question) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(_("숫자로 적어 주세요.")) from None
    if not question["min"] <= value <= question["max"]:
        raise ValueError(_("%(min)s에서 %(max)s 사이의 숫자로 적어 주세요.") % question)
    return value


# --- Rules -----------------------------------------------------------------------------------

def validate_rules(rules) -> None:
    """Raise ValidationError if a program's rules are not well-formed (used by the admin form)."""
    if not isinstance(rules, list):
        raise ValidationError(_("자격 규칙은 목록이어야 합니다."))
    for index, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict):
            raise ValidationError(_("%(n)s번째 규칙이 올바르지 않습니다.") % {"n": index})
        if rule.get("field") not in RULE_FIELDS:
            raise ValidationError(_("%(n)s번째 규칙의 항목(field)을 알 수 없습니다.") % {"n": index})
        if rule.get("op") not in OPS:
            raise ValidationError(_("%(n)s번째 규칙의 비교(op)를 알 수 없습니다.") % {"n": index})
        if "value" not in rule or not rule.get("label_ko"):
            raise ValidationError(_("%(n)s번째 규칙에 value와 label_ko가 필요합니다.") % {"n": index})
        if rule["op"] == "between" and not (isinstance(rule["value"], list) and len(rule["value"]) == 2):
            raise ValidationError(_("%(n)s번째 규칙: between에는 [최소, 최대]가 필요합니다.") % {"n": index})


def _compare(op: str, actual, expected) -> bool:
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op == "in":
        return actual in expected
    if op == "between":
        low, high = expected
        return _num(low) <= _num(actual) <= _num(high)
    if op == "gte":
        return _num(actual) >= _num(expected)
    if op == "lte":
        return _num(actual) <= _num(expected)
    raise AssertionError(op)


def _num(value):
    return int(value) if isinstance(value, str) and value.isdigit() else value


# Birth order in words ("둘째"), for the finder's reasons; past the list, a number.
ORDINALS = (gettext_lazy("첫째"), gettext_lazy("둘째"), gettext_lazy("셋째"), gettext_lazy("넷째"),
            gettext_lazy("다섯째"), gettext_lazy("여섯째"), gettext_lazy("일곱째"), gettext_lazy("여덟째"),
            gettext_lazy("아홉째"), gettext_lazy("열째"))


def ordinal(n: int) -> str:
    return str(ORDINALS[n - 1]) if 1 <= n <= len(ORDINALS) else _("%(n)s번째") % {"n": n}


def _told_birth_order(value: int, answers: Answers) -> str:
    children = len(answers.get("child_ages") or [])
    if answers.get("pregnant"):
        return _("자녀 %(n)s명에 지금 임신 중이라고 알려 주셨습니다. 태어날 아이가 %(order)s입니다") % {
            "n": children, "order": ordinal(value)}
    if value == 0:
        return _("자녀가 없고 임신 중이 아니라고 알려 주셨습니다")
    return _("자녀 %(n)s명이라고 알려 주셨습니다. 막내가 %(order)s입니다") % {"n": children, "order": ordinal(value)}


def _told(field_name: str, value, answers: Answers | None = None) -> str:
    """How the finder repeats back what the citizen said, e.g. "자녀 1명이라고 알려 주셨습니다"."""
    if field_name == "birth_order":
        return _told_birth_order(value, answers or Answers())
    if field_name == "children":
        return _("자녀 %(n)s명이라고 알려 주셨습니다") % {"n": value}
    if field_name == "youngest_child_age":
        return _("막내 자녀가 %(n)s살이라고 알려 주셨습니다") % {"n": value}
    if field_name == "age":
        return _("만 %(n)s세라고 알려 주셨습니다") % {"n": value}
    if field_name == "income":
        return _("소득 구간 %(n)s을(를) 고르셨습니다") % {"n": value}
    if field_name == "marital":
        labels = {"married": _("기혼"), "planning": _("결혼 준비 중"), "single": _("미혼")}
        return _("%(v)s이라고 알려 주셨습니다") % {"v": labels.get(value, value)}
    labels = {
        "resident": (_("광명시민이라고 알려 주셨습니다"), _("광명시민이 아니라고 알려 주셨습니다")),
        "pregnant": (_("임신 중이라고 알려 주셨습니다"), _("임신 중이 아니라고 알려 주셨습니다")),
        "dual_income": (_("맞벌이라고 알려 주셨습니다"), _("맞벌이가 아니라고 알려 주셨습니다")),
    }
    yes, no = labels[field_name]
    return yes if value else no


@dataclass(frozen=True)
class RuleResult:
    outcome: str  # met / not_met / unknown
    reason: str


@dataclass(frozen=True)
class Verdict:
    status: str  # eligible / ineligible / maybe
    rules: tuple[RuleResult, ...]


def rule_label(rule: dict) -> str:
    lang = (get_language() or "ko").split("-")[0]
    return (rule.get(f"label_{lang}") if lang != "ko" else None) or rule["label_ko"]


def evaluate_rule(rule: dict, answers: Answers) -> RuleResult:
    label = rule_label(rule)
    actual = answers.get(rule["field"])
    if actual is None:
        return RuleResult(UNKNOWN, _("%(label)s — 아직 답하지 않은 질문입니다") % {"label": label})
    met = _compare(rule["op"], actual, rule["value"])
    return RuleResult(MET if met else NOT_MET, f"{label} — {_told(rule['field'], actual, answers)}")


def evaluate(rules: list[dict], answers: Answers) -> Verdict:
    results = tuple(evaluate_rule(rule, answers) for rule in rules)
    outcomes = {r.outcome for r in results}
    if NOT_MET in outcomes:
        status = INELIGIBLE
    elif UNKNOWN in outcomes:
        status = MAYBE
    else:
        status = ELIGIBLE
    return Verdict(status, results)
