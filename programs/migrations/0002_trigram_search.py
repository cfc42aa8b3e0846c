"""Trigram indexes for the catalog's partial-word search (PostgreSQL only).

``icontains`` on PostgreSQL compiles to ``UPPER(col::text) LIKE UPPER(%s)``; a GIN trigram index on
the same expression serves it. SQLite (``make run`` without DATABASE_URL) skips this migration's SQL.
"""

from django.db import migrations

COLUMNS = ("title_ko", "summary_ko", "title_en", "summary_en")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS programs_program_trgm_{column} ON programs_program '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS programs_program_trgm_{column}")


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
