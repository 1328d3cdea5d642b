from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.services.backup import RestoreError, backup_restore


class Command(BaseCommand):
    help = "Khôi phục tệp sao lưu vào một cơ sở dữ liệu trống (đã migrate)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp sao lưu (.zip) do lệnh backup tạo.")

    def handle(self, *args, file, **options):
        try:
            manifest = backup_restore(path=Path(file))
        except RestoreError as error:
            raise CommandError(str(error)) from error
        total = sum(manifest["counts"].values())
        if "checksums" not in manifest:
            self.stdout.write(
                "Bản sao lưu cũ không có mã kiểm tra SHA-256: đã kiểm tra bằng CRC của từng "
                "thành phần trong tệp zip."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục {total} bản ghi từ bản sao lưu {manifest['source_vendor']} "
                f"ngày {manifest['created_at'][:10]}."
            )
        )
