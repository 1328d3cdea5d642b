from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.services.rules import rules_load

SECTION_LABELS = {"rules": "tiêu chuẩn", "routes": "trường hợp", "conditions": "điều kiện"}


class Command(BaseCommand):
    help = (
        "Nạp tiêu chuẩn xét khen thưởng (fixtures/eligibility_rules.json); nạp lại không nhân đôi."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Tệp JSON khác với fixtures/eligibility_rules.json.")

    def handle(self, *args, **options):
        try:
            result = rules_load(path=options.get("file"))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        parts = [
            f"{label}: thêm {result[key]['created']}, cập nhật {result[key]['updated']}"
            for key, label in SECTION_LABELS.items()
        ]
        self.stdout.write(self.style.SUCCESS("Đã nạp tiêu chuẩn. " + "; ".join(parts) + "."))
