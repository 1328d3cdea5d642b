"""python manage.py verify_pdf FILE [--json] [--trust-dir DIR]

Checks every digital signature of a PDF against the office's trust roots (SIGNING_TRUST_DIR: CA
certificates and CRLs; nothing is fetched from the network). Exit status 0 only when the file is
validly signed and unchanged since its last signature; 1 otherwise (unsigned, altered, untrusted,
expired, revoked, unreadable).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registry.services.signing import VALID, pdf_verify

STATUS_LABELS = {
    "valid": "HỢP LỆ",
    "unsigned": "KHÔNG CÓ CHỮ KÝ SỐ",
    "altered": "ĐÃ BỊ THAY ĐỔI",
    "untrusted": "KHÔNG TIN CẬY",
    "expired": "HẾT HẠN",
    "revoked": "ĐÃ BỊ THU HỒI",
    "invalid": "KHÔNG HỢP LỆ",
}


class Command(BaseCommand):
    help = "Kiểm tra chữ ký số của một tệp PDF theo danh sách nơi cấp tin cậy của cơ quan."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp PDF cần kiểm tra.")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")
        parser.add_argument(
            "--trust-dir", help="Thư mục chứng thư gốc và CRL (mặc định: SIGNING_TRUST_DIR)."
        )

    def handle(self, *args, file, json: bool = False, trust_dir=None, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Không đọc được tệp {path}: {error.strerror}.") from error
        result = pdf_verify(data, trust_dir=trust_dir)
        if json:
            self.stdout.write(_dumps(result.as_dict()))
        else:
            self.stdout.write(f"{path.name}: {STATUS_LABELS.get(result.status, result.status)}")
            self.stdout.write(result.message)
            if result.verification_code:
                self.stdout.write(f"Mã xác thực: {result.verification_code}")
            for n, check in enumerate(result.signatures, start=1):
                when = (
                    f"{timezone.localtime(check.signed_at):%H:%M %d/%m/%Y}"
                    if check.signed_at
                    else "không rõ"
                )
                stamp = " (có dấu thời gian)" if check.timestamped else ""
                self.stdout.write(
                    f"  Chữ ký {n}: {check.signer_name}"
                    + (f" – {check.signer_organisation}" if check.signer_organisation else "")
                    + f"; nơi cấp: {check.issuer_name}; ký lúc {when}{stamp}; "
                    + f"số hiệu chứng thư {check.certificate_serial}: {check.message}."
                )
        if result.status != VALID:
            raise SystemExit(1)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
