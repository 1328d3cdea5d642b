"""Searches typed without diacritics find a word anywhere in the folded name (search_key LIKE
'%word%'): on PostgreSQL a trigram GIN index answers that without reading every row. SQLite has
no such index and keeps its plain scan; nothing is done there.

pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13: the
database's owner may create it without being a superuser.
"""

from django.db import migrations

TABLES = [
    "registry_individual",
    "registry_collective",
    "registry_household",
    "registry_decision",
    "registry_unit",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} "
            "USING gin (search_key gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("registry", "0020_signed_papers")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
