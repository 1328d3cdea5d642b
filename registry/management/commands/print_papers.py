"""python manage.py print_papers decision|docx|payout --decision ID -o FILE
python manage.py print_papers register --authority CODE --year YYYY -o FILE.pdf
python manage.py print_papers record --individual ID | --collective ID -o FILE.pdf"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.models import Authority, Collective, Decision, Individual
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

    def handle(self, *args, paper, output, **options):
        if paper in ("decision", "docx", "payout"):
            decision = Decision.objects.filter(pk=options["decision"] or 0).first()
            if decision is None:
                raise CommandError("Cần --decision ID của một quyết định có trong sổ.")
            data = {
                "decision": papers.decision_pdf,
                "docx": papers.decision_docx,
                "payout": papers.payout_sheet_pdf,
            }[paper](decision=decision)
        elif paper == "register":
            authority = Authority.objects.filter(code=options["authority"] or "").first()
            if authority is None or not options["year"]:
                raise CommandError("Cần --authority MÃ (mã cấp khen) và --year NĂM.")
            data = papers.register_pdf(authority=authority, year=options["year"])
        else:
            if options["individual"]:
                recipient = Individual.objects.filter(pk=options["individual"]).first()
            else:
                recipient = Collective.objects.filter(pk=options["collective"] or 0).first()
            if recipient is None:
                raise CommandError("Cần --individual ID hoặc --collective ID có trong sổ.")
            data = papers.record_pdf(recipient=recipient)
        Path(output).write_bytes(data)
        self.stdout.write(f"Đã ghi {output}.")
