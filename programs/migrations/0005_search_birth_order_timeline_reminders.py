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
3. "알림 받기" on the personal timeline: ``TimelineSubscription`` (the citizen's dates, kept only
   while reminders are on) and ``TimelineReminder`` (one row per reminder sent, unique, so the
   beat job sends each once).
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
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
    dependencies = [
        ("programs", "0004_application_reference_counter"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.RunPython(add_indexes, remove_indexes),
        migrations.RunPython(birth_order_rules, children_rules),
        migrations.CreateModel(
            name='TimelineSubscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due_date', models.DateField(blank=True, null=True, verbose_name='출산 예정일')),
                ('birth_date', models.DateField(blank=True, null=True, verbose_name='자녀 출생일')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='timeline_subscription', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '신청 일정 알림',
                'verbose_name_plural': '신청 일정 알림',
            },
        ),
        migrations.CreateModel(
            name='TimelineReminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('edge', models.CharField(choices=[('opens', '신청 시작'), ('closes', '신청 마감')], max_length=6)),
                ('window_date', models.DateField()),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programs.program')),
                ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='programs.timelinesubscription')),
            ],
            options={
                'verbose_name': '보낸 신청 일정 알림',
                'verbose_name_plural': '보낸 신청 일정 알림',
            },
        ),
        migrations.AddConstraint(
            model_name='timelinesubscription',
            constraint=models.CheckConstraint(condition=models.Q(('due_date__isnull', False), ('birth_date__isnull', False), _connector='OR'), name='timeline_subscription_has_a_date'),
        ),
        migrations.AddConstraint(
            model_name='timelinereminder',
            constraint=models.UniqueConstraint(fields=('subscription', 'program', 'edge', 'window_date'), name='timeline_reminder_once'),
        ),
    ]
