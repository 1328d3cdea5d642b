"""Backup on the embedded SQLite, restore into the database under test (PostgreSQL in its pass).

The restore runs inside the test's transaction, which is rolled back: the lock triggers would
refuse the row-by-row flush that a transactional test ends with on SQLite. Only the backup
taken during merges needs rows that another connection can see, and runs on PostgreSQL.
"""

import datetime
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction

from registry.models import Award, Decision, Individual
from registry.models.awards import RecipientKind
from registry.services.backup import RestoreError, backup_restore, backup_write, row_counts
from registry.services.demo import demo_load
from registry.services.recipients import recipients_merge

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
        stamps = {
            "individual": db.execute("SELECT id, created_at FROM registry_individual").fetchall(),
            "history": db.execute(
                "SELECT history_id, history_date FROM registry_historicalaward"
            ).fetchall(),
        }
    return {"path": path, "registers": registers, "awards": awards, "stamps": stamps}


def _utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def _rewrite(source: Path, target: Path, *, data=None, manifest=None) -> None:
    """A copy of the archive with data.json and/or the manifest changed."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename == "data.json" and data is not None:
                body = data(body)
            if info.filename == "manifest.json" and manifest is not None:
                body = json.dumps(manifest(json.loads(body)), ensure_ascii=False).encode()
            new.writestr(info.filename, body)


def _flip_bytes(path: Path, member: str) -> None:
    """Damage the member's stored bytes in the middle, as a bad disk or a cut copy would."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    raw = bytearray(path.read_bytes())
    name_len, extra_len = (
        int.from_bytes(raw[info.header_offset + o : info.header_offset + o + 2], "little")
        for o in (26, 28)
    )
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    for i in range(middle, min(middle + 4, start + info.compress_size)):
        raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))


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


@pytest.mark.django_db
def test_timestamps_come_back_to_the_microsecond(sqlite_backup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    backup_restore(path=sqlite_backup["path"])

    stamps = sqlite_backup["stamps"]
    created = {pk: _utc(text) for pk, text in stamps["individual"]}
    history = {pk: _utc(text) for pk, text in stamps["history"]}
    # Django's own JSON would cut these to milliseconds: the test needs some that it would cut.
    assert any(value.microsecond % 1000 for value in [*created.values(), *history.values()])
    assert dict(Individual.objects.values_list("pk", "created_at")) == created
    assert dict(Award.history.values_list("history_id", "history_date")) == history


@pytest.mark.django_db
@pytest.mark.parametrize("member", ["data.json", "media/decisions/2023/qd-15.pdf"])
@pytest.mark.parametrize("checksums", [True, False], ids=["sha256", "older-crc-only"])
def test_a_damaged_member_is_named_and_nothing_is_restored(
    sqlite_backup, settings, tmp_path, member, checksums
):
    settings.MEDIA_ROOT = tmp_path / "media"
    migrated = row_counts()  # what migrate itself puts in: a few rule rows
    damaged = tmp_path / "hong.zip"
    if checksums:
        damaged.write_bytes(sqlite_backup["path"].read_bytes())
    else:  # as written before the manifest carried a sha256 per member
        _rewrite(
            sqlite_backup["path"],
            damaged,
            manifest=lambda m: {k: v for k, v in m.items() if k != "checksums"},
        )
    _flip_bytes(damaged, member)

    with pytest.raises(RestoreError, match=f"bị hỏng ở thành phần {member}"):
        backup_restore(path=damaged)
    assert row_counts() == migrated
    assert migrated["registry.award"] == migrated["registry.individual"] == 0
    assert not (tmp_path / "media").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["hong.zip"]


@pytest.mark.django_db
def test_rows_that_fail_to_load_leave_database_and_files_empty(sqlite_backup, settings, tmp_path):
    """The checksums match, but the rows break a foreign key: what a backup taken table by table
    during a merge used to hold."""
    settings.MEDIA_ROOT = tmp_path / "media"
    migrated = row_counts()  # what migrate itself puts in: a few rule rows

    def without_individuals(body: bytes) -> bytes:
        rows = [r for r in json.loads(body) if r["model"] != "registry.individual"]
        return json.dumps(rows, ensure_ascii=False).encode()

    broken = tmp_path / "thieu.zip"
    _rewrite(sqlite_backup["path"], broken, data=without_individuals)
    with zipfile.ZipFile(broken) as archive:
        sums = {n: hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist()}

    def resummed(manifest):
        manifest["checksums"] = {n: sums[n] for n in manifest["checksums"]}
        return manifest

    resealed = tmp_path / "khong-nap-duoc.zip"
    _rewrite(broken, resealed, manifest=resummed)

    with pytest.raises(RestoreError, match="(?s)Không khôi phục được.*để trống"):
        backup_restore(path=resealed)
    assert row_counts() == migrated
    assert migrated["registry.award"] == migrated["registry.individual"] == 0
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["khong-nap-duoc.zip", "thieu.zip"]


def _merge_until(stop: threading.Event, started: threading.Event, done: list) -> None:
    """A clerk merging people one after another: each individual with awards into the first."""
    try:
        people = list(
            Individual.objects.filter(awards__isnull=False).distinct().order_by("pk")[:300]
        )
        kept = people[0]
        for removed in people[1:]:
            if stop.is_set():
                break
            try:
                recipients_merge(kind=RecipientKind.INDIVIDUAL, kept=kept, removed=removed)
            except ValidationError:
                continue  # a rating for the same year on both: a clerk would fix that first
            done.append(time.monotonic())
            started.set()
    finally:
        started.set()
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_people_are_merged_restores_whole(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs a second connection on a shared database: PostgreSQL pass")
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_load()
    stop, started, done = threading.Event(), threading.Event(), []
    clerk = threading.Thread(target=_merge_until, args=(stop, started, done))
    clerk.start()
    try:
        assert started.wait(60)
        begun = time.monotonic()
        manifest = backup_write(path=tmp_path / "backup.zip")
        ended = time.monotonic()
    finally:
        stop.set()
        clerk.join(120)
    assert any(begun < at < ended for at in done), "no merge landed during the backup"

    call_command("flush", interactive=False, verbosity=0)
    backup_restore(path=tmp_path / "backup.zip")
    assert {k: v for k, v in row_counts().items() if v} == {
        k: v for k, v in manifest["counts"].items() if v
    }
