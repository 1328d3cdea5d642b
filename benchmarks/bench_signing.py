"""Signing speed: 1,000 certificates signed one PDF each (a zip), against printing them unsigned.

Both go through the services the admin and the commands use: certificates_render (one unsigned
PDF of 1,000 pages, the floor) and signed_papers.certificates_sign_to (the same pages rendered in
chunks, split into one PDF per certificate, each with its verification code in its metadata and
a PAdES signature with the office's PKCS#12 key). A third line adds a timestamp from a local
RFC 3161 server (signing_pki.LocalTimestampServer) for every certificate. Medians over the runs;
the ratio is signing time / printing time.

    make bench-signing                 # BENCH_SCALE=0.05 for a quick run (50 certificates)

The test PKI is made at run time in benchmarks/.cache/signing-pki/; the data lives in a SQLite
file there too (signing does not touch the database beyond what printing does).
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The benchmark asks for the files directly: never hand a batch to the background worker.
os.environ["PRINT_BACKGROUND_THRESHOLD"] = "1000000000"

from benchmarks.common import CACHE, django_setup, median, report, scale, scaled, timed  # noqa: E402

COUNT = scaled(1000)
REPEATS = 3 if scale() < 0.5 else 1


def decision_with(count: int):
    """An issued decision with ``count`` lines, made once and kept in the cache database."""
    from django.db import transaction

    from registry.models import Award, Decision
    from registry.services.decisions import decision_issue
    from tests import factories

    number = f"{count}/QĐ-KYSO"
    found = Decision.objects.filter(number=number, status="issued").first()
    if found and found.awards.count() == count:
        return found
    with transaction.atomic():
        cat = factories.catalogue()
        decision = factories.draft_decision(number=number, signed_date=date(2023, 1, 17))
        people = [
            factories.individual(
                f"Nguyễn Thị Hồng Nhung {i:05d}", gender="nu", position="Giáo viên",
                workplace="Trường Tiểu học Hoàng Việt",
            )
            for i in range(count)
        ]  # fmt: skip
        Award.objects.bulk_create(
            [
                Award(
                    decision=decision,
                    authority=decision.authority,
                    line_no=i + 1,
                    award_type=cat["giay_khen"],
                    individual=person,
                    recipient_name=person.full_name,
                    recipient_position=person.position,
                    recipient_unit=person.workplace,
                    achievement="Đã hoàn thành xuất sắc nhiệm vụ năm học 2021–2022",
                    period_from=2022,
                    period_to=2022,
                )
                for i, person in enumerate(people)
            ],
            batch_size=500,
        )
        decision_issue(decision=decision)
    return decision


def main() -> int:
    django_setup("bench_signing.sqlite3")
    from django.conf import settings

    from registry.services import certificates, signed_papers, signing, signing_pki

    pki = signing_pki.pki_write(CACHE / "signing-pki")
    settings.SIGNING_TRUST_DIR = pki.trust_dir
    settings.SIGNING_PKCS12_PATH = str(pki.office.pkcs12)
    settings.SIGNING_PKCS12_PASSWORD_FILE = str(pki.office.password_file)
    settings.SIGNING_TIMESTAMP_URL = ""

    print(f"bench_signing: scale {scale()}, {COUNT} certificates, {REPEATS} run(s)")
    decision = decision_with(COUNT)
    awards = certificates.decision_certificate_awards(decision)
    certificates.html_to_pdf("<p>warm up</p>")

    def print_unsigned():
        return certificates.certificates_render(awards=awards)

    def sign_all():
        buffer = io.BytesIO()
        signed_papers.certificates_sign_to(awards=awards, out=buffer)
        return buffer.getvalue()

    printing, signing_runs, stamped_runs = [], [], []
    archive = b""
    for _ in range(REPEATS):
        printing.append(timed(print_unsigned)[0])
        elapsed, archive = timed(sign_all)
        signing_runs.append(elapsed)
    with signing_pki.LocalTimestampServer(pki) as tsa:
        settings.SIGNING_TIMESTAMP_URL = tsa.url
        stamped_runs.append(timed(sign_all)[0])
        settings.SIGNING_TIMESTAMP_URL = ""

    # What was signed checks out: every file valid, with its own verification code.
    files = zipfile.ZipFile(io.BytesIO(archive))
    names = files.namelist()
    sample = names[:: max(1, len(names) // 20)]
    verified, verify_time = 0, []
    for name in sample:
        elapsed, result = timed(lambda n=name: signing.pdf_verify(files.read(n)))
        verify_time.append(elapsed)
        verified += result.status == "valid" and bool(result.verification_code)
    size = sum(info.file_size for info in files.infolist()) / len(names) / 1024

    report(f"printing {COUNT} certificates unsigned (one PDF)", printing, printing)
    report(
        f"signing {COUNT} certificates (one signed PDF each, zip)",
        signing_runs,
        printing,
        extra=f"{COUNT / median(signing_runs):.1f} certificates/s; {size:.0f} KB a file",
    )
    report(
        f"signing {COUNT} certificates with a local timestamp each",
        stamped_runs,
        printing,
        extra=f"{COUNT / median(stamped_runs):.1f} certificates/s",
    )
    print(
        f"  checked {len(sample)} of the signed files with pdf_verify: {verified} valid with "
        f"their code; median {median(verify_time) * 1000:.0f} ms a file"
    )
    return 0 if verified == len(sample) and len(names) == COUNT else 1


if __name__ == "__main__":
    sys.exit(main())
