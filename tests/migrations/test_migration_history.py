"""Offices run databases built by the migrations as they stood at 0009 (kept frozen in
tests/data/migrations_0009). Today's migrations must carry such a database forward with its
data and locks, build the same schema from scratch, and undo all the way to zero and back.

Every step runs in a process of its own (tests.migrations.history) against one throwaway
database for the module: a SQLite file in the SQLite pass; in the PostgreSQL pass a database of
its own on the server of DATABASE_URL, dropped afterwards.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
FROZEN = "tests.data.migrations_0009"

# Writes the locks refuse once the decision is issued, and writes they still allow.
REFUSED = (
    "issued_award_achievement",
    "issued_award_delete",
    "issued_award_recipient",
    "issued_decision_delete",
    "issued_decision_subject",
)
ALLOWED = ("issued_decision_scan", "draft_award_achievement")


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    if not _is_postgres(url):
        yield f"sqlite:///{tmp_path_factory.mktemp('history') / 'registry.sqlite3'}"
        return
    import psycopg

    name = f"registry_history_{os.getpid()}"
    parts = urlsplit(url)

    def admin(sql: str) -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _steps(database_url: str, var_dir: Path, *steps: str, migrations: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.migrations.settings_fixture",
        "REGISTRY_MIGRATIONS": migrations,
        "DATABASE_URL": database_url,
        "REGISTRY_VAR_DIR": str(var_dir),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.migrations.history", *steps],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, f"{steps} with {migrations} failed:\n{result.stderr[-6000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def reports(database_url, tmp_path_factory) -> dict:
    """One database through its whole life; the tests read what each stage reported."""
    var_dir = tmp_path_factory.mktemp("var")
    built = _steps(database_url, var_dir, "migrate", "seed", "report:fixture", migrations=FROZEN)
    upgraded = _steps(
        database_url,
        var_dir,
        "migrate",
        "report:upgraded",
        "migrate registry zero",
        "schema:zero",
        "migrate registry 0009_report_indexes",
        "schema:today_0009",
        "migrate",
        "seed",
        "report:rebuilt",
        migrations="registry.migrations",
    )
    return {**built, **upgraded}


# The lock triggers at 0009: five on SQLite, two (with their functions) on PostgreSQL.
LOCK_TRIGGERS = {
    "sqlite": {
        "registry_decision_lock_update",
        "registry_decision_lock_delete",
        "registry_award_lock_insert",
        "registry_award_lock_update",
        "registry_award_lock_delete",
    },
    "postgresql": {"registry_decision_lock", "registry_award_lock"},
}


def _triggers(schema: dict) -> set[str]:
    if "objects" in schema:  # SQLite: "trigger NAME"
        return {key.split(" ", 1)[1] for key in schema["objects"] if key.startswith("trigger ")}
    return {key.split(".", 1)[1] for key in schema["triggers"]}  # PostgreSQL: "TABLE.NAME"


def _differences(before: dict, after: dict) -> list[str]:
    """Names of the schema objects that differ, for a readable failure."""
    out = []
    for kind in sorted(before.keys() | after.keys()):
        a, b = before.get(kind, {}), after.get(kind, {})
        out += [f"{kind}: {key}" for key in sorted(a.keys() | b.keys()) if a.get(key) != b.get(key)]
    return out


def test_upgrade_keeps_the_office_data(reports):
    before, after = reports["fixture"]["data"], reports["upgraded"]["data"]
    assert [row[:2] for row in before["decisions"]] == [
        ["15/QĐ-UBND", "issued"],
        ["16/QĐ-UBND", "draft"],
    ]
    assert [row[4] for row in before["awards"]] == [1, 2, None]  # register numbers
    assert after == before


@pytest.mark.parametrize("stage", ["fixture", "upgraded", "rebuilt"])
def test_locks_refuse_rewriting_an_issued_decision(reports, stage):
    locks = reports[stage]["locks"]
    for write in REFUSED:
        assert locks[write]["refused"], f"{stage}: {write} was allowed"
        assert "đã ban hành" in locks[write]["message"], locks[write]["message"]
    for write in ALLOWED:
        assert locks[write] == {"refused": False, "rows": 1}, f"{stage}: {write}"


def test_today_migrations_build_the_office_schema_at_0009(reports):
    """An office database needs nothing: 0001-0009 as they are now make what they made then."""
    office = reports["fixture"]["schema"]
    assert all(office.values()), "the schema report found nothing to compare"
    vendor = "sqlite" if "objects" in office else "postgresql"
    assert _triggers(office) == LOCK_TRIGGERS[vendor]
    assert _differences(reports["fixture"]["schema"], reports["today_0009"]["schema"]) == []


def test_upgraded_database_equals_one_built_from_scratch(reports):
    assert _differences(reports["upgraded"]["schema"], reports["rebuilt"]["schema"]) == []


def test_zero_leaves_no_registry_table_trigger_or_function(reports):
    schema = reports["zero"]["schema"]
    assert {kind: objects for kind, objects in schema.items() if objects} == {}


def test_migrations_do_not_import_the_live_lock_module():
    """registry.dblocks changes with the code; a migration must keep the SQL it ran."""
    for path in sorted((ROOT / "registry" / "migrations").glob("[0-9]*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any("dblocks" in name for name in names), f"{path.name}: {names}"
