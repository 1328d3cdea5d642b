"""python manage.py import_honorees FILE --decision ID [--award-type CODE] [--user NAME] [--dry-run]"""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.management.scoped import (
    add_user_argument,
    ensure_in_scope,
    in_scope_or_error,
    user_from_options,
)
from registry.models import Authority, Decision, ImportKind
from registry.services.imports import (
    FileProblem,
    award_type_by_code,
    check_upload_size,
    import_confirm,
    import_preview,
    import_report,
    problems_as_text,
)


class ImportCommand(BaseCommand):
    """The command-line face of registry.services.imports: preview, then confirm."""

    kind = ""
    perms: tuple[str, ...] = ()

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .xlsx")
        add_user_argument(parser)
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi gì.")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def target(self, options, user) -> dict:
        raise NotImplementedError

    def handle(self, *args, **options):
        user = user_from_options(options, stderr=self.stderr, perms=self.perms)
        path = Path(options["file"])
        try:
            # Refused by its size before it is read into memory.
            check_upload_size(path.stat().st_size)
            data = path.read_bytes()
        except FileProblem as problem:
            raise CommandError(f"Tệp {path}: {problem}") from None
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}") from exc
        try:
            target = self.target(options, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        batch = import_preview(kind=self.kind, data=data, file_name=path.name, user=user, **target)
        report = import_report(batch)
        errors = report["errors"]
        if not errors and not options["dry_run"] and batch.pk:
            try:
                batch = import_confirm(batch=batch, user=user)
            except ValidationError as exc:
                errors += [
                    {"sheet": None, "row": None, "column": None, "message": m} for m in exc.messages
                ]
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            counts = batch.payload.get("counts", {})
            self.stdout.write(
                f"{counts.get('lines', 0)} dòng: {report['collectives']} tập thể, "
                f"{report['individuals']} cá nhân, {report['households']} hộ gia đình; "
                f"{report['new_recipients']} mới, {report['matched_recipients']} đã có trong sổ, "
                f"{report['unchanged']} không đổi."
            )
            for note in batch.payload.get("notes", []):
                self.stdout.write(note)
            for line in problems_as_text(errors):
                self.stderr.write(line)
            if not errors:
                done = "Chạy thử: chưa ghi gì." if options["dry_run"] else "Đã nhập."
                self.stdout.write(done)
        if errors:
            raise SystemExit(1)


class Command(ImportCommand):
    help = "Nhập danh sách khen thưởng (.xlsx) vào một quyết định dự thảo."
    kind = ImportKind.HONOREES
    perms = ("registry.change_decision", "registry.add_award")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--decision", type=int, required=True, help="Mã (ID) quyết định")
        parser.add_argument("--award-type", help="Mã hình thức khen thưởng dùng khi tệp không ghi")

    def target(self, options, user) -> dict:
        decision = in_scope_or_error(
            Decision.objects.select_related("authority"),
            user,
            "authority",
            options["decision"],
            label="Quyết định",
        )
        award_type = award_type_by_code(options["award_type"]) if options["award_type"] else None
        return {"decision": decision, "award_type": award_type}


def authority_by_code(code: str, user=None) -> Authority:
    try:
        authority = Authority.objects.get(code=code)
    except Authority.DoesNotExist as exc:
        raise CommandError(f"Không có cấp khen thưởng mã “{code}”.") from exc
    ensure_in_scope(user, authority)
    return authority
