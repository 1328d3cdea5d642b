import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.management.scoped import (
    add_user_argument,
    ensure_in_scope,
    require_authority,
    user_from_options,
)
from registry.models import Authority, AwardType
from registry.selectors.eligibility import nominee_list


def _day(value: str) -> date:
    for parse in (date.fromisoformat, lambda v: date(*reversed([int(p) for p in v.split("/")]))):
        try:
            return parse(value)
        except (TypeError, ValueError):
            continue
    raise CommandError(f"Ngày “{value}” không hợp lệ: ghi YYYY-MM-DD hoặc dd/mm/yyyy.")


class Command(BaseCommand):
    help = (
        "Danh sách đủ tiêu chuẩn một danh hiệu, hình thức khen thưởng trong một năm "
        "(năm cuối của thành tích), kèm lý do."
    )

    def add_arguments(self, parser):
        parser.add_argument("--award-type", required=True, help="Mã danh hiệu, hình thức.")
        parser.add_argument("--year", required=True, type=int, help="Năm cuối của thành tích.")
        parser.add_argument(
            "--authority", help="Mã cấp khen: xét hồ sơ của cấp này và các cấp dưới."
        )
        parser.add_argument(
            "--on",
            help="Xét theo tiêu chuẩn có hiệu lực ngày này (mặc định: năm đã qua theo tiêu "
            "chuẩn có hiệu lực ngày 31/12 năm đó, năm nay theo tiêu chuẩn hôm nay).",
        )
        parser.add_argument("--all", action="store_true", help="Liệt kê cả người chưa đủ.")
        parser.add_argument("--json", action="store_true", help="In JSON.")
        add_user_argument(parser)

    def handle(self, *args, **options):
        user = user_from_options(options, stderr=self.stderr, perms=("registry.view_award",))
        try:
            award_type = AwardType.objects.get(code=options["award_type"])
        except AwardType.DoesNotExist as error:
            raise CommandError(
                f"Không có danh hiệu, hình thức mã “{options['award_type']}” trong danh mục."
            ) from error
        authority = None
        if options["authority"]:
            try:
                authority = Authority.objects.get(code=options["authority"])
            except Authority.DoesNotExist as error:
                raise CommandError(
                    f"Không có cấp khen mã “{options['authority']}” trong danh mục."
                ) from error
            ensure_in_scope(user, authority)
        require_authority(user, authority)
        try:
            nominees = nominee_list(
                award_type=award_type,
                year=options["year"],
                authority=authority,
                on=_day(options["on"]) if options["on"] else None,
                include_all=options["all"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if options["json"]:
            data = [answer.as_json() for answer in nominees.answers]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for rule in nominees.rules:
            self.stdout.write(f"Tiêu chuẩn: {rule.name}. Căn cứ: {rule.legal_basis}.")
        self.stdout.write(
            f"{nominees.eligible_count} đối tượng đủ tiêu chuẩn {award_type.name} "
            f"năm {nominees.year} (tiêu chuẩn có hiệu lực ngày {nominees.on:%d/%m/%Y})."
        )
        for index, answer in enumerate(nominees.answers, start=1):
            status = "ĐỦ" if answer.eligible else "CHƯA ĐỦ"
            route = f" – {answer.route}" if answer.route else ""
            self.stdout.write(f"{index}. {answer.name}: {status}{route}")
            for line in answer.evidence:
                self.stdout.write(f"     + {line}")
            for line in answer.missing:
                self.stdout.write(f"     - {line}")
