# The calendar's overlap query (ends_at >= start, starts_at < end) is served by this index; see docs/performance.md.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0002_program_interest'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['ends_at', 'starts_at'], name='events_event_span_idx'),
        ),
    ]
