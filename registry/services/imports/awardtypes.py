"""Which catalogue award type a written name means: by code, name or certificate title,
narrowed by the level of the authority giving it, then by the kind of recipient.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError

from registry.models import Authority, AwardType
from registry.text import fold

from .lines import KIND_MODELS
from .rows import header_key
from .workbook import FileProblem, problem


def _award_types() -> dict[str, AwardType]:
    table: dict[str, AwardType] = {}
    types = list(AwardType.objects.all())
    for award_type in types:
        table.setdefault(fold(award_type.code), award_type)
        table.setdefault(header_key(award_type.name), award_type)
    titles = defaultdict(list)
    for award_type in types:
        titles[header_key(award_type.certificate_title)].append(award_type)
    for title, found in titles.items():
        if len(found) == 1:
            table.setdefault(title, found[0])
    return table


def award_type_by_code(code: str) -> AwardType:
    found = _award_types().get(fold(code)) or _award_types().get(header_key(code))
    if found is None:
        raise ValidationError(
            f"Không có hình thức khen thưởng mã “{code}”. Xem danh mục hình thức khen thưởng."
        )
    return found


# The award level an authority's own awards carry: "Bằng khen" on a province's decision is the
# province's Bằng khen, not the Prime Minister's.
_AWARD_LEVEL = {
    "chu-tich-nuoc": "nha-nuoc",
    "chinh-phu": "chinh-phu",
    "tinh": "bo-tinh",
    "huyen": "co-so",
    "xa": "co-so",
    "don-vi": "co-so",
}


def _award_index() -> tuple[dict[str, list[AwardType]], dict[str, list[AwardType]]]:
    """({code or name: types}, {certificate title: types}), names winning over titles."""
    names: dict[str, list[AwardType]] = defaultdict(list)
    titles: dict[str, list[AwardType]] = defaultdict(list)
    for award_type in AwardType.objects.all():
        for key in {fold(award_type.code), header_key(award_type.name)}:
            names[key].append(award_type)
        titles[header_key(award_type.certificate_title)].append(award_type)
    return names, titles


def _award_candidates(typed, index, authority: Authority | None, kind: str | None):
    """The catalogue types a written award name can mean, narrowed by level, then kind."""
    names, titles = index
    key = header_key(typed)
    found = names.get(key) or names.get(fold(typed)) or titles.get(key) or []
    if len(found) > 1 and authority is not None:
        level = _AWARD_LEVEL.get(authority.level)
        found = [t for t in found if t.level == level] or found
    if len(found) > 1 and kind:
        found = [t for t in found if t.allows(kind)] or found
    return found


def kinds_from_award_types(lines, default: AwardType | None, authority) -> None:
    """Lines of no stated kind take the one kind their award type admits (Tập thể LĐTT)."""
    todo = [line for line in lines if not line.kind_known]
    if not todo:
        return
    index = _award_index()
    for line in todo:
        typed = line.award_type
        found = _award_candidates(typed, index, authority, None) if typed else [default]
        kinds = {kind for t in found if t is not None for kind in KIND_MODELS if t.allows(kind)}
        if len(kinds) == 1:
            line.kind = kinds.pop()


def resolve_award_types(
    lines, problems, default: AwardType | None, has_column: bool, authority=None
):
    if not has_column and default is None and lines:
        raise FileProblem(
            "Danh sách không có cột “Hình thức khen thưởng”. Hãy chọn hình thức khen thưởng "
            "chung cho cả danh sách khi tải lên (dòng lệnh: --award-type MÃ)."
        )
    index = _award_index()
    by_id: dict[int, AwardType] = {}
    for line in lines:
        typed = line.award_type
        where = (line.sheet, line.row, line.cols.get("award_type"))
        found = _award_candidates(typed, index, authority, line.kind) if typed else [default]
        if len(found) > 1:
            names = ", ".join(f"“{t.name}” (mã {t.code})" for t in found)
            problems.append(
                problem(
                    f"“{typed}” có thể là {len(found)} hình thức trong danh mục: {names}. "
                    "Hãy ghi tên đầy đủ hoặc mã của hình thức đúng.",
                    *where,
                )
            )
            line.award_type_id = None
            continue
        if not found or found[0] is None:
            if typed:
                message = (
                    f"Không có hình thức khen thưởng “{typed}” trong danh mục. Hãy ghi đúng tên "
                    "(ví dụ “Giấy khen”) hoặc chọn trong danh sách thả xuống của tệp mẫu."
                )
            else:
                message = (
                    "Thiếu hình thức khen thưởng. Hãy ghi hoặc chọn hình thức mặc định khi tải lên."
                )
            problems.append(problem(message, *where))
            line.award_type_id = None
            continue
        found = found[0]
        line.award_type_id = found.pk
        line.award_type_name = found.name
        by_id[found.pk] = found
    return by_id
