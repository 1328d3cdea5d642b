"""python manage.py attach_signed FILE --decision ID [--number SỐ --date NGÀY] [--user USERNAME]
python manage.py attach_signed FILE --pledge ID --unit MÃ_ĐƠN_VỊ [--user USERNAME]

The clerk's pages for signed papers from the command line: the same service
(registry.services.received_papers), the same checks, the same Vietnamese errors.
"""

from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.management.scoped import add_user_argument, in_scope_or_error, user_from_options
from registry.models import Decision, Pledge, Unit
from registry.services.received_papers import (
    SIGNED_PAPER_MAX_BYTES,
    decision_signed_attach,
    pledge_signed_upload,
)


class Command(BaseCommand):
    help = (
        "Đính kèm bản PDF đã ký số: của một quyết định (ký trên thiết bị của người ký), hoặc của "
        "giao ước sau khi một đơn vị vừa ký. Tệp sai số, sai ngày, đã bị sửa thì không nhận."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp PDF đã ký số.")
        parser.add_argument("--decision", type=int, help="Mã quyết định.")
        parser.add_argument("--number", default="", help="Số đọc trên tệp (tệp chỉ có ảnh).")
        parser.add_argument("--date", default="", help="Ngày ký đọc trên tệp, ngày/tháng/năm.")
        parser.add_argument("--pledge", type=int, help="Mã giao ước thi đua.")
        parser.add_argument("--unit", default="", help="Mã đơn vị vừa ký giao ước.")
        add_user_argument(parser)

    def handle(self, *args, file, decision, number, date, pledge, unit, **options):
        if (decision is None) == (pledge is None):
            raise CommandError("Ghi đúng một trong --decision ID hoặc --pledge ID.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không thấy tệp {file}.")
        if path.stat().st_size > SIGNED_PAPER_MAX_BYTES:
            raise CommandError(f"Tệp {file} quá lớn.")
        data = path.read_bytes()
        user = user_from_options(options, stderr=self.stderr, perms=("registry.add_signedpaper",))
        try:
            if decision is not None:
                day = None
                if date:
                    try:
                        day = datetime.strptime(date.strip(), "%d/%m/%Y").date()
                    except ValueError as error:
                        raise CommandError(
                            f"--date: không đọc được ngày «{date}», ghi dạng 05/01/2024."
                        ) from error
                target = in_scope_or_error(
                    Decision.objects.all(), user, "authority", decision, label="Quyết định"
                )
                paper = decision_signed_attach(
                    decision=target,
                    data=data,
                    filename=path.name,
                    user=user,
                    confirmed_number=number,
                    confirmed_date=day,
                )
                done = f"Đã đính kèm bản ký số của quyết định {target.number}"
            else:
                target = in_scope_or_error(
                    Pledge.objects.all(), user, "authority", pledge, label="Giao ước"
                )
                signer = Unit.objects.filter(code=unit).first() if unit else None
                if signer is None:
                    raise CommandError(f"--unit: không có đơn vị mã «{unit}».")
                paper = pledge_signed_upload(
                    pledge=target, data=data, unit=signer, filename=path.name, user=user
                )
                done = f"Đã ghi nhận chữ ký số của {signer} vào giao ước «{target.title}»"
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"{done}: {paper.get_status_display().lower()}.")
        if not paper.is_valid:
            raise CommandError(paper.message or paper.get_status_display())
