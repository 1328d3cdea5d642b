"""The registry's own papers, signed with the office's key: the decision with its list, and one
signed PDF per certificate (a zip for a batch).

One path for the command line (sign_papers), the admin and the background worker:
:func:`decision_pdf_signed` and :func:`certificates_sign_to`. Batches of more than
SIGNING_BACKGROUND_THRESHOLD certificates go to the worker (:func:`certificates_sign_start`),
which stores the zip under MEDIA_ROOT and returns its name as the task's result.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry.models import Award, Decision
from registry.models.awards import DecisionStatus
from registry.services import papers
from registry.services.certificates import (
    _award_ids,
    _fetch,
    certificate_metadata,
    certificates_render_to,
    print_permission_require,
)
from registry.services.signing import office_signer, pdf_sign

# Info dictionary keys of a signed decision PDF (the number as printed, the registry's row).
DECISION_NUMBER_KEY = "RegistryDecisionNumber"
DECISION_ID_KEY = "RegistryDecisionId"
SIGNED_DIR = "signed"


def _require_issued(decision: Decision) -> None:
    if decision.status != DecisionStatus.ISSUED:
        raise ValidationError(
            f"Quyết định {decision.number or '(chưa có số)'} chưa ban hành: chỉ ký số quyết định "
            "và giấy khen đã ban hành. Bản dự thảo hãy in để xem trước."
        )


def decision_pdf_signed(*, decision: Decision, user=None, signer=None) -> bytes:
    """The decision with its list (papers.decision_pdf), signed with the office's key."""
    print_permission_require(user=user)
    _require_issued(decision)
    pdf = papers.decision_pdf(decision=decision)
    return pdf_sign(
        pdf,
        reason=f"Ban hành Quyết định số {decision.number}",
        metadata={DECISION_NUMBER_KEY: decision.number, DECISION_ID_KEY: str(decision.pk)},
        signer=signer,
    )


def certificate_file_name(award: Award) -> str:
    number = award.register_number or award.pk
    return f"giay-khen-{number:0>5}-{award.verification_code or award.pk}.pdf"


def _split_pages(data: bytes) -> list[bytes]:
    """One PDF per page of ``data`` (the chunk's fonts and images are shared, not re-rendered)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    out = []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        buffer = io.BytesIO()
        writer.write(buffer)
        out.append(buffer.getvalue())
    return out


def certificates_sign_to(
    *,
    awards,
    out: BinaryIO,
    user=None,
    signer=None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write a zip of one signed PDF per award (each with its verification code in its metadata)
    to ``out``, in the order given; log them as printed. How many were signed.

    Only awards of issued decisions; a revoked award is refused like printing refuses it.
    """
    print_permission_require(user=user)
    ids = _award_ids(awards)
    if not ids:
        raise ValidationError("Không có dòng khen thưởng nào để ký số.")
    chunk_size = max(1, settings.PRINT_CHUNK_SIZE)
    done = 0
    with (
        _signer_or_office(signer) as key,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive,
    ):
        for start in range(0, len(ids), chunk_size):
            chunk = _fetch(ids[start : start + chunk_size])
            for decision in {a.decision_id: a.decision for a in chunk}.values():
                _require_issued(decision)
            rendered = io.BytesIO()
            certificates_render_to(awards=[a.pk for a in chunk], out=rendered, user=user)
            for award, page in zip(chunk, _split_pages(rendered.getvalue()), strict=True):
                signed = pdf_sign(
                    page,
                    reason=f"Giấy khen theo Quyết định số {award.decision.number}",
                    metadata=certificate_metadata(award),
                    signer=key,
                )
                archive.writestr(certificate_file_name(award), signed)
            done += len(chunk)
            if progress:
                progress(done, len(ids))
    return done


class _signer_or_office:  # noqa: N801 - used as a context manager
    """The signer given, or the office's key from the settings for the duration of the block."""

    def __init__(self, signer):
        self.signer = signer
        self._office = None

    def __enter__(self):
        if self.signer is not None:
            return self.signer
        self._office = office_signer()
        return self._office.__enter__()

    def __exit__(self, *exc):
        if self._office is not None:
            return self._office.__exit__(*exc)
        return False


def certificates_signed_zip(*, awards, user=None, signer=None) -> bytes:
    buffer = io.BytesIO()
    certificates_sign_to(awards=awards, out=buffer, user=user, signer=signer)
    return buffer.getvalue()


def certificate_pdf_signed(*, award: Award, user=None, signer=None) -> bytes:
    """One award's certificate as a signed PDF on its own."""
    archive = zipfile.ZipFile(
        io.BytesIO(certificates_signed_zip(awards=[award.pk], user=user, signer=signer))
    )
    return archive.read(archive.namelist()[0])


# --- Large batches in the background ----------------------------------------------------------


def signing_needs_background(count: int) -> bool:
    return count > settings.SIGNING_BACKGROUND_THRESHOLD


@dataclass(frozen=True)
class SigningBatch:
    """Where a background signing batch stands: django-tasks' own record of the task."""

    task_id: str
    status: str  # READY, RUNNING, SUCCEEDED or FAILED
    file_name: str  # in the default storage, once SUCCEEDED
    error: str

    @property
    def finished(self) -> bool:
        return self.status in {"SUCCEEDED", "FAILED"}


def certificates_sign_start(*, awards, user=None, decision=None) -> SigningBatch:
    """Queue a batch for the background worker (manage.py db_worker); its task id and state.

    The checks a user can act on come first (permission, issued decision, signing configured);
    the worker checks every line again.
    """
    from registry.services.signing import NOT_CONFIGURED_MESSAGE, signing_configured
    from registry.tasks import certificates_sign_run

    print_permission_require(user=user)
    ids = _award_ids(awards)
    if not ids:
        raise ValidationError("Không có dòng khen thưởng nào để ký số.")
    if not signing_configured():
        raise ValidationError(NOT_CONFIGURED_MESSAGE)
    first = _fetch(ids[:1])
    if first:
        _require_issued(first[0].decision)
    user_id = user.pk if user is not None and user.is_authenticated else None
    result = certificates_sign_run.enqueue(ids, user_id, decision.pk if decision else None)
    return certificates_sign_status(str(result.id))


def certificates_sign_status(task_id: str) -> SigningBatch:
    """A queued batch's state; a refusal (ValidationError) in the worker reads as FAILED."""
    from registry.tasks import certificates_sign_run

    result = certificates_sign_run.get_result(task_id)
    status = str(getattr(result.status, "value", result.status))
    file_name = error = ""
    if status == "SUCCESSFUL":
        value = result.return_value or {}
        file_name, error = value.get("file", ""), value.get("error", "")
        status = "FAILED" if error else "SUCCEEDED"
    elif status == "FAILED":
        error = "Lỗi khi ký số ở tiến trình nền. Hãy báo cho người quản trị."
        if result.errors:
            error += " (" + result.errors[-1].traceback.strip().splitlines()[-1] + ")"
    return SigningBatch(task_id=task_id, status=status, file_name=file_name, error=error)


def certificates_sign_execute(
    *, award_ids: list[int], user_id: int | None = None, decision_id: int | None = None
) -> str:
    """The worker's side: sign the batch into a zip in the default storage; the file's name."""
    import tempfile

    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.core.files.storage import default_storage

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    stem = f"giay-khen-ky-so-{decision_id}" if decision_id else "giay-khen-ky-so"
    name = f"{SIGNED_DIR}/{timezone.localdate():%Y/%m}/{stem}-{uuid.uuid4().hex[:12]}.zip"
    with tempfile.TemporaryFile() as tmp:
        certificates_sign_to(awards=award_ids, out=tmp, user=user)
        tmp.seek(0)
        return default_storage.save(name, File(tmp))
