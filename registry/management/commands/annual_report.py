"""python manage.py annual_report --year 2022 --authority vanlang-ubnd --format xlsx -o bc.xlsx"""

import io
import sys

from django.core.management.base import BaseCommand, CommandError

from registry.management.scoped import (
    add_user_argument,
    ensure_in_scope,
    require_authority,
    user_from_options,
)
from registry.models import Authority
from registry.selectors.reports import BASES, annual_summary
from registry.services.report_exports import report_json, report_pdf, report_xlsx

FORMATS = ("xlsx", "pdf", "json")


class Command(BaseCommand):
    help = (
        "Lập báo cáo tổng hợp khen thưởng năm (kèm biểu 0601.N, 0602.N, 0603.N) "
        "ra tệp Excel, PDF hoặc JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="Năm báo cáo, ví dụ 2022.")
        parser.add_argument(
            "--authority", help="Mã cấp khen, ví dụ vanlang-ubnd. Bỏ trống: toàn bộ sổ."
        )
        parser.add_argument(
            "--subtree", action="store_true", help="Gồm cả các cấp khen trực thuộc."
        )
        parser.add_argument(
            "--with-predecessors",
            action="store_true",
            help="Gồm cả khen thưởng của các cấp tiền nhiệm đã chấm dứt (ví dụ huyện trước "
            "01/7/2025 của một xã mới).",
        )
        parser.add_argument(
            "--basis",
            choices=BASES,
            default="achievement",
            help="achievement: năm thành tích (mặc định); decision: năm ký quyết định.",
        )
        parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
        parser.add_argument(
            "-o", "--output", required=True, help="Tệp kết quả; '-' để ghi ra màn hình (stdout)."
        )
        add_user_argument(parser)

    def handle(
        self, *args, year, authority, subtree, with_predecessors, basis, fmt, output, **options
    ):
        user = user_from_options(options, stderr=self.stderr, perms=("registry.view_award",))
        if not 1945 <= year <= 2100:
            raise CommandError(f"Năm {year} không hợp lệ: hãy ghi năm trong khoảng 1945–2100.")
        found = None
        if authority:
            found = Authority.objects.filter(code=authority).first()
            if found is None:
                raise CommandError(
                    f"Không có cấp khen mã '{authority}'. Xem mã trong trang Cấp khen thưởng "
                    "của trang quản trị."
                )
        elif subtree or with_predecessors:
            raise CommandError(
                "--subtree và --with-predecessors cần đi kèm --authority (cấp khen gốc)."
            )
        require_authority(user, found)
        if found is not None:
            ensure_in_scope(user, found)
        summary = annual_summary(
            year=year,
            authority=found,
            subtree=subtree,
            basis=basis,
            with_predecessors=with_predecessors,
        )
        if fmt == "json":
            data = report_json(summary).encode("utf-8")
        elif fmt == "pdf":
            data = report_pdf(summary)
        else:
            buffer = io.BytesIO() if output == "-" else None
            if buffer is None:
                report_xlsx(summary, output)
                return
            report_xlsx(summary, buffer)
            data = buffer.getvalue()
        if output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            with open(output, "wb") as fh:
                fh.write(data)
