"""python manage.py print_papers decision|docx|payout --decision ID -o FILE
python manage.py print_papers register --authority CODE --year YYYY -o FILE.pdf
python manage.py print_papers record --individual ID | --collective ID -o FILE.pdf"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.management.scoped import (
    add_user_argument,
    ensure_in_scope,
    in_scope_or_error,
    user_from_options,
)
from registry.models import Authority, Collective, Decision, Individual
from registry.models.printing import PRINT_PERMISSION
from registry.services import papers


class Command(BaseCommand):
    help = (
        "In quyết định (PDF, .docx), bảng kê tiền thưởng, sổ vàng, xác nhận quá trình khen thưởng."
    )

    def add_arguments(self, parser):
        parser.add_argument("paper", choices=["decision", "docx", "payout", "register", "record"])
        parser.add_argument("--decision", type=int)
        parser.add_argument("--authority", help="Mã cấp khen (cho sổ vàng).")
        parser.add_argument("--year", type=int)
        parser.add_argument("--individual", type=int)
        parser.add_argument("--collective", type=int)
        parser.add_argument("-o", "--output", required=True)
        add_user_argument(parser)

    def handle(self, *args, paper, output, **options):
        # A confirmation of a person's awards is an official paper: printed by clerks only.
        perms = ("registry.view_award",) + ((PRINT_PERMISSION,) if paper == "record" else ())
        user = user_from_options(options, stderr=self.stderr, perms=perms)
        if paper in ("decision", "docx", "payout"):
            if not options["decision"]:
                raise CommandError("Cần --decision ID của một quyết định có trong sổ.")
            decision = in_scope_or_error(
                Decision.objects.all(), user, "authority", options["decision"], label="Quyết định"
            )
            data = {
                "decision": papers.decision_pdf,
                "docx": papers.decision_docx,
                "payout": papers.payout_sheet_pdf,
            }[paper](decision=decision)
        elif paper == "register":
            authority = Authority.objects.filter(code=options["authority"] or "").first()
            if authority is None or not options["year"]:
                raise CommandError("Cần --authority MÃ (mã cấp khen) và --year NĂM.")
            ensure_in_scope(user, authority)
            data = papers.register_pdf(authority=authority, year=options["year"])
        else:
            model, pk = (
                (Individual, options["individual"])
                if options["individual"]
                else (Collective, options["collective"])
            )
            if not pk:
                raise CommandError("Cần --individual ID hoặc --collective ID có trong sổ.")
            recipient = in_scope_or_error(
                model.objects.all(),
                user,
                "recipients",
                pk,
                label=model._meta.verbose_name.capitalize(),
            )
            data = papers.record_pdf(recipient=recipient)
        Path(output).write_bytes(data)
        self.stdout.write(f"Đã ghi {output}.")
