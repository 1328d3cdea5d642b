"""Database triggers that keep issued decisions and their awards as they were signed.

The services refuse first with a Vietnamese message; these triggers are the last guard for
every other path (a queryset update(), raw SQL, a script). One implementation per backend:
PostgreSQL compares whole rows as JSON, SQLite compares the columns named in the migration
that created the trigger (a test checks that list against the table).
"""

DECISION_LOCKED = (
    "Quyết định đã ban hành: không được sửa hoặc xóa. "
    "Muốn thay đổi, hãy ban hành quyết định hủy bỏ hoặc đính chính."
)
AWARD_LOCKED = (
    "Khen thưởng thuộc quyết định đã ban hành: không được thêm, sửa hoặc xóa. "
    "Muốn thay đổi, hãy ban hành quyết định hủy bỏ hoặc đính chính."
)

# Columns that may still change after issue: the scan is attached after signing; revocation
# is recorded by a later decision.
DECISION_MUTABLE = ("scan",)
AWARD_MUTABLE = ("revoked_by_id", "revocation_reason", "revoked_on")
# The recipient of an issued award changes only when two records of one person are merged,
# and only along a merge already recorded in registry_recipientmerge (kind, removed -> kept).
AWARD_RECIPIENTS = {
    "collective_id": "tap-the",
    "individual_id": "ca-nhan",
    "household_id": "ho-gia-dinh",
}


def _merge_guard(column: str, kind: str, *, sqlite: bool = False) -> str:
    """SQL true when the column did not change, or changed along a recorded merge."""
    quote, same = ('"', "IS") if sqlite else ("", "IS NOT DISTINCT FROM")
    new, old = f"NEW.{quote}{column}{quote}", f"OLD.{quote}{column}{quote}"
    return (
        f"({new} {same} {old} OR EXISTS (SELECT 1 FROM registry_recipientmerge m "
        f"WHERE m.recipient_kind = '{kind}' AND m.removed_id = {old} AND m.kept_id = {new}))"
    )


def _pg_json_minus(row: str, columns: tuple[str, ...]) -> str:
    keys = ", ".join(f"'{c}'" for c in columns)
    return f"(to_jsonb({row}) - ARRAY[{keys}]::text[])"


def postgresql_sql() -> list[str]:
    return [
        f"""
CREATE OR REPLACE FUNCTION registry_decision_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'issued' AND (TG_OP = 'DELETE'
        OR {_pg_json_minus("NEW", DECISION_MUTABLE)} IS DISTINCT FROM {_pg_json_minus("OLD", DECISION_MUTABLE)}) THEN
        RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{DECISION_LOCKED}';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;
""",
        "DROP TRIGGER IF EXISTS registry_decision_lock ON registry_decision;",
        """CREATE TRIGGER registry_decision_lock BEFORE UPDATE OR DELETE ON registry_decision
           FOR EACH ROW EXECUTE FUNCTION registry_decision_lock();""",
        f"""
CREATE OR REPLACE FUNCTION registry_award_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
        SELECT 1 FROM registry_decision WHERE id = OLD.decision_id AND status = 'issued'
    ) AND (TG_OP = 'DELETE'
        OR {_pg_json_minus("NEW", AWARD_MUTABLE + tuple(AWARD_RECIPIENTS))} IS DISTINCT FROM {_pg_json_minus("OLD", AWARD_MUTABLE + tuple(AWARD_RECIPIENTS))}
        OR NOT ({" AND ".join(_merge_guard(c, k) for c, k in AWARD_RECIPIENTS.items())})) THEN
        RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{AWARD_LOCKED}';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    IF (TG_OP = 'INSERT' OR NEW.decision_id IS DISTINCT FROM OLD.decision_id) AND EXISTS (
        SELECT 1 FROM registry_decision WHERE id = NEW.decision_id AND status = 'issued'
    ) THEN
        RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{AWARD_LOCKED}';
    END IF;
    RETURN NEW;
END $$;
""",
        "DROP TRIGGER IF EXISTS registry_award_lock ON registry_award;",
        """CREATE TRIGGER registry_award_lock BEFORE INSERT OR UPDATE OR DELETE ON registry_award
           FOR EACH ROW EXECUTE FUNCTION registry_award_lock();""",
    ]


SQLITE_TRIGGERS = (
    "registry_decision_lock_update",
    "registry_decision_lock_delete",
    "registry_award_lock_insert",
    "registry_award_lock_update",
    "registry_award_lock_delete",
)


def _sqlite_changed(columns: list[str]) -> str:
    return " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in columns)


def sqlite_sql(decision_columns: list[str], award_columns: list[str]) -> list[str]:
    """decision_columns / award_columns: every column of the table, as the migration knows it."""
    decision_locked = [c for c in decision_columns if c not in DECISION_MUTABLE]
    award_locked = [c for c in award_columns if c not in AWARD_MUTABLE + tuple(AWARD_RECIPIENTS)]
    merges = " AND ".join(_merge_guard(c, k, sqlite=True) for c, k in AWARD_RECIPIENTS.items())
    issued = "(SELECT status FROM registry_decision WHERE id = {row}.decision_id) = 'issued'"
    drop = [f"DROP TRIGGER IF EXISTS {name};" for name in SQLITE_TRIGGERS]
    return drop + [
        f"""CREATE TRIGGER registry_decision_lock_update BEFORE UPDATE ON registry_decision
FOR EACH ROW WHEN OLD.status = 'issued' AND ({_sqlite_changed(decision_locked)})
BEGIN SELECT RAISE(ABORT, '{DECISION_LOCKED}'); END;""",
        f"""CREATE TRIGGER registry_decision_lock_delete BEFORE DELETE ON registry_decision
FOR EACH ROW WHEN OLD.status = 'issued'
BEGIN SELECT RAISE(ABORT, '{DECISION_LOCKED}'); END;""",
        f"""CREATE TRIGGER registry_award_lock_insert BEFORE INSERT ON registry_award
FOR EACH ROW WHEN {issued.format(row="NEW")}
BEGIN SELECT RAISE(ABORT, '{AWARD_LOCKED}'); END;""",
        f"""CREATE TRIGGER registry_award_lock_update BEFORE UPDATE ON registry_award
FOR EACH ROW WHEN ({issued.format(row="OLD")} AND ({_sqlite_changed(award_locked)} OR NOT ({merges})))
    OR (NEW.decision_id IS NOT OLD.decision_id AND {issued.format(row="NEW")})
BEGIN SELECT RAISE(ABORT, '{AWARD_LOCKED}'); END;""",
        f"""CREATE TRIGGER registry_award_lock_delete BEFORE DELETE ON registry_award
FOR EACH ROW WHEN {issued.format(row="OLD")}
BEGIN SELECT RAISE(ABORT, '{AWARD_LOCKED}'); END;""",
    ]


def uninstall(schema_editor) -> None:
    """Drop the triggers, e.g. before SQLite rebuilds one of the two tables; install again after."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS registry_award_lock ON registry_award;")
        schema_editor.execute("DROP TRIGGER IF EXISTS registry_decision_lock ON registry_decision;")
    else:
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


def install(schema_editor, decision_columns: list[str], award_columns: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = postgresql_sql()
    elif vendor == "sqlite":
        statements = sqlite_sql(decision_columns, award_columns)
    else:
        raise NotImplementedError(f"Chưa hỗ trợ cơ sở dữ liệu {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)
