from pathlib import Path

from django.core.management.base import BaseCommand

from registry.services.backup import backup_write


class Command(BaseCommand):
    help = "Sao lưu toàn bộ sổ (người dùng, nhóm, lịch sử, bản quét, số sổ vàng) vào một tệp."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="Tệp sao lưu sẽ ghi (.zip).")

    def handle(self, *args, output, **options):
        manifest = backup_write(path=Path(output))
        total = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu {total} bản ghi ({manifest['source_vendor']}) vào {output}."
            )
        )
