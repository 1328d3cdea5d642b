"""python manage.py print_certificates --decision ID [--overlay] [--reprint] [--calibration] -o FILE.pdf"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.management.scoped import add_user_argument, in_scope_or_error, user_from_options
from registry.models import Decision
from registry.models.printing import PRINT_PERMISSION, PrintMode
from registry.services.certificates import (
    certificates_calibration,
    certificates_render_to,
    decision_certificate_awards,
)


class Command(BaseCommand):
    help = "In giấy khen của một quyết định thành một tệp PDF (mỗi dòng khen thưởng một trang)."

    def add_arguments(self, parser):
        parser.add_argument("--decision", type=int, required=True, help="Mã (ID) quyết định.")
        parser.add_argument(
            "--overlay", action="store_true", help="In trên phôi: chỉ phần chữ thay đổi."
        )
        parser.add_argument(
            "--reprint", action="store_true", help="Cấp lại: giữ mã xác thực, ghi 'Bản cấp lại'."
        )
        parser.add_argument(
            "--calibration", action="store_true", help="In trang thước căn chỉnh máy in."
        )
        parser.add_argument("-o", "--output", required=True, help="Tệp PDF ghi ra.")
        add_user_argument(parser)

    def handle(self, *args, decision, overlay, reprint, calibration, output, **options):
        user = user_from_options(
            options, stderr=self.stderr, perms=("registry.view_award", PRINT_PERMISSION)
        )
        found = in_scope_or_error(
            Decision.objects.select_related("authority"),
            user,
            "authority",
            decision,
            label="Quyết định",
        )
        awards = decision_certificate_awards(found)
        target = Path(output)
        try:
            if calibration:
                first = awards.select_related("award_type").first()
                target.write_bytes(
                    certificates_calibration(
                        authority=found.authority, award_type=first.award_type if first else None
                    )
                )
                self.stdout.write(f"Đã ghi trang căn chỉnh vào {target}.")
                return
            with target.open("wb") as out:
                pages = certificates_render_to(
                    awards=awards,
                    out=out,
                    mode=PrintMode.OVERLAY if overlay else PrintMode.FULL,
                    reprint=reprint,
                    user=user,
                )
        except ValidationError as error:
            target.unlink(missing_ok=True)
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(f"Đã in {pages} giấy khen của quyết định {found.number} vào {target}.")
