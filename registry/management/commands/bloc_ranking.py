import json
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.management.scoped import (
    add_user_argument,
    ensure_in_scope,
    in_scope_or_error,
    user_from_options,
)
from registry.models import Authority, Bloc
from registry.selectors.targets import bloc_ranking
from registry.services.awards import ELIGIBILITY_REASON_NEEDED
from registry.services.pledges import bloc_ranking_decision_create, proposal_authority

DRAFT_PERMS = ("registry.view_bloc", "registry.add_decision", "registry.add_award")


def _date(text: str, option: str) -> date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    raise CommandError(
        f"{option}: không đọc được ngày «{text}». Ghi theo dạng ngày/tháng/năm (10/01/2024) "
        "hoặc năm-tháng-ngày (2024-01-10)."
    )


class Command(BaseCommand):
    help = (
        "Bảng xếp hạng một khối thi đua trong một năm (điểm theo thang điểm của khối); với "
        "--draft, lập dự thảo quyết định khen đơn vị dẫn đầu và các đơn vị xếp tiếp theo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bloc", type=int, required=True, help="Mã (id) của khối thi đua.")
        parser.add_argument("--year", type=int, required=True, help="Năm, ví dụ 2023.")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")
        draft = parser.add_argument_group("dự thảo quyết định (--draft)")
        draft.add_argument(
            "--draft",
            action="store_true",
            help="Lập dự thảo quyết định theo bảng xếp hạng: hình thức khen theo quy định "
            "đang có hiệu lực vào ngày ký.",
        )
        draft.add_argument("--signed-date", metavar="NGÀY", help="Ngày ký (dự kiến).")
        draft.add_argument("--signer-name", default="", help="Họ tên người ký.")
        draft.add_argument("--signer-title", default="CHỦ TỊCH", help="Chức vụ người ký.")
        draft.add_argument(
            "--authority",
            metavar="MÃ",
            help="Mã cấp khen ký quyết định; mặc định: cấp trên gần nhất có thẩm quyền.",
        )
        draft.add_argument("--number", default="", help="Số quyết định; để trống: số tạm.")
        draft.add_argument(
            "--runners-up", type=int, default=2, help="Số đơn vị xếp tiếp theo được đề nghị."
        )
        draft.add_argument(
            "--eligibility-reason",
            metavar="LÝ_DO",
            default="",
            help="Lý do Hội đồng vẫn đề nghị đơn vị chưa đủ tiêu chuẩn theo quy định đang có "
            "hiệu lực; ghi vào các dòng chưa đủ tiêu chuẩn.",
        )
        add_user_argument(parser)

    def handle(self, *args, **options):
        perms = DRAFT_PERMS if options["draft"] else ("registry.view_bloc",)
        user = user_from_options(options, stderr=self.stderr, perms=perms)
        bloc = in_scope_or_error(
            Bloc.objects.select_related("authority"),
            user,
            "authority",
            options["bloc"],
            label="Khối thi đua",
        )
        if options["draft"]:
            self.draft(bloc, user, options)
            return
        try:
            ranking = bloc_ranking(bloc=bloc, year=options["year"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if options["json"]:
            self.stdout.write(json.dumps(ranking.as_json(), ensure_ascii=False))
            return
        self.stdout.write(f"{bloc} — năm {ranking.year} — giao ước «{ranking.pledge}»")
        self.stdout.write(
            f"Thang điểm: đạt {bloc.points_met}, vượt cộng {bloc.points_exceeded}, "
            f"không đạt trừ {bloc.points_missed} (mỗi chỉ tiêu)."
        )
        for row in ranking.rows:
            gap = f"; THIẾU {row.missing_results} kết quả" if row.missing_results else ""
            role = f" ({row.role})" if row.role else ""
            self.stdout.write(
                f"{row.rank:>3}. {row.unit}{role}: {row.score_label} điểm — đạt "
                f"{row.targets_met}/{row.targets_total}, vượt {row.targets_exceeded}{gap}"
                + (f" — {row.tie_note}" if row.tie_note else "")
            )
        for unit in ranking.not_signed:
            self.stdout.write(f"  –  {unit}: chưa ký giao ước, không xếp hạng.")
        if not ranking.complete:
            self.stdout.write(
                self.style.WARNING(
                    f"Bảng xếp hạng tạm: còn thiếu {ranking.missing_total} kết quả. "
                    + "; ".join(ranking.gaps)
                )
            )
        self.stdout.write(ranking.rule)

    def draft(self, bloc, user, options):
        if not options["signed_date"] or not options["signer_name"].strip():
            raise CommandError(
                "Lập dự thảo cần --signed-date (ngày ký) và --signer-name (người ký)."
            )
        signed_date = _date(options["signed_date"], "--signed-date")
        code = options["authority"]
        if code:
            authority = Authority.objects.filter(code=code).first()
            if authority is None:
                raise CommandError(f"--authority: không có cấp khen mã “{code}”.")
        else:
            authority = proposal_authority(bloc=bloc, day=signed_date)
        if user is not None and authority is not None:
            ensure_in_scope(user, authority, what="quyết định")
        try:
            decision = bloc_ranking_decision_create(
                bloc=bloc,
                year=options["year"],
                signed_date=signed_date,
                signer_name=options["signer_name"].strip(),
                signer_title=options["signer_title"],
                authority=authority,
                number=options["number"],
                runners_up=options["runners_up"],
                eligibility_reason=options["eligibility_reason"],
                user=user,
            )
        except ValidationError as error:
            messages = list(error.messages)
            if any(ELIGIBILITY_REASON_NEEDED in m for m in messages):
                messages.append('Dòng lệnh: ghi lý do của Hội đồng bằng --eligibility-reason "…".')
            raise CommandError("\n".join(messages)) from error
        lines = decision.awards.order_by("line_no").values_list(
            "line_no", "award_type__name", "recipient_name", "eligibility_override"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã lập dự thảo quyết định mã {decision.pk} «{decision.subject}» "
                f"({decision.authority}, số {decision.number})."
            )
        )
        for line_no, type_name, name, reason in lines:
            note = f" — lý do vẫn đề nghị: {reason}" if reason else ""
            self.stdout.write(f"{line_no:>3}. {type_name}: {name}{note}")
