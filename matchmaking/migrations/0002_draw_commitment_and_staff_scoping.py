"""Per-session pseudonyms and a seed committed in advance (the draw every applicant can check), the
published part of each draw record, Korean names of every field, and meetup events taken off the
public calendar (they are for the institutions' staff)."""

import secrets

import django.db.models.deletion
import matchmaking.models
from django.conf import settings
from django.db import migrations, models


def fill_seeds_and_pseudonyms(apps, schema_editor):
    """AddField gave every existing row the same default: give each its own. A session already
    drawn keeps its revealed seed as the committed one, so its published hash stays consistent."""
    MeetupSession = apps.get_model("matchmaking", "MeetupSession")
    SessionApplication = apps.get_model("matchmaking", "SessionApplication")
    for session in MeetupSession.objects.only("pk", "draw_seed"):
        session.committed_seed = session.draw_seed or secrets.token_hex(16)
        session.save(update_fields=["committed_seed"])
    for application in SessionApplication.objects.only("pk"):
        application.pseudonym = secrets.token_hex(6)
        application.save(update_fields=["pseudonym"])


def hide_meetup_events(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Event.objects.filter(meetup_session__isnull=False).update(is_public=False)


class Migration(migrations.Migration):

    dependencies = [
        ('matchmaking', '0001_initial'),
        ('partners', '0004_agency_logo_checked'),
        ('events', '0005_registration_provision_consent'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='drawrecord',
            name='commitment',
            field=models.CharField(blank=True, max_length=64, verbose_name='추첨 전 공개 값(SHA-256)'),
        ),
        migrations.AddField(
            model_name='drawrecord',
            name='public_input',
            field=models.JSONField(blank=True, help_text='성별마다 추첨 공개 번호 목록(신청 순)', null=True, verbose_name='공개 추첨 순서'),
        ),
        migrations.AddField(
            model_name='meetupsession',
            name='committed_seed',
            field=models.CharField(default=matchmaking.models._new_seed, editable=False, max_length=40, verbose_name='미리 정한 추첨 시드'),
        ),
        migrations.AddField(
            model_name='sessionapplication',
            name='pseudonym',
            field=models.CharField(default=matchmaking.models._new_pseudonym, editable=False, max_length=12, verbose_name='추첨 공개 번호'),
        ),
        migrations.AlterField(
            model_name='consentrecord',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matchmaking_consents', to=settings.AUTH_USER_MODEL, verbose_name='동의한 사람'),
        ),
        migrations.AlterField(
            model_name='drawrecord',
            name='drawn_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='추첨 실행'),
        ),
        migrations.AlterField(
            model_name='drawrecord',
            name='session',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='draw_record', to='matchmaking.meetupsession', verbose_name='행사 회차'),
        ),
        migrations.AlterField(
            model_name='match',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='매칭 일시'),
        ),
        migrations.AlterField(
            model_name='match',
            name='profile_a',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='matchmaking.profile', verbose_name='참가자 1'),
        ),
        migrations.AlterField(
            model_name='match',
            name='profile_b',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='matchmaking.profile', verbose_name='참가자 2'),
        ),
        migrations.AlterField(
            model_name='match',
            name='session',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matches', to='matchmaking.meetupsession', verbose_name='행사 회차'),
        ),
        migrations.AlterField(
            model_name='pick',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='선택 일시'),
        ),
        migrations.AlterField(
            model_name='pick',
            name='picked',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='matchmaking.profile', verbose_name='고른 상대'),
        ),
        migrations.AlterField(
            model_name='pick',
            name='picker',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='picks_made', to='matchmaking.profile', verbose_name='고른 사람'),
        ),
        migrations.AlterField(
            model_name='pick',
            name='session',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='picks', to='matchmaking.meetupsession', verbose_name='행사 회차'),
        ),
        migrations.AlterField(
            model_name='profile',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='등록 일시'),
        ),
        migrations.AlterField(
            model_name='profile',
            name='user',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='matchmaking_profile', to=settings.AUTH_USER_MODEL, verbose_name='계정'),
        ),
        migrations.AlterField(
            model_name='rosterentry',
            name='agency',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.agency', verbose_name='기관'),
        ),
        migrations.AlterField(
            model_name='rosterentry',
            name='upload',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='matchmaking.rosterupload', verbose_name='직원 명단'),
        ),
        migrations.AlterField(
            model_name='sessionapplication',
            name='profile',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='applications', to='matchmaking.profile', verbose_name='프로필'),
        ),
        migrations.AlterField(
            model_name='sessionapplication',
            name='session',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='applications', to='matchmaking.meetupsession', verbose_name='행사 회차'),
        ),
        migrations.RunPython(fill_seeds_and_pseudonyms, migrations.RunPython.noop),
        migrations.RunPython(hide_meetup_events, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='sessionapplication',
            constraint=models.UniqueConstraint(fields=('session', 'pseudonym'), name='matchmaking_one_pseudonym_per_session'),
        ),
    ]
