"""python manage.py import_batches_clear  (from cron, e.g. nightly)"""

from django.conf import settings
from django.core.management.base import BaseCommand

from registry.services.imports import import_batches_clear


class Command(BaseCommand):
    help = (
        "Xóa các bản xem trước nhập danh sách chưa được xác nhận quá IMPORT_PREVIEW_DAYS ngày "
        "(mỗi bản giữ cả danh sách đã đọc)."
    )

    def handle(self, *args, **options):
        deleted = import_batches_clear()
        days = settings.IMPORT_PREVIEW_DAYS
        self.stdout.write(f"Đã xóa {deleted} bản xem trước chưa xác nhận quá {days} ngày.")
