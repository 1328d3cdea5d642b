"""Backup on the embedded SQLite, restore into the database under test (PostgreSQL in its pass).

The restore runs inside the test's transaction, which is rolled back: the lock triggers would
refuse the row-by-row flush that a transactional test ends with on SQLite.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from registry.models import Award, Decision
from registry.services.backup import RestoreError, backup_restore, row_counts

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory):
    """An office's SQLite registry with the demo data, a user and a scan, backed up to one file."""
    var = tmp_path_factory.mktemp("office")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DEBUG": "1", "REGISTRY_VAR_DIR": str(var)})
    manage("migrate", "-v0", env=env)
    manage("load_demo", env=env)
    manage("ensure_demo_admin", env=env)
    scan = var / "media" / "decisions" / "2023" / "qd-15.pdf"
    scan.parent.mkdir(parents=True)
    scan.write_bytes(b"%PDF-1.4 scan")
    path = var / "backup.zip"
    manage("backup", "-o", str(path), env=env)
    with sqlite3.connect(var / "registry.sqlite3") as db:
        registers = sorted(
            db.execute(
                "SELECT a.code, w.register_number, w.verification_code FROM registry_award w "
                "JOIN registry_authority a ON a.id = w.authority_id"
            ).fetchall()
        )
        awards = db.execute("SELECT count(*) FROM registry_award").fetchone()[0]
    return {"path": path, "registers": registers, "awards": awards}


@pytest.mark.django_db
def test_restore_gives_back_every_row_register_number_user_and_scan(
    sqlite_backup, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    manifest = backup_restore(path=sqlite_backup["path"])

    assert manifest["source_vendor"] == "sqlite"
    counts = row_counts()
    assert {k: v for k, v in counts.items() if v} == {
        k: v for k, v in manifest["counts"].items() if v
    }
    assert Award.objects.count() == sqlite_backup["awards"] > 100
    registers = sorted(
        Award.objects.values_list("authority__code", "register_number", "verification_code")
    )
    assert registers == sqlite_backup["registers"]
    assert Decision.objects.filter(status="issued").count() == Decision.objects.count()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("thidua2023")
    assert (
        tmp_path / "media" / "decisions" / "2023" / "qd-15.pdf"
    ).read_bytes() == b"%PDF-1.4 scan"
    # Restored decisions are still locked, and new rows get fresh ids after the restored ones.
    with pytest.raises(IntegrityError, match="đã ban hành"), transaction.atomic():
        Decision.objects.update(subject="x")
    assert get_user_model().objects.create(username="moi").pk > admin.pk


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(sqlite_backup):
    get_user_model().objects.create(username="co-san")
    with pytest.raises(RestoreError, match="đã có dữ liệu"):
        backup_restore(path=sqlite_backup["path"])
    assert Award.objects.count() == 0


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "khong-phai.zip"
    bogus.write_text("xin chào")
    with pytest.raises(RestoreError, match="không phải tệp sao lưu"):
        backup_restore(path=bogus)
