"""One-file backup of everything the registry holds, and its restore into an empty database.

The file is a zip: manifest.json (format, source database, migrations, row counts, a sha256 per
member), data.json (Django's serializer format, timestamps to the microsecond) and media/
(uploaded scans and generated files). A backup taken on SQLite restores into PostgreSQL: that
is how an office moves up.
"""

import datetime
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "so-thi-dua-backup/1"
MANIFEST = "manifest.json"
DATA = "data.json"
_CHUNK = 1 << 20
# Sessions and the workers' heartbeats are not worth keeping; permissions and content types
# are rebuilt by migrate and referred to by natural key.
_SKIPPED = {
    "sessions.session",
    "contenttypes.contenttype",
    "auth.permission",
    "registry.workerheartbeat",
}
# Award lines go in before their decisions: an issued decision refuses new lines (the lock
# trigger), but lines whose decision is not there yet are let in, and foreign keys are checked
# at the end of the transaction.
_FIRST = ["registry.award"]
# What reading a damaged member can raise: bad CRC, broken deflate stream, cut-off data, a
# header whose flags no longer make sense.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


class RestoreError(Exception):
    pass


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes and times to milliseconds; a backup keeps them whole."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


def _models_in_order():
    models = [
        m
        for m in serializers.sort_dependencies(
            [(config, None) for config in apps.get_app_configs()], allow_cycles=True
        )
        if m._meta.label_lower not in _SKIPPED and m._meta.managed and not m._meta.proxy
    ]
    first = [m for m in models if m._meta.label_lower in _FIRST]
    return first + [m for m in models if m not in first]


def _applied_migrations() -> list[str]:
    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


@contextmanager
def _snapshot():
    """Every read of the backup sees the database at one instant, whatever clerks do meanwhile.

    Table-by-table reads in autocommit let a merge land between the people and the award lines,
    and the file then refuses to restore.
    """
    if connection.in_atomic_block:
        # The caller's transaction already fixes what is seen; an isolation level can only be
        # set as its first statement.
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # A plain (deferred) BEGIN: a read transaction, not the write lock the settings'
        # IMMEDIATE would take. Without WAL, writers still wait for it to end (busy timeout).
        connection.ensure_connection()
        mode = connection.transaction_mode
        connection.transaction_mode = None
        try:
            with transaction.atomic():
                connection.transaction_mode = mode
                yield
        finally:
            connection.transaction_mode = mode
    else:
        with transaction.atomic():
            yield


class _HashingWriter:
    """A text stream over the zip member that hashes what it writes, so the serializer streams."""

    def __init__(self, binary):
        self.binary = binary
        self.sha256 = hashlib.sha256()

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.sha256.update(data)
        return self.binary.write(data)

    def flush(self) -> None:
        pass


def backup_write(*, path: Path) -> dict:
    """Write the backup file from one consistent snapshot; returns the manifest.

    The file appears at `path` only once complete: a failed backup leaves no half file behind.
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    media_root = Path(settings.MEDIA_ROOT)
    checksums: dict[str, str] = {}
    try:
        with (
            _snapshot(),
            zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            counts: Counter = Counter()
            querysets = []
            for model in _models_in_order():
                queryset = model._default_manager.order_by("pk")
                counts[model._meta.label_lower] = queryset.count()
                querysets.append(queryset)
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "source_vendor": connection.vendor,
                "migrations": _applied_migrations(),
                "counts": dict(counts),
            }
            with archive.open(DATA, "w") as stream:
                writer = _HashingWriter(stream)
                serializers.serialize(
                    "json",
                    (obj for qs in querysets for obj in qs.iterator(chunk_size=2000)),
                    stream=writer,
                    cls=_ExactEncoder,
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=False,
                )
            checksums[DATA] = writer.sha256.hexdigest()
            if media_root.exists():
                for file in sorted(media_root.rglob("*")):
                    if file.is_file():
                        name = f"media/{file.relative_to(media_root).as_posix()}"
                        checksums[name] = _copy_into(archive, file, name)
            manifest["checksums"] = checksums
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _copy_into(archive: zipfile.ZipFile, file: Path, name: str) -> str:
    sha256 = hashlib.sha256()
    with file.open("rb") as source, archive.open(name, "w") as target:
        while chunk := source.read(_CHUNK):
            sha256.update(chunk)
            target.write(chunk)
    return sha256.hexdigest()


def _member_sha256(archive: zipfile.ZipFile, name: str) -> str:
    """Read the member to its end, which also makes zipfile check its CRC."""
    sha256 = hashlib.sha256()
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(_CHUNK):
                sha256.update(chunk)
    except _DAMAGED as error:
        raise RestoreError(
            f"Tệp sao lưu bị hỏng ở thành phần {name} ({error}). Không có gì được khôi phục; "
            "hãy dùng một bản sao lưu khác."
        ) from error
    return sha256.hexdigest()


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    if MANIFEST not in archive.namelist():
        raise RestoreError(f"Tệp sao lưu thiếu {MANIFEST}.")
    try:
        with archive.open(MANIFEST) as stream:
            manifest = json.loads(stream.read())
    except (*_DAMAGED, json.JSONDecodeError) as error:
        raise RestoreError(
            f"Tệp sao lưu bị hỏng ở thành phần {MANIFEST} ({error}). Không có gì được khôi phục; "
            "hãy dùng một bản sao lưu khác."
        ) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise RestoreError(f"Định dạng sao lưu {found!r} không được hỗ trợ.")
    for key in ("migrations", "counts"):
        if key not in manifest:
            raise RestoreError(f"{MANIFEST} trong tệp sao lưu thiếu mục {key!r}.")
    return manifest


def _check_members(archive: zipfile.ZipFile, manifest: dict, media_root: Path) -> list[str]:
    """Every member whole before anything is written; returns the media members."""
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    if DATA not in names:
        raise RestoreError(f"Tệp sao lưu thiếu {DATA}.")
    media = [name for name in names if name.startswith("media/")]
    root = media_root.resolve()
    for name in media:
        if root not in (root / name.removeprefix("media/")).resolve().parents:
            raise RestoreError(
                f"Thành phần {name} của tệp sao lưu trỏ ra ngoài thư mục tệp; không khôi phục."
            )
    checksums = manifest.get("checksums")
    if checksums is not None:
        missing = sorted(set(checksums) - set(names))
        if missing:
            raise RestoreError("Tệp sao lưu thiếu thành phần " + ", ".join(missing[:5]) + ".")
        unknown = sorted(set(names) - set(checksums) - {MANIFEST})
        if unknown:
            raise RestoreError(
                "Tệp sao lưu có thành phần không ghi trong manifest: "
                + ", ".join(unknown[:5])
                + "."
            )
    for name in names:
        if name == MANIFEST:
            continue  # read whole, so CRC-checked, by _read_manifest
        digest = _member_sha256(archive, name)
        if checksums is not None and digest != checksums[name]:
            raise RestoreError(
                f"Tệp sao lưu bị hỏng ở thành phần {name}: mã kiểm tra SHA-256 không khớp. "
                "Không có gì được khôi phục; hãy dùng một bản sao lưu khác."
            )
    return media


def _database_is_empty() -> bool:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    checked = [
        user_model,
        apps.get_model("registry", "Authority"),
        apps.get_model("registry", "Decision"),
    ]
    return not any(model._default_manager.exists() for model in checked)


def _check_target(manifest: dict) -> None:
    if not _database_is_empty():
        raise RestoreError(
            "Cơ sở dữ liệu đích đã có dữ liệu. Chỉ khôi phục vào cơ sở dữ liệu trống "
            "(đã chạy migrate, chưa nạp dữ liệu)."
        )
    wanted, applied = set(manifest["migrations"]), set(_applied_migrations())
    missing = sorted(wanted - applied)
    if missing:
        raise RestoreError(
            "Cơ sở dữ liệu đích chưa chạy đủ migrate: thiếu " + ", ".join(missing[:5])
        )
    extra = sorted(applied - wanted)
    if extra:
        # Rows from an older schema would load without what the newer migrations added.
        raise RestoreError(
            "Cơ sở dữ liệu đích có migration mới hơn bản sao lưu: "
            + ", ".join(extra[:5])
            + ". Hãy khôi phục vào cơ sở dữ liệu migrate đúng tới bản sao lưu "
            "(manage.py migrate <ứng dụng> <migration>), rồi chạy migrate tiếp."
        )


def backup_restore(*, path: Path) -> dict:
    """Load a backup into an empty, migrated database and MEDIA_ROOT; all or nothing.

    The whole archive is checked first. Then the rows load in one transaction and the files,
    unpacked beside MEDIA_ROOT, move in as its last step: any failure, the commit included,
    rolls the rows back and takes the moved files out again.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise RestoreError(
            f"Tệp {path} không phải tệp sao lưu của sổ thi đua ({error})."
        ) from error
    media_root = Path(settings.MEDIA_ROOT)
    with archive:
        manifest = _read_manifest(archive)
        media = _check_members(archive, manifest, media_root)
        _check_target(manifest)
        media_root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=media_root.parent))
        moved: list[tuple[Path, Path | None]] = []
        try:
            data_path = staging / DATA
            _extract(archive, DATA, data_path)
            for name in media:
                _extract(archive, name, staging / name)
            try:
                with transaction.atomic():
                    call_command("loaddata", str(data_path), verbosity=0)
                    _reset_sequences()
                    _check_counts(manifest)
                    _move_media(staging, media, media_root, moved)
            except RestoreError:
                _undo_moves(moved)
                raise
            except Exception as error:
                _undo_moves(moved)
                raise RestoreError(
                    f"Không khôi phục được: {str(error).rstrip('. ')}. Cơ sở dữ liệu và thư mục tệp đích được "
                    "để trống như trước."
                ) from error
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _extract(archive: zipfile.ZipFile, name: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(name) as source, target.open("wb") as out:
        shutil.copyfileobj(source, out, _CHUNK)


def _check_counts(manifest: dict) -> None:
    counts = row_counts()
    wrong = [
        f"{label} ({counts.get(label, 0)} thay vì {expected})"
        for label, expected in sorted(manifest["counts"].items())
        if counts.get(label, 0) != expected
    ]
    if wrong:
        raise RestoreError(
            "Số bản ghi sau khi nạp không khớp manifest: " + ", ".join(wrong[:5]) + "."
        )


def _move_media(staging: Path, media: list[str], media_root: Path, moved: list) -> None:
    """Into MEDIA_ROOT by rename (same file system); a file already there is set aside."""
    for name in media:
        target = media_root / name.removeprefix("media/")
        target.parent.mkdir(parents=True, exist_ok=True)
        aside = None
        if target.exists():
            aside = staging / "aside" / name
            aside.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, aside)
        moved.append((target, aside))
        os.replace(staging / name, target)


def _undo_moves(moved: list[tuple[Path, Path | None]]) -> None:
    for target, aside in reversed(moved):
        target.unlink(missing_ok=True)
        if aside is not None:
            os.replace(aside, target)


def _reset_sequences() -> None:
    models = [m for m in _models_in_order()]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def row_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in _models_in_order()}
