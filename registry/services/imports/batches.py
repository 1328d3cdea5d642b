"""The batch an upload becomes: previewed, then confirmed or discarded; the report of it."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from registry.models import Authority, AwardType, Decision, ImportBatch, ImportStatus
from registry.resources import RESOURCES

from .awardtypes import kinds_from_award_types
from .kinds import KINDS
from .kinds.base import line_counts
from .lines import INDIVIDUAL, ImportLine
from .matching import ambiguous_problems, apply_choices
from .rows import clean_person, parse_sheets
from .workbook import FileProblem, hidden_sheets, problem, workbook_rows


def import_preview(
    *,
    kind: str,
    data: bytes,
    file_name: str,
    decision: Decision | None = None,
    authority: Authority | None = None,
    award_type: AwardType | None = None,
    user=None,
    resource=None,
) -> ImportBatch:
    """Read and check a workbook; a batch saved for confirmation, or unsaved with its errors."""
    resource = resource or RESOURCES[kind]()
    if decision is not None:
        decision = Decision.objects.select_related("authority").get(pk=decision.pk)
        authority = decision.authority
    batch = ImportBatch(
        kind=kind,
        decision=decision,
        authority=authority,
        award_type=award_type,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        created_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
    )
    handler = KINDS[kind]
    payload = {"lines": [], "problems": [], "notes": []}
    kept: list[ImportLine] = []
    try:
        handler.check(batch)
        sheets, encoding, problems = workbook_rows(data)
        batch.legacy_encoding = encoding
        for title in hidden_sheets(data):
            payload["notes"].append(
                f"Trang “{title}” đang ẩn nên không đọc. Nếu trang này có danh sách cần nhập, "
                "hãy bỏ ẩn trang (chuột phải vào tên trang, chọn Bỏ ẩn) rồi tải lên lại."
            )
        lines, read_problems = parse_sheets(
            sheets=sheets, resource=resource, default_kind=INDIVIDUAL, notes=payload["notes"]
        )
        # What the reader found on rows that are not lines (blank, styled, other sheets) matters
        # to no one.
        read = {(line.sheet, line.row) for line in lines}
        problems = [p for p in problems if p["row"] is None or (p["sheet"], p["row"]) in read]
        problems += read_problems
        kinds_from_award_types(lines, award_type, authority)
        today = timezone.localdate()
        for line in lines:
            clean_person(line, problems, today)
        handler.preview(batch, lines, problems, award_type)
        kept = lines
    except FileProblem as refused:
        problems = [problem(str(refused))]
    payload["problems"] = sorted(
        problems, key=lambda p: (p["sheet"] is not None, p["sheet"] or "", p["row"] or 0)
    )
    if batch.legacy_encoding:
        payload["notes"].append(
            f"Tệp gõ bằng bảng mã cũ {batch.legacy_encoding}; đã chuyển sang Unicode. "
            "Hãy xem lại tên người trong bản xem trước."
        )
    payload["lines"] = [line.to_dict() for line in kept]
    payload["counts"] = line_counts(kept)
    if kept and payload["counts"]["unchanged"] == len(kept):
        payload["notes"].append(
            f"Cả {len(kept)} dòng đã có trong sổ (tệp này đã được nhập): không có gì mới để nhập."
        )
    batch.payload = payload
    if not payload["problems"]:
        batch.save()
    return batch


def preview_expiry():
    """Previews uploaded before this moment can no longer be confirmed."""
    return timezone.now() - timedelta(days=settings.IMPORT_PREVIEW_DAYS)


def import_batches_clear() -> int:
    """Delete the expired previews, whose payload holds a whole list; returns how many."""
    deleted, _ = ImportBatch.objects.filter(
        status=ImportStatus.PREVIEW, created_at__lt=preview_expiry()
    ).delete()
    return deleted


def import_confirm(
    *,
    batch: ImportBatch,
    choices: dict | None = None,
    reasons: dict | None = None,
    user=None,
) -> ImportBatch:
    """Write what the preview holds, all or nothing. choices: {line index: recipient id | "new"};
    reasons: {line index: the council's reason for a line the rule in force warned about}."""
    choices = {str(k): v for k, v in (choices or {}).items()}
    reasons = {str(k): str(v or "") for k, v in (reasons or {}).items()}
    user = user if user is not None else batch.created_by
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.PREVIEW:
            raise ValidationError(
                f"Tệp {batch.file_name} đã được {batch.get_status_display().lower()}; "
                "không nhập lại từ bản xem trước này."
            )
        if batch.created_at < preview_expiry():
            uploaded = timezone.localtime(batch.created_at).strftime("%d/%m/%Y")
            raise ValidationError(
                f"Bản xem trước của tệp {batch.file_name} (tải lên ngày {uploaded}) đã quá "
                f"{settings.IMPORT_PREVIEW_DAYS} ngày nên hết hạn: danh mục và sổ có thể đã "
                "thay đổi. Hãy tải tệp lên lại để xem trước rồi nhập."
            )
        lines = batch_lines(batch)
        missing = ambiguous_problems(lines, choices)
        if missing:
            raise ValidationError(missing)
        apply_choices(lines, choices)
        try:
            summary = KINDS[batch.kind].confirm(batch, lines, reasons, user)
        except IntegrityError as exc:
            raise ValidationError(
                f"Cơ sở dữ liệu từ chối ghi ({exc}). Không có gì được nhập; hãy tải tệp lên lại."
            ) from exc
        batch.payload = {**batch.payload, "lines": [line.to_dict() for line in lines]}
        batch.summary = summary
        batch.status = ImportStatus.IMPORTED
        batch.imported_at = timezone.now()
        batch.save(update_fields=["payload", "summary", "status", "imported_at"])
    return batch


def import_discard(*, batch: ImportBatch) -> ImportBatch:
    if batch.status == ImportStatus.PREVIEW:
        batch.status = ImportStatus.DISCARDED
        batch.save(update_fields=["status"])
    return batch


def problems_as_text(problems: list[dict]) -> list[str]:
    """'Trang “DS”, dòng 12, cột C: …' for messages and the command line."""
    result = []
    for p in problems:
        where = []
        if p.get("sheet"):
            where.append(f"Trang “{p['sheet']}”")
        if p.get("row"):
            where.append(f"dòng {p['row']}")
        if p.get("column"):
            where.append(f"cột {p['column']}")
        result.append(f"{', '.join(where)}: {p['message']}" if where else p["message"])
    return result


def import_report(batch: ImportBatch) -> dict:
    """The JSON the commands print."""
    counts = batch.payload.get("counts", {})
    return {
        "collectives": counts.get("collectives", 0),
        "individuals": counts.get("individuals", 0),
        "households": counts.get("households", 0),
        "new_recipients": counts.get("new_recipients", 0),
        "matched_recipients": counts.get("matched_recipients", 0),
        "unchanged": counts.get("unchanged", 0),
        "errors": [
            {k: p.get(k) for k in ("sheet", "row", "column", "message")}
            for p in batch.payload.get("problems", [])
        ],
    }


def batch_lines(batch: ImportBatch) -> list[ImportLine]:
    """The lines a batch's payload holds, typed."""
    return [ImportLine.from_dict(line) for line in batch.payload.get("lines", [])]
