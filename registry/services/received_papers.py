"""Signed papers in use: a decision signed elsewhere attached to its row, a pledge signed by one
unit after another, a PDF anyone brings to the public page. The signatures themselves are
checked by services.signing.pdf_verify; this module decides what the registry does with the
answer, so the admin, the commands and the tests share every rule.
"""

import hashlib
import re
import subprocess
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from registry.models import (
    Award,
    Decision,
    PaperSignature,
    Pledge,
    PledgeSignatory,
    SignatureStatus,
    SignedPaper,
    Unit,
)
from registry.models.awards import DecisionStatus
from registry.text import fold

PDF_MAGIC = b"%PDF-"
# A clerk's upload of a signed decision or pledge (the public page has its own, smaller limit).
SIGNED_PAPER_MAX_BYTES = 50 * 1024 * 1024
# A decision signed elsewhere is not attached when its signatures say nothing or were broken.
DECISION_REFUSED = {SignatureStatus.UNSIGNED, SignatureStatus.ALTERED, SignatureStatus.INVALID}

# The heading's number line: "Số: 15/QĐ-UBND" (state) or "Số 15-QĐ/ĐU" (Party), on its own line;
# "Quyết định số 15/QĐ-UBND" inside a sentence (a certificate, a later decision) is not it.
_NUMBER = re.compile(r"^\s*Số\s*:?\s*(\d+\s*[-/]\s*[^\s,;:]+)", re.MULTILINE)
_DATE = r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
# The date line of the heading: "Văn Lãng, ngày 05 tháng 01 năm 2023" (a comma before "ngày");
# the legal bases' "Luật … ngày 15 tháng 6 năm 2022" have none.
_DATE_LINE = re.compile(r",\s*" + _DATE, re.IGNORECASE)
_ANY_DATE = re.compile(_DATE, re.IGNORECASE)


def pdf_verify(data: bytes):
    """services.signing.pdf_verify against the office's trust roots (settings)."""
    from registry.services.signing import pdf_verify as verify

    return verify(data)


# ------------------------------------------------------------------------------ reading the file


def pdf_text(data: bytes) -> str:
    """The text layer (pdftotext, poppler), NFC; "" for an image-only or unreadable file."""
    try:
        done = subprocess.run(
            ["pdftotext", "-q", "-", "-"], input=data, capture_output=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    if done.returncode != 0:
        return ""
    return unicodedata.normalize("NFC", done.stdout.decode("utf-8", "replace"))


def decision_text_read(data: bytes) -> tuple[str, date | None]:
    """The decision number and signing date printed on the paper ("", None when not found)."""
    text = pdf_text(data)
    number = ""
    if found := _NUMBER.search(text):
        number = re.sub(r"\s+", "", found.group(1)).rstrip(".")
    day = None
    for pattern in (_DATE_LINE, _ANY_DATE):
        if found := pattern.search(text):
            d, m, y = (int(g) for g in found.groups())
            try:
                day = date(y, m, d)
            except ValueError:
                continue
            break
    return number, day


def number_key(number: str) -> str:
    """Numbers compared without spaces, case or diacritics: '15/QĐ-UBND' = '15/qd-ubnd'."""
    return fold(number).replace(" ", "")


def pdf_bytes_check(*, data: bytes, field_name: str = "file") -> None:
    """Refuse what is not a PDF, in Vietnamese, naming the field."""
    if not data:
        raise ValidationError({field_name: "Chưa chọn tệp, hoặc tệp rỗng."})
    if not data[:1024].lstrip().startswith(PDF_MAGIC):
        raise ValidationError(
            {field_name: "Tệp này không phải PDF. Hãy chọn tệp PDF (đuôi .pdf) đã ký số."}
        )


def upload_read(uploaded, *, field_name: str = "file", max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded file, refused when over the size limit or not a PDF."""
    limit = max_bytes or settings.REGISTRY_VERIFY_UPLOAD_MAX_BYTES
    if uploaded is None:
        raise ValidationError({field_name: "Chưa chọn tệp PDF."})
    if uploaded.size > limit:
        raise ValidationError(
            {
                field_name: f"Tệp quá lớn ({_mb(uploaded.size)} MB): chỉ nhận tệp PDF đến "
                f"{_mb(limit)} MB."
            }
        )
    data = uploaded.read()
    pdf_bytes_check(data=data, field_name=field_name)
    return data


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",").replace(",0", "")


# ------------------------------------------------------------------------------- recording


def _paper_write(*, paper: SignedPaper, data: bytes, verification, user, stem: str) -> SignedPaper:
    paper.sha256 = hashlib.sha256(data).hexdigest()
    paper.size = len(data)
    paper.status = verification.status
    paper.message = verification.message or ""
    paper.verification_code = (verification.verification_code or "")[:32]
    paper.uploaded_by = user
    paper.file.name = f"received/{timezone.localdate():%Y}/{stem}-{paper.sha256[:12]}.pdf"
    paper.full_clean(exclude=["file"])
    paper.file.save(paper.file.name.rsplit("/", 1)[-1], ContentFile(data), save=False)
    paper._history_user = user
    paper.save()
    PaperSignature.objects.bulk_create(
        [
            PaperSignature(
                paper=paper,
                order=order,
                field_name=(check.field_name or "")[:120],
                signer_name=(check.signer_name or "")[:255],
                signer_organisation=(check.signer_organisation or "")[:255],
                certificate_sha256=(check.certificate_sha256 or "")[:64],
                certificate_serial=str(check.certificate_serial or "")[:80],
                issuer_name=(check.issuer_name or "")[:255],
                signed_at=check.signed_at,
                timestamped=bool(check.timestamped),
                status=check.status,
                message=check.message or "",
            )
            for order, check in enumerate(verification.signatures, start=1)
        ]
    )
    return paper


def _user(user):
    return user if user is not None and getattr(user, "pk", None) else None


# ------------------------------------------------------------------------ signed decisions


@transaction.atomic
def decision_signed_attach(
    *,
    decision: Decision,
    data: bytes,
    filename: str = "",
    user=None,
    confirmed_number: str = "",
    confirmed_date: date | None = None,
) -> SignedPaper:
    """Attach the PDF of the decision signed elsewhere (on the signer's token).

    The signatures are checked; the number and date printed on it are read and must be the
    decision's. For an image-only PDF the clerk reads them and types them in: who and when is
    recorded. A refused file changes nothing.
    """
    pdf_bytes_check(data=data)
    decision = Decision.objects.select_related("authority").get(pk=decision.pk)
    verification = pdf_verify(data)
    if verification.status in DECISION_REFUSED:
        reason = verification.message or SignatureStatus(verification.status).label
        if verification.status == SignatureStatus.UNSIGNED:
            reason = (
                "Tệp không có chữ ký số. Bản quét (ảnh chụp bản giấy) đính kèm ở ô «Bản quét» "
                "của quyết định; ở đây chỉ nhận bản PDF đã ký số."
            )
        raise ValidationError({"file": f"Không nhận tệp: {reason}"})

    if verification.verification_code:
        raise ValidationError(
            {
                "file": "Không nhận tệp: đây là giấy khen (mang mã xác thực "
                f"{verification.verification_code}), không phải bản quyết định."
            }
        )
    number, day = decision_text_read(data)
    read_from_text = bool(number and day)
    field_name = "file"
    if not read_from_text:
        field_name = "confirmed_number"
        confirmed_number = (confirmed_number or "").strip()
        missing = {}
        if not confirmed_number:
            missing["confirmed_number"] = (
                "Không đọc được số quyết định trong tệp (tệp chỉ có ảnh). Hãy đọc số trên tệp và "
                "ghi vào ô «Số quyết định trên tệp»."
            )
        if confirmed_date is None:
            missing["confirmed_date"] = (
                "Không đọc được ngày ký trong tệp. Hãy ghi ngày ký đọc trên tệp (ngày/tháng/năm)."
            )
        if missing:
            raise ValidationError(missing)
        if _user(user) is None:
            raise ValidationError(
                {"confirmed_number": "Số và ngày đọc bằng mắt phải do một người dùng xác nhận."}
            )
        number, day = confirmed_number, confirmed_date

    errors: dict[str, list[str]] = {}
    if number_key(number) != number_key(decision.number):
        errors.setdefault(field_name, []).append(
            f"Tệp ghi số {number}, khác số của quyết định này ({decision.number}): không đính "
            f"kèm. Hãy chọn đúng tệp của quyết định {decision.number}, hoặc sửa số quyết định "
            "nếu số trên bản đã ký mới đúng."
        )
    if day != decision.signed_date:
        errors.setdefault("confirmed_date" if not read_from_text else "file", []).append(
            f"Tệp ghi ngày ký {day:%d/%m/%Y}, khác ngày ký của quyết định "
            f"({decision.signed_date:%d/%m/%Y}): không đính kèm."
        )
    if errors:
        raise ValidationError(errors)

    user = _user(user)
    paper = SignedPaper(
        authority=decision.authority,
        decision=decision,
        filename=(filename or f"{decision.number}.pdf")[-255:],
        number_read=number[:60],
        date_read=day,
        read_from_text=read_from_text,
        confirmed_by=None if read_from_text else user,
        confirmed_at=None if read_from_text else timezone.now(),
    )
    return _paper_write(
        paper=paper, data=data, verification=verification, user=user, stem=f"qd-{decision.pk}"
    )


def decision_signed_papers(decision: Decision) -> list[SignedPaper]:
    """The decision's signed papers, newest first, with their signatures (two queries)."""
    return list(
        SignedPaper.objects.filter(decision=decision)
        .select_related("confirmed_by", "uploaded_by")
        .prefetch_related("signatures")
        .order_by("-uploaded_at", "-id")
    )


def decision_signed_valid(
    decision: Decision, papers: list[SignedPaper] | None = None
) -> SignedPaper | None:
    """The latest valid signed paper that still carries the decision's number and date."""
    for paper in decision_signed_papers(decision) if papers is None else papers:
        if (
            paper.is_valid
            and number_key(paper.number_read) == number_key(decision.number)
            and paper.date_read == decision.signed_date
        ):
            return paper
    return None


def decision_signed_summary(decision: Decision) -> SignedPaper | None:
    """The signed paper to show for a decision: the valid one, else the latest received."""
    papers = decision_signed_papers(decision)
    return decision_signed_valid(decision, papers) or (papers[0] if papers else None)


def decision_signed_require(decision: Decision) -> None:
    """Refuse to issue when the authority requires a valid signed PDF and there is none."""
    if not decision.authority.requires_signed_pdf:
        return
    if decision_signed_valid(decision) is None:
        raise ValidationError(
            f"{decision.authority.name} chỉ ban hành quyết định khi đã có bản PDF ký số hợp lệ: "
            f"quyết định {decision.number} chưa có. Hãy đính kèm bản đã ký (nút «Bản ký số» trên "
            "trang quyết định) rồi ban hành lại."
        )


# ------------------------------------------------------------------------- signed pledges


def pledge_units(*, pledge: Pledge) -> list[Unit]:
    """The units that sign the pledge: the invited signatories and the bloc's members."""
    from registry.services.pledges import pledge_allowed_units

    ids = set(pledge.signatories.values_list("unit_id", flat=True))
    if pledge.bloc_id:
        ids |= pledge_allowed_units(pledge=pledge) or set()
    return list(Unit.objects.filter(pk__in=ids).order_by("sort_key", "name"))


@dataclass
class PledgeSigningRow:
    unit: Unit
    paper: SignedPaper | None = None
    signature: PaperSignature | None = None

    @property
    def signed(self) -> bool:
        return self.paper is not None


def pledge_signing_rows(*, pledge: Pledge) -> list[PledgeSigningRow]:
    """Who has signed the pledge by digital signature, and who has not yet."""
    papers = (
        SignedPaper.objects.filter(pledge=pledge, signatory__isnull=False)
        .select_related("signatory")
        .prefetch_related("signatures")
        .order_by("revision")
    )
    by_unit = {}
    for paper in papers:
        signatures = list(paper.signatures.all())
        by_unit[paper.signatory.unit_id] = (paper, signatures[-1] if signatures else None)
    return [
        PledgeSigningRow(unit, *by_unit.get(unit.pk, (None, None)))
        for unit in pledge_units(pledge=pledge)
    ]


@transaction.atomic
def pledge_signed_upload(
    *, pledge: Pledge, data: bytes, unit: Unit, filename: str = "", user=None
) -> SignedPaper:
    """Record the pledge PDF after one more unit's head signed it on their own token.

    The earlier signatures must still validate and the new file must be the last upload with
    one signature added, nothing else (an incremental update). The unit is marked signed.
    """
    from registry.services.pledges import Signature, pledge_sign

    pdf_bytes_check(data=data)
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if unit is None:
        raise ValidationError({"unit": "Chọn đơn vị vừa ký."})
    units = {u.pk for u in pledge_units(pledge=pledge)}
    if unit.pk not in units:
        raise ValidationError(
            {"unit": f"{unit} không thuộc các đơn vị ký giao ước «{pledge.title}»."}
        )
    previous = pledge.signed_papers.order_by("-revision").first()
    done = SignedPaper.objects.filter(pledge=pledge, signatory__unit=unit).first()
    if done is not None:
        raise ValidationError(
            {"unit": f"{unit} đã ký số giao ước này (tải lên lần {done.revision})."}
        )

    verification = pdf_verify(data)
    checks = list(verification.signatures)
    problems: list[str] = []
    if not checks:
        problems.append("Tệp không có chữ ký số nào: hãy tải lên bản đã được ký số.")
    for check in checks:
        who = check.signer_name or "người ký không rõ tên"
        if not check.modifications_ok:
            problems.append(
                f"Sau chữ ký của {who}, tệp đã bị thêm hoặc sửa nội dung, không chỉ thêm chữ ký: "
                "không nhận. Hãy dùng đúng tệp đã ký, không mở ra sửa."
            )
        elif check.status != SignatureStatus.VALID:
            problems.append(f"Chữ ký của {who}: {check.message or check.status}")
    if previous is None and fold(pledge.title) not in fold(pdf_text(data)):
        problems.append(
            f"Tệp không phải giao ước «{pledge.title}» (không thấy tên giao ước trong tệp). "
            "Hãy ký số vào tệp in từ nút «In giao ước (PDF)» của giao ước này."
        )
    if not problems and verification.status != SignatureStatus.VALID:
        problems.append(verification.message or SignatureStatus(verification.status).label)
    expected = 1
    if previous is not None:
        with previous.file.open("rb") as handle:
            old = handle.read()
        before = list(previous.signatures.order_by("order"))
        expected = len(before) + 1
        if not data.startswith(old):
            problems.append(
                f"Tệp này không phải là tệp tải lên lần {previous.revision} cộng thêm chữ ký: "
                "nội dung trước đó đã bị thay đổi. Đơn vị ký phải ký tiếp vào đúng tệp lần trước."
            )
        elif [c.certificate_sha256 for c in checks[: len(before)]] != [
            s.certificate_sha256 for s in before
        ]:
            problems.append("Các chữ ký đã có ở lần tải lên trước không còn nguyên trong tệp.")
    if checks and len(checks) != expected:
        problems.append(
            f"Tệp có {len(checks)} chữ ký; lần tải lên này phải có đúng {expected} chữ ký "
            f"(thêm một chữ ký của {unit}). Hãy tải lên sau mỗi lần một đơn vị ký."
        )
    if problems:
        raise ValidationError({"file": problems})

    new = checks[-1]
    existing = PledgeSignatory.objects.filter(pledge=pledge, unit=unit).first()
    signed_on = timezone.localdate(new.signed_at) if new.signed_at else timezone.localdate()
    signatory = pledge_sign(
        pledge=pledge,
        signatures=[
            Signature(
                unit=unit,
                signer_name=new.signer_name or (existing.signer_name if existing else ""),
                signer_title=existing.signer_title if existing else "",
                signed=True,
                signed_on=signed_on,
            )
        ],
    )[0]
    user = _user(user)
    revision = (previous.revision + 1) if previous else 1
    paper = SignedPaper(
        authority=pledge.authority,
        pledge=pledge,
        signatory=signatory,
        revision=revision,
        filename=(filename or f"giao-uoc-{pledge.pk}.pdf")[-255:],
    )
    return _paper_write(
        paper=paper,
        data=data,
        verification=verification,
        user=user,
        stem=f"giao-uoc-{pledge.pk}-{revision}",
    )


# --------------------------------------------------------------------- the public page


@dataclass
class PaperCheck:
    """What the public page says about a PDF someone brought."""

    verdict: str  # "genuine", "unproven", "altered", "problem", "unknown"
    headline: str
    detail: str = ""
    award: Award | None = None
    decision: Decision | None = None
    standing: str = ""  # "valid", "revoked", "amended"
    standing_text: str = ""
    signatures: list = field(default_factory=list)


def _award_for_code(code: str) -> Award | None:
    from registry.selectors.amendments import award_show_amended, with_amended_text

    code = re.sub(r"[\s\-.]", "", code or "").upper()
    if not code:
        return None
    award = (
        with_amended_text(
            Award.objects.select_related(
                "award_type", "decision__authority", "revoked_by__authority"
            )
        )
        .filter(verification_code=code, decision__status=DecisionStatus.ISSUED)
        .first()
    )
    if award is not None:
        award_show_amended(award)
    return award


def award_standing(award: Award) -> tuple[str, str]:
    """('revoked' | 'amended' | 'valid', the sentence saying so)."""
    if award.revoked_by_id:
        by = award.revoked_by
        return (
            "revoked",
            f"Khen thưởng này đã bị hủy theo Quyết định số {by.number} ngày "
            f"{by.signed_date:%d/%m/%Y}: không còn giá trị.",
        )
    amendment = award.amendments.select_related("decision").order_by("-recorded_at").first()
    if amendment is not None:
        return (
            "amended",
            f"Khen thưởng còn giá trị, đã được đính chính theo Quyết định số "
            f"{amendment.decision.number} ngày {amendment.decision.signed_date:%d/%m/%Y}; "
            "nội dung đúng là nội dung trên trang này.",
        )
    return "valid", "Khen thưởng còn giá trị."


def _decision_of(*, data: bytes, metadata: dict) -> Decision | None:
    """The issued decision a validly signed PDF is: one the registry signed itself (its number
    and row in the metadata), or a signed paper received and stored (the same bytes)."""
    from registry.services.signed_papers import DECISION_ID_KEY, DECISION_NUMBER_KEY

    issued = Decision.objects.select_related("authority").filter(status=DecisionStatus.ISSUED)
    decision_id = str(metadata.get(DECISION_ID_KEY, ""))
    if decision_id.isdigit():
        decision = issued.filter(pk=int(decision_id)).first()
        if decision is not None and number_key(decision.number) == number_key(
            str(metadata.get(DECISION_NUMBER_KEY, ""))
        ):
            return decision
    paper = (
        SignedPaper.objects.filter(sha256=hashlib.sha256(data).hexdigest())
        .filter(decision__in=issued)
        .select_related("decision__authority")
        .first()
    )
    return paper.decision if paper is not None else None


def pdf_check(*, data: bytes) -> PaperCheck:
    """Whether a PDF is a genuine, unaltered paper of this registry, and for what."""
    pdf_bytes_check(data=data)
    verification = pdf_verify(data)
    status = verification.status
    signatures = list(verification.signatures)
    if status == SignatureStatus.UNSIGNED:
        return PaperCheck(
            verdict="unproven",
            headline="Không chứng minh được: tệp không có chữ ký số.",
            detail="Một tệp PDF không ký số có thể do bất kỳ ai tạo ra. Hãy đối chiếu mã xác "
            "thực in trên giấy khen, hoặc xin bản đã ký số.",
        )
    if status == SignatureStatus.ALTERED:
        return PaperCheck(
            verdict="altered",
            headline="Tệp đã bị sửa sau khi ký: không phải bản gốc.",
            detail=verification.message or "",
            signatures=signatures,
        )
    if status != SignatureStatus.VALID:
        return PaperCheck(
            verdict="problem" if status != SignatureStatus.UNTRUSTED else "unproven",
            headline=(
                "Không chứng minh được: chữ ký số không thuộc cơ quan có thẩm quyền mà sổ này "
                "tin cậy."
                if status == SignatureStatus.UNTRUSTED
                else f"Chữ ký số không hợp lệ: {SignatureStatus(status).label.lower()}."
            ),
            detail=verification.message or "",
            signatures=signatures,
        )
    award = _award_for_code(verification.verification_code or "")
    if award is not None:
        standing, standing_text = award_standing(award)
        return PaperCheck(
            verdict="genuine",
            headline="Bản gốc, chưa bị sửa: giấy khen do sổ thi đua, khen thưởng này cấp.",
            award=award,
            decision=award.decision,
            standing=standing,
            standing_text=standing_text,
            signatures=signatures,
        )
    decision = _decision_of(data=data, metadata=verification.metadata or {})
    if decision is not None:
        return PaperCheck(
            verdict="genuine",
            headline="Bản gốc, chưa bị sửa: quyết định đã lưu trong sổ thi đua, khen thưởng này.",
            decision=decision,
            signatures=signatures,
        )
    return PaperCheck(
        verdict="unknown",
        headline="Chữ ký số hợp lệ, nhưng sổ này không có giấy tờ nào ứng với tệp.",
        detail="Tệp không mang mã xác thực của một khen thưởng đã ban hành trong sổ.",
        signatures=signatures,
    )
