"""On PostgreSQL, make double-booking a lecturer impossible in the database itself: no two
scheduled or delivered lectures of one lecturer may overlap in time. SQLite (a laptop's
``make run``) has no exclusion constraints; there the scheduling service's row lock is the guard."""

from django.db import migrations

CONSTRAINT = "partners_lecturer_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE partners_lecturerequest ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist ("
        " lecturer_id WITH =, tstzrange(scheduled_start, scheduled_end, '[)') WITH &&"
        ") WHERE (status IN ('scheduled', 'delivered'))"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE partners_lecturerequest DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_agreement_reports_lectures")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
