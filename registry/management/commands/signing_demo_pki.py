"""python manage.py signing_demo_pki [--folder DIR] [--force]

A test certificate authority for the demo (make run): a root CA and its CRL (the trust folder),
the office's key as a PKCS#12 file with its password file, and a few signers (a leader, an
expired and a revoked certificate, one from an outside CA) to try uploads with. Made once,
kept on later runs. Never point a real registry's trust folder at it.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from registry.services.signing_pki import pki_write


class Command(BaseCommand):
    help = (
        "Tạo bộ chứng thư số thử nghiệm (nơi cấp gốc, chứng thư của cơ quan, người ký) cho bản "
        "chạy thử; không dùng cho hệ thống thật."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--folder",
            default=str(settings.VAR_DIR / "signing-demo"),
            help="Thư mục ghi ra (mặc định: var/signing-demo).",
        )
        parser.add_argument("--force", action="store_true", help="Tạo lại dù đã có.")

    def handle(self, *args, folder, force, **options):
        target = Path(folder)
        if (target / "office.p12").exists() and not force:
            self.stdout.write(f"Bộ chứng thư thử nghiệm đã có ở {target}.")
            return
        pki = pki_write(target)
        self.stdout.write(
            f"Đã tạo bộ chứng thư thử nghiệm ở {target}:\n"
            f"  SIGNING_TRUST_DIR={pki.trust_dir}\n"
            f"  SIGNING_PKCS12_PATH={pki.office.pkcs12}\n"
            f"  SIGNING_PKCS12_PASSWORD_FILE={pki.office.password_file}\n"
            "Người ký để thử tải lên: person, second, expired, revoked, outside, sub_person, "
            "sub_revoked (.p12, mật khẩu "
            "trong tệp .pass cùng tên)."
        )
