from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.management.scoped import add_user_argument, in_scope_or_error, user_from_options
from registry.models import Decision
from registry.models.trust import RevocationReason
from registry.services.revocations import awards_revoke


class Command(BaseCommand):
    help = "Hủy bỏ khen thưởng của một quyết định (hoặc một số dòng) theo một quyết định hủy bỏ."

    def add_arguments(self, parser):
        parser.add_argument("--decision", type=int, required=True, help="Quyết định đã khen.")
        parser.add_argument("--award", type=int, nargs="*", default=[], help="Chỉ các dòng này.")
        parser.add_argument(
            "--by", type=int, required=True, help="Quyết định hủy bỏ (đã ban hành)."
        )
        parser.add_argument("--reason", required=True, choices=RevocationReason.values)
        parser.add_argument("--note", default="", help="Ghi chú thêm về lý do.")
        add_user_argument(parser)

    def handle(self, *args, decision, award, by, reason, note, **options):
        user = user_from_options(options, stderr=self.stderr, perms=("registry.revoke_award",))
        target = in_scope_or_error(
            Decision.objects.all(), user, "authority", decision, label="Quyết định"
        )
        revoking = in_scope_or_error(
            Decision.objects.all(), user, "authority", by, label="Quyết định hủy bỏ"
        )
        awards = target.awards.filter(revoked_by__isnull=True)
        if award:
            awards = awards.filter(pk__in=award)
            missing = set(award) - set(awards.values_list("pk", flat=True))
            if missing:
                raise CommandError(
                    "Các dòng sau không thuộc quyết định hoặc đã bị hủy: "
                    + ", ".join(map(str, sorted(missing)))
                )
        try:
            done = awards_revoke(
                awards=list(awards), by=revoking, reason=reason, note=note, user=user
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã hủy bỏ {len(done)} khen thưởng của quyết định {target.number} "
                f"theo quyết định {revoking.number}."
            )
        )
