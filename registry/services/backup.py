"""One-file backup of everything the registry holds, and its restore into an empty database.

The file is a zip: manifest.json (format, source database, migrations, row counts),
data.json (Django's serializer format) and media/ (uploaded scans and generated files).
A backup taken on SQLite restores into PostgreSQL: that is how an office moves up.
"""

import json
import zipfile
from collections import Counter
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "so-thi-dua-backup/1"
# Sessions are not worth keeping; permissions and content types are rebuilt by migrate and
# referred to by natural key.
_SKIPPED = {"sessions.session", "contenttypes.contenttype", "auth.permission"}
# Award lines go in before their decisions: an issued decision refuses new lines (the lock
# trigger), but lines whose decision is not there yet are let in, and foreign keys are checked
# at the end of the transaction.
_FIRST = ["registry.award"]


class RestoreError(Exception):
    pass


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


def backup_write(*, path: Path) -> dict:
    """Write the backup file; returns the manifest."""
    counts: Counter = Counter()
    objects = []
    for model in _models_in_order():
        queryset = model._default_manager.order_by("pk")
        counts[model._meta.label_lower] = queryset.count()
        objects.append(queryset.iterator(chunk_size=2000))

    def every_object():
        for chunk in objects:
            yield from chunk

    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "source_vendor": connection.vendor,
        "migrations": _applied_migrations(),
        "counts": dict(counts),
    }
    media_root = Path(settings.MEDIA_ROOT)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("data.json", "w") as stream, _TextWriter(stream) as text:
            serializers.serialize(
                "json",
                every_object(),
                stream=text,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=False,
            )
        if media_root.exists():
            for file in sorted(media_root.rglob("*")):
                if file.is_file():
                    archive.write(file, f"media/{file.relative_to(media_root).as_posix()}")
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


class _TextWriter:
    """A text stream over the zip member, so the serializer writes without holding it all."""

    def __init__(self, binary):
        self.binary = binary

    def write(self, text: str) -> int:
        return self.binary.write(text.encode("utf-8"))

    def flush(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _database_is_empty() -> bool:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    checked = [
        user_model,
        apps.get_model("registry", "Authority"),
        apps.get_model("registry", "Decision"),
    ]
    return not any(model._default_manager.exists() for model in checked)


def backup_restore(*, path: Path) -> dict:
    """Load a backup into an empty, migrated database; all or nothing."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, FileNotFoundError) as error:
        raise RestoreError(
            f"Tệp {path} không phải tệp sao lưu của sổ thi đua ({error})."
        ) from error
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except KeyError as error:
            raise RestoreError("Tệp sao lưu thiếu manifest.json.") from error
        if manifest.get("format") != FORMAT:
            raise RestoreError(f"Định dạng sao lưu {manifest.get('format')!r} không được hỗ trợ.")
        if not _database_is_empty():
            raise RestoreError(
                "Cơ sở dữ liệu đích đã có dữ liệu. Chỉ khôi phục vào cơ sở dữ liệu trống "
                "(đã chạy migrate, chưa nạp dữ liệu)."
            )
        missing = sorted(set(manifest["migrations"]) - set(_applied_migrations()))
        if missing:
            raise RestoreError(
                "Cơ sở dữ liệu đích chưa chạy đủ migrate: thiếu " + ", ".join(missing[:5])
            )
        data_path = (
            Path(settings.MEDIA_ROOT).parent / f".restore-{timezone.now():%Y%m%d%H%M%S}.json"
        )
        data_path.parent.mkdir(parents=True, exist_ok=True)
        data_path.write_bytes(archive.read("data.json"))
        try:
            with transaction.atomic():
                call_command("loaddata", str(data_path), verbosity=0)
                _reset_sequences()
        finally:
            data_path.unlink(missing_ok=True)
        media_root = Path(settings.MEDIA_ROOT)
        for name in archive.namelist():
            if name.startswith("media/") and not name.endswith("/"):
                target = (media_root / name.removeprefix("media/")).resolve()
                if media_root.resolve() not in target.parents:
                    continue  # never write outside MEDIA_ROOT, whatever the file says
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
    return manifest


def _reset_sequences() -> None:
    models = [m for m in _models_in_order()]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def row_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in _models_in_order()}
