"""Subscription counts per company kept by the database itself.

``SubscriptionCount`` holds one row per (company, type, status, cost centre) with how many subscriptions
have it. Database triggers on ``subscriptions_subscription`` keep it up to date in the same transaction
as every insert, delete and change of a subscription's company, type, status or cost centre — whichever
code path makes it (``save()``, ``QuerySet.update()``, ``bulk_create``, raw SQL, COPY; on PostgreSQL a
TRUNCATE empties the counts too). So the overview's
status counts, the list's page count and its cost-centre choices cost the same for 10 or 100,000
subscriptions. On PostgreSQL the triggers are statement-level with transition tables (a bulk update of
10,000 rows makes one grouped upsert), on SQLite row-level.

``manage.py reconcile_subscription_counts`` rebuilds the table from the subscriptions (and reports what
was off); the migration that adds it fills it the same way. Installing is idempotent and also runs after
every ``migrate`` (``install_triggers`` on post_migrate): SQLite drops a table's triggers when a later
migration rebuilds that table.
"""

from typing import Any

from django.db import connection as default_connection
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "subscriptions_subscription"
COUNTS = "subscriptions_subscriptioncount"
KEY = "company_id, product_id, status, cost_centre"
VERSIONS = "subscriptions_listversion"

_PG = [
    f"""
CREATE OR REPLACE FUNCTION subs_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {COUNTS} AS c ({KEY}, count)
  SELECT {KEY}, COUNT(*) FROM new_rows GROUP BY {KEY} ORDER BY {KEY}
  ON CONFLICT ({KEY}) DO UPDATE SET count = c.count + EXCLUDED.count;
  RETURN NULL;
END $$
""",
    f"""
CREATE OR REPLACE FUNCTION subs_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {COUNTS} AS c SET count = c.count - d.n
  FROM (SELECT {KEY}, COUNT(*) AS n FROM old_rows GROUP BY {KEY}) AS d
  WHERE c.company_id = d.company_id AND c.product_id = d.product_id AND c.status = d.status
    AND c.cost_centre = d.cost_centre;
  RETURN NULL;
END $$
""",
    f"""
CREATE OR REPLACE FUNCTION subs_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {COUNTS} AS c ({KEY}, count)
  SELECT {KEY}, SUM(delta) FROM (
    SELECT o.company_id, o.product_id, o.status, o.cost_centre, -1 AS delta
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE (o.company_id, o.product_id, o.status, o.cost_centre)
           IS DISTINCT FROM (n.company_id, n.product_id, n.status, n.cost_centre)
    UNION ALL
    SELECT n.company_id, n.product_id, n.status, n.cost_centre, 1
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE (o.company_id, o.product_id, o.status, o.cost_centre)
           IS DISTINCT FROM (n.company_id, n.product_id, n.status, n.cost_centre)
  ) AS d
  GROUP BY {KEY} HAVING SUM(delta) <> 0 ORDER BY {KEY}
  ON CONFLICT ({KEY}) DO UPDATE SET count = c.count + EXCLUDED.count;
  RETURN NULL;
END $$
""",
    f"""
CREATE OR REPLACE FUNCTION subs_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {COUNTS};
  RETURN NULL;
END $$
""",
    f"CREATE OR REPLACE TRIGGER subs_count_truncate AFTER TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION subs_count_truncate()",
    f"CREATE OR REPLACE TRIGGER subs_count_insert AFTER INSERT ON {TABLE} "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subs_count_insert()",
    f"CREATE OR REPLACE TRIGGER subs_count_delete AFTER DELETE ON {TABLE} "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION subs_count_delete()",
    f"CREATE OR REPLACE TRIGGER subs_count_update AFTER UPDATE ON {TABLE} "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subs_count_update()",
]

# The list version (ListVersion): every statement that touches a company's subscriptions, whatever column,
# bumps it once per company it touched.
_PG_VERSIONS = [
    f"""
CREATE OR REPLACE FUNCTION subs_version_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {VERSIONS} AS v (company_id, version)
  SELECT DISTINCT company_id, 1 FROM new_rows ORDER BY company_id
  ON CONFLICT (company_id) DO UPDATE SET version = v.version + 1;
  RETURN NULL;
END $$
""",
    f"""
CREATE OR REPLACE FUNCTION subs_version_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {VERSIONS} AS v (company_id, version)
  SELECT DISTINCT company_id, 1 FROM old_rows ORDER BY company_id
  ON CONFLICT (company_id) DO UPDATE SET version = v.version + 1;
  RETURN NULL;
END $$
""",
    f"""
CREATE OR REPLACE FUNCTION subs_version_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {VERSIONS} AS v (company_id, version)
  SELECT company_id, 1 FROM (SELECT company_id FROM old_rows UNION SELECT company_id FROM new_rows) AS c
  ORDER BY company_id
  ON CONFLICT (company_id) DO UPDATE SET version = v.version + 1;
  RETURN NULL;
END $$
""",
    f"""
CREATE OR REPLACE FUNCTION subs_version_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {VERSIONS} SET version = version + 1;
  RETURN NULL;
END $$
""",
    f"CREATE OR REPLACE TRIGGER subs_version_truncate AFTER TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION subs_version_all()",
    f"CREATE OR REPLACE TRIGGER subs_version_insert AFTER INSERT ON {TABLE} "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subs_version_new()",
    f"CREATE OR REPLACE TRIGGER subs_version_delete AFTER DELETE ON {TABLE} "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION subs_version_old()",
    f"CREATE OR REPLACE TRIGGER subs_version_update AFTER UPDATE ON {TABLE} "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subs_version_both()",
]

_SQLITE_UPSERT = (
    f"INSERT INTO {COUNTS} ({KEY}, count) VALUES (NEW.company_id, NEW.product_id, NEW.status, NEW.cost_centre, 1) "
    f"ON CONFLICT ({KEY}) DO UPDATE SET count = count + 1;"
)
_SQLITE_DECREMENT = (
    f"UPDATE {COUNTS} SET count = count - 1 WHERE company_id = OLD.company_id AND product_id = OLD.product_id "
    "AND status = OLD.status AND cost_centre = OLD.cost_centre;"
)


def _bump(row: str) -> str:
    return (
        f"INSERT INTO {VERSIONS} (company_id, version) VALUES ({row}.company_id, 1) "
        "ON CONFLICT (company_id) DO UPDATE SET version = version + 1;"
    )


_SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS subs_count_insert AFTER INSERT ON {TABLE} BEGIN {_SQLITE_UPSERT} END",
    f"CREATE TRIGGER IF NOT EXISTS subs_count_delete AFTER DELETE ON {TABLE} BEGIN {_SQLITE_DECREMENT} END",
    f"CREATE TRIGGER IF NOT EXISTS subs_count_update AFTER UPDATE OF {KEY} ON {TABLE} "
    "WHEN OLD.company_id IS NOT NEW.company_id OR OLD.product_id IS NOT NEW.product_id "
    "OR OLD.status IS NOT NEW.status OR OLD.cost_centre IS NOT NEW.cost_centre "
    f"BEGIN {_SQLITE_DECREMENT} {_SQLITE_UPSERT} END",
]
_SQLITE_VERSIONS = [
    f"CREATE TRIGGER IF NOT EXISTS subs_version_insert AFTER INSERT ON {TABLE} BEGIN {_bump('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS subs_version_delete AFTER DELETE ON {TABLE} BEGIN {_bump('OLD')} END",
    # Any column: the list shows names, numbers and e-mails, not only the counted key.
    f"CREATE TRIGGER IF NOT EXISTS subs_version_update AFTER UPDATE ON {TABLE} BEGIN {_bump('OLD')} {_bump('NEW')} END",
]

_DROP = {
    "postgresql": [
        f"DROP TRIGGER IF EXISTS subs_count_insert ON {TABLE}",
        f"DROP TRIGGER IF EXISTS subs_count_delete ON {TABLE}",
        f"DROP TRIGGER IF EXISTS subs_count_update ON {TABLE}",
        f"DROP TRIGGER IF EXISTS subs_count_truncate ON {TABLE}",
        "DROP FUNCTION IF EXISTS subs_count_truncate()",
        "DROP FUNCTION IF EXISTS subs_count_insert()",
        "DROP FUNCTION IF EXISTS subs_count_delete()",
        "DROP FUNCTION IF EXISTS subs_count_update()",
        f"DROP TRIGGER IF EXISTS subs_version_insert ON {TABLE}",
        f"DROP TRIGGER IF EXISTS subs_version_delete ON {TABLE}",
        f"DROP TRIGGER IF EXISTS subs_version_update ON {TABLE}",
        f"DROP TRIGGER IF EXISTS subs_version_truncate ON {TABLE}",
        "DROP FUNCTION IF EXISTS subs_version_new()",
        "DROP FUNCTION IF EXISTS subs_version_old()",
        "DROP FUNCTION IF EXISTS subs_version_both()",
        "DROP FUNCTION IF EXISTS subs_version_all()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS subs_count_insert",
        "DROP TRIGGER IF EXISTS subs_count_delete",
        "DROP TRIGGER IF EXISTS subs_count_update",
        "DROP TRIGGER IF EXISTS subs_version_insert",
        "DROP TRIGGER IF EXISTS subs_version_delete",
        "DROP TRIGGER IF EXISTS subs_version_update",
    ],
}


def _statements(vendor: str, versions: bool = True) -> list[str]:
    if vendor == "postgresql":
        return _PG + (_PG_VERSIONS if versions else [])
    if vendor == "sqlite":
        return _SQLITE + (_SQLITE_VERSIONS if versions else [])
    raise NotImplementedError(f"subscription counters need triggers for {vendor}")


def install_triggers(connection: BaseDatabaseWrapper = default_connection, *, versions: bool = True) -> None:
    """``versions=False``: only the counters' (for migrations that run before the version table exists)."""
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, versions):
            cursor.execute(sql)


def drop_triggers(connection: BaseDatabaseWrapper = default_connection) -> None:
    with connection.cursor() as cursor:
        for sql in _DROP.get(connection.vendor, []):
            cursor.execute(sql)


def rebuild(connection: BaseDatabaseWrapper = default_connection) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Recount every company's subscriptions; returns {key: (stored, actual)} for the rows that were off."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # No subscription changes while recounting (reads go on); SQLite's write lock does the same.
            cursor.execute(f"LOCK TABLE {TABLE} IN SHARE MODE")
        cursor.execute(f"SELECT {KEY}, count FROM {COUNTS} WHERE count <> 0")
        stored = {tuple(row[:4]): row[4] for row in cursor.fetchall()}
        cursor.execute(f"SELECT {KEY}, COUNT(*) FROM {TABLE} GROUP BY {KEY}")
        actual = {tuple(row[:4]): row[4] for row in cursor.fetchall()}
        cursor.execute(f"DELETE FROM {COUNTS}")
        cursor.execute(f"INSERT INTO {COUNTS} ({KEY}, count) SELECT {KEY}, COUNT(*) FROM {TABLE} GROUP BY {KEY}")
    return {
        key: (stored.get(key, 0), actual.get(key, 0))
        for key in stored.keys() | actual.keys()
        if stored.get(key, 0) != actual.get(key, 0)
    }


def ensure_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: the triggers exist whenever the table does; on SQLite, recount if they had gone."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite") or not {COUNTS, VERSIONS} <= set(
        connection.introspection.table_names()
    ):
        return
    missing = False
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'subs_count_%'")
            missing = cursor.fetchone()[0] < 3
    install_triggers(connection)
    if missing:
        rebuild(connection)
