"""Search that ignores spacing and finds near misses; birth-order rules that count a pregnancy.

1. Two trigram GIN indexes on expressions (PostgreSQL only; SQLite, ``make run``, skips them):
   the space-stripped text that ``program_search`` matches words against with ``icontains``, and
   the jamo-decomposed text its near-miss search compares by ``word_similarity``. The expressions
   are a frozen copy of ``programs.selectors.search_key`` / ``search_jamo_key``: an index serves a
   query only if both spell the same expression (tests/perf/test_explain.py checks it).
2. Rules that say "from the second child" were written on ``children`` (children already born),
   so a pregnant mother of one was told the incentive for her coming second child did not apply.
   Such rules — a ``children`` rule whose label names a birth order (둘째, 셋째 …) — now test
   ``birth_order``, which counts the pregnancy (programs.eligibility).
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Concat, Lower, Replace, Upper

FIELDS = ("title_ko", "summary_ko", "title_en", "summary_en")
TEXT = TextField()


def _joined(separator):
    parts = []
    for name in FIELDS:
        if parts:
            parts.append(Value(separator))
        parts.append(F(name))
    return Concat(*parts, output_field=TEXT)


class Jamo(Func):
    function = "normalize"
    template = "%(function)s(%(expressions)s, NFD)"
    output_field = TEXT


def _indexes():
    key = _joined("|")
    for char in (" ", "·"):
        key = Replace(key, Value(char), Value(""), output_field=TEXT)
    return [
        # icontains compiles to UPPER(<expr>::text) LIKE UPPER(%s): index that very expression.
        GinIndex(OpClass(Upper(key, output_field=TEXT), name="gin_trgm_ops"),
                 name="programs_program_trgm_search_key"),
        GinIndex(OpClass(Jamo(Lower(_joined(" "), output_field=TEXT)), name="gin_trgm_ops"),
                 name="programs_program_trgm_search_jamo"),
    ]


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    Program = apps.get_model("programs", "Program")
    for index in _indexes():
        schema_editor.add_index(Program, index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Program = apps.get_model("programs", "Program")
    for index in _indexes():
        schema_editor.remove_index(Program, index)


ORDINALS = ("둘째", "셋째", "넷째", "다섯째")


def _rewrite_rules(apps, old, new):
    Program = apps.get_model("programs", "Program")
    for program in Program.objects.all():
        rules = program.eligibility_rules or []
        changed = False
        for rule in rules:
            if (isinstance(rule, dict) and rule.get("field") == old
                    and any(word in str(rule.get("label_ko", "")) for word in ORDINALS)):
                rule["field"] = new
                changed = True
        if changed:
            Program.objects.filter(pk=program.pk).update(eligibility_rules=rules)


def birth_order_rules(apps, schema_editor):
    _rewrite_rules(apps, "children", "birth_order")


def children_rules(apps, schema_editor):
    _rewrite_rules(apps, "birth_order", "children")


class Migration(migrations.Migration):
    dependencies = [("programs", "0003_application_consent_version_and_phone_consent")]
    operations = [
        migrations.RunPython(add_indexes, remove_indexes),
        migrations.RunPython(birth_order_rules, children_rules),
    ]
