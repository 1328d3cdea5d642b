"""python manage.py print_jobs_sweep  (from cron, e.g. every five minutes)"""

from django.conf import settings
from django.core.management.base import BaseCommand

from registry.services.certificates import print_jobs_sweep


class Command(BaseCommand):
    help = (
        "Đánh dấu lỗi các lượt in giấy khen đang chờ hoặc đang in mà không tiến triển quá "
        "PRINT_STALE_SECONDS giây (tiến trình in nền đã dừng), để người in chạy lại."
    )

    def handle(self, *args, **options):
        marked = print_jobs_sweep()
        limit = settings.PRINT_STALE_SECONDS
        if marked:
            self.stdout.write(
                f"Đã đánh dấu lỗi {marked} lượt in không tiến triển quá {limit} giây; "
                "người in có thể bấm “Chạy lại lượt in”."
            )
        else:
            self.stdout.write(f"Không có lượt in nào dừng quá {limit} giây.")
