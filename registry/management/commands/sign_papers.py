"""python manage.py sign_papers --decision ID [--certificates] -o FILE

The decision with its list as a PDF signed with the office's key (SIGNING_PKCS12_PATH or the
PKCS#11 token in the settings), or with --certificates a zip of one signed PDF per certificate.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.management.scoped import add_user_argument, in_scope_or_error, user_from_options
from registry.models import Decision
from registry.models.printing import PRINT_PERMISSION
from registry.services.certificates import decision_certificate_awards
from registry.services.signed_papers import certificates_sign_to, decision_pdf_signed


class Command(BaseCommand):
    help = (
        "Ký số quyết định (PDF kèm danh sách) bằng chứng thư số của cơ quan, hoặc với "
        "--certificates: mỗi giấy khen một tệp PDF đã ký, gói trong một tệp .zip."
    )

    def add_arguments(self, parser):
        parser.add_argument("--decision", type=int, required=True, help="Mã (ID) quyết định.")
        parser.add_argument(
            "--certificates",
            action="store_true",
            help="Ký từng giấy khen của quyết định (tệp .zip, mỗi giấy khen một PDF).",
        )
        parser.add_argument("-o", "--output", required=True, help="Tệp ghi ra (.pdf hoặc .zip).")
        add_user_argument(parser)

    def handle(self, *args, decision, certificates, output, **options):
        user = user_from_options(
            options, stderr=self.stderr, perms=("registry.view_award", PRINT_PERMISSION)
        )
        found = in_scope_or_error(
            Decision.objects.select_related("authority"),
            user,
            "authority",
            decision,
            label="Quyết định",
        )
        target = Path(output)
        try:
            if not certificates:
                target.write_bytes(decision_pdf_signed(decision=found, user=user))
                self.stdout.write(f"Đã ký số quyết định {found.number} vào {target}.")
                return
            awards = decision_certificate_awards(found)

            def progress(done, total):
                self.stderr.write(f"Đã ký {done}/{total} giấy khen…")

            with target.open("wb") as out:
                count = certificates_sign_to(awards=awards, out=out, user=user, progress=progress)
        except ValidationError as error:
            target.unlink(missing_ok=True)
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(f"Đã ký số {count} giấy khen của quyết định {found.number} vào {target}.")
