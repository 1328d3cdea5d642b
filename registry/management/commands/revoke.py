import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from registry.management.scoped import add_user_argument, in_scope_or_error, user_from_options
from registry.models import Decision
from registry.models.trust import Revocation, RevocationReason
from registry.services.revocations import awards_revoke, revocation_record_recovery

_AMOUNT = re.compile(r"\d{1,3}(\.\d{3})+|\d+")  # 450000 or 450.000 (đồng)


def _date(text: str | None, option: str) -> date | None:
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    raise CommandError(
        f"{option}: không đọc được ngày «{text}». Ghi theo dạng ngày/tháng/năm (15/06/2023) "
        "hoặc năm-tháng-ngày (2023-06-15)."
    )


def _amount(text: str | None) -> int | None:
    if text is None:
        return None
    if not _AMOUNT.fullmatch(text.strip()):
        raise CommandError(
            f"--cash-amount: «{text}» không phải số tiền. Ghi số đồng, ví dụ 450000 hoặc 450.000."
        )
    return int(text.strip().replace(".", ""))


class Command(BaseCommand):
    help = (
        "Hủy bỏ khen thưởng của một quyết định (hoặc một số dòng) theo một quyết định hủy bỏ, "
        "và/hoặc ghi việc thu hồi hiện vật, tiền thưởng của các khen thưởng đã bị hủy bỏ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--decision", type=int, required=True, help="Quyết định đã khen.")
        parser.add_argument("--award", type=int, nargs="*", default=[], help="Chỉ các dòng này.")
        parser.add_argument("--by", type=int, help="Quyết định hủy bỏ (đã ban hành).")
        parser.add_argument("--reason", choices=RevocationReason.values, help="Căn cứ hủy bỏ.")
        parser.add_argument("--note", default="", help="Ghi chú thêm về lý do.")
        parser.add_argument(
            "--recovered-certificate",
            metavar="NGÀY",
            help="Ngày đã thu hồi hiện vật (giấy khen, bằng khen…) của các dòng đã bị hủy bỏ.",
        )
        parser.add_argument(
            "--recovered-cash",
            metavar="NGÀY",
            help="Ngày đã thu hồi tiền thưởng của các dòng đã bị hủy bỏ.",
        )
        parser.add_argument(
            "--cash-amount",
            metavar="SỐ_TIỀN",
            help="Số tiền đã thu hồi mỗi dòng (đồng); mặc định: tiền thưởng của dòng đó.",
        )
        add_user_argument(parser)

    def handle(self, *args, decision, award, by, reason, note, **options):
        certificate_on = _date(options["recovered_certificate"], "--recovered-certificate")
        cash_on = _date(options["recovered_cash"], "--recovered-cash")
        cash_amount = _amount(options["cash_amount"])
        recovering = certificate_on is not None or cash_on is not None
        if cash_amount is not None and cash_on is None:
            raise CommandError("--cash-amount đi cùng --recovered-cash NGÀY (ngày thu hồi tiền).")
        if by is None and not recovering:
            raise CommandError(
                "Không có việc gì để làm: ghi --by và --reason để hủy bỏ, và/hoặc "
                "--recovered-certificate / --recovered-cash để ghi việc thu hồi."
            )
        if (by is None) != (reason is None):
            raise CommandError("Hủy bỏ cần cả --by (quyết định hủy bỏ) và --reason (căn cứ).")
        perms = ("registry.revoke_award",) if by is not None else ()
        if recovering:
            perms += ("registry.change_revocation",)
        user = user_from_options(options, stderr=self.stderr, perms=perms)
        target = in_scope_or_error(
            Decision.objects.all(), user, "authority", decision, label="Quyết định"
        )
        revoking = None
        if by is not None:
            revoking = in_scope_or_error(
                Decision.objects.all(), user, "authority", by, label="Quyết định hủy bỏ"
            )
        # One call is all or nothing: a refused recovery also undoes the revocation just made.
        with transaction.atomic():
            if revoking is not None:
                done = self._revoke(target, award, revoking, reason, note, user)
            if recovering:
                recorded = self._recover(target, award, certificate_on, cash_on, cash_amount, user)
        if revoking is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã hủy bỏ {len(done)} khen thưởng của quyết định {target.number} "
                    f"theo quyết định {revoking.number}."
                )
            )
        if recovering:
            what = []
            if certificate_on:
                what.append(f"hiện vật ngày {certificate_on:%d/%m/%Y}")
            if cash_on:
                what.append(f"tiền thưởng ngày {cash_on:%d/%m/%Y}")
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã ghi thu hồi {' và '.join(what)} cho {recorded} khen thưởng đã hủy bỏ "
                    f"của quyết định {target.number}."
                )
            )

    def _revoke(self, target, award, revoking, reason, note, user):
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
            return awards_revoke(
                awards=list(awards), by=revoking, reason=reason, note=note, user=user
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def _recover(self, target, award, certificate_on, cash_on, cash_amount, user) -> int:
        revocations = Revocation.objects.select_related("award").filter(award__decision=target)
        if award:
            revocations = revocations.filter(award_id__in=award)
            missing = set(award) - set(revocations.values_list("award_id", flat=True))
            if missing:
                raise CommandError(
                    "Chỉ ghi thu hồi cho khen thưởng đã bị hủy bỏ; các dòng sau không thuộc "
                    "quyết định hoặc chưa bị hủy bỏ: " + ", ".join(map(str, sorted(missing)))
                )
        revocations = list(revocations.order_by("award__line_no", "award_id"))
        if not revocations:
            raise CommandError(
                f"Quyết định {target.number} chưa có khen thưởng nào bị hủy bỏ: không có gì để "
                "ghi thu hồi. Hủy bỏ trước (--by, --reason) rồi ghi thu hồi."
            )
        for revocation in revocations:
            line = f"Dòng «{revocation.award.recipient_name}» (mã {revocation.award_id})"
            amount = None
            if cash_on is not None:
                amount = cash_amount if cash_amount is not None else revocation.award.cash_amount
                if amount is None:
                    raise CommandError(
                        f"{line} chưa có số tiền thưởng: ghi --cash-amount SỐ_TIỀN đã thu hồi."
                    )
            try:
                revocation_record_recovery(
                    revocation=revocation,
                    certificate_recovered_on=certificate_on,
                    cash_recovered=amount,
                    cash_recovered_on=cash_on,
                    user=user,
                )
            except ValidationError as error:
                raise CommandError(f"{line}: " + " ".join(error.messages)) from error
        return len(revocations)
