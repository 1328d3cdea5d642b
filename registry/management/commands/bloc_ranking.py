import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.management.scoped import add_user_argument, in_scope_or_error, user_from_options
from registry.models import Bloc
from registry.selectors.targets import bloc_ranking


class Command(BaseCommand):
    help = "Bảng xếp hạng một khối thi đua trong một năm (điểm theo thang điểm của khối)."

    def add_arguments(self, parser):
        parser.add_argument("--bloc", type=int, required=True, help="Mã (id) của khối thi đua.")
        parser.add_argument("--year", type=int, required=True, help="Năm, ví dụ 2023.")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")
        add_user_argument(parser)

    def handle(self, *args, **options):
        user = user_from_options(options, stderr=self.stderr, perms=("registry.view_bloc",))
        bloc = in_scope_or_error(
            Bloc.objects.select_related("authority"),
            user,
            "authority",
            options["bloc"],
            label="Khối thi đua",
        )
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
