from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.management.scoped import add_user_argument, in_scope_or_error, user_from_options
from registry.models import Award, Decision
from registry.models.trust import AmendableField
from registry.services.revocations import award_amend


class Command(BaseCommand):
    help = (
        "Đính chính tên, chức vụ, đơn vị hoặc thành tích của một khen thưởng đã ban hành theo "
        "một quyết định đính chính; dòng khen thưởng đã ký giữ nguyên."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--award", type=int, required=True, help="Khen thưởng (dòng) cần đính chính."
        )
        parser.add_argument(
            "--by", type=int, required=True, help="Quyết định đính chính (đã ban hành)."
        )
        parser.add_argument(
            "--field",
            required=True,
            choices=AmendableField.values,
            help="Nội dung đính chính: "
            + ", ".join(f"{value} ({label.lower()})" for value, label in AmendableField.choices),
        )
        parser.add_argument("--value", required=True, help="Nội dung mới.")
        parser.add_argument("--reason", required=True, help="Lý do đính chính.")
        add_user_argument(parser)

    def handle(self, *args, award, by, field, value, reason, **options):
        user = user_from_options(options, stderr=self.stderr, perms=("registry.revoke_award",))
        target = in_scope_or_error(
            Award.objects.all(), user, "authority", award, label="Khen thưởng"
        )
        amending = in_scope_or_error(
            Decision.objects.all(), user, "authority", by, label="Quyết định đính chính"
        )
        try:
            amendment = award_amend(
                award=target, by=amending, field=field, new_value=value, reason=reason, user=user
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã ghi đính chính {amendment.get_field_display().lower()} của khen thưởng "
                f"«{target.recipient_name}»: «{amendment.old_value}» → «{amendment.new_value}» "
                f"theo quyết định {amending.number}."
            )
        )
