"""Substring search that does not grow with the company, on PostgreSQL.

The list's search matches ``search_text`` (name and e-mail, casefolded) and ``phone_number`` with
``LIKE '%…%'``, which a B-tree cannot serve: PostgreSQL read every index entry of the company. Trigram GIN
indexes (``pg_trgm``, shipped with PostgreSQL and "trusted": the database owner may create it) find the
matching rows directly; the company is then a filter on those few rows. (A GIN index with the company as a
first column, via ``btree_gin``, was tried: the planner never used its company key, so it only cost space.)
SQLite keeps its B-tree indexes (docs/benchmarks.md says why).
"""

from django.db import migrations

INDEXES = [
    ("subs_search_trgm", "search_text"),
    ("subs_phone_trgm", "phone_number"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON subscriptions_subscription "
            f"USING gin ({column} gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0007_status_counters")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
