"""Finding the people a list names among the office's records, in bulk, never guessing; and
creating the ones that are new, with their history rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from registry.models import Authority, Award, Collective, Household, Individual
from registry.services.awards import history_user
from registry.text import fold

from .lines import COLLECTIVE, HOUSEHOLD, INDIVIDUAL, KIND_MODELS, ImportLine
from .workbook import problem

QUERY_CHUNK = 5000


def chunks(values, size=QUERY_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _visible(model, authority: Authority):
    """Records the office may see: registered by it, or given an award by it."""
    field = {Collective: "collective", Individual: "individual", Household: "household"}[model]
    awarded = Award.objects.filter(authority=authority, **{f"{field}__isnull": False}).values(
        f"{field}_id"
    )
    return model.objects.filter(Q(registered_by=authority) | Q(pk__in=awarded))


def _label(kind: str, obj) -> str:
    if kind == INDIVIDUAL:
        parts = [obj.full_name]
        if obj.birth_date:
            parts.append(f"sinh {obj.birth_date:%d/%m/%Y}")
        elif obj.birth_year:
            parts.append(f"sinh {obj.birth_year}")
        if obj.position:
            parts.append(obj.position)
        if obj.unit_label:
            parts.append(obj.unit_label)
        if obj.citizen_id:
            parts.append(f"CCCD …{obj.citizen_id[-4:]}")
        return ", ".join(parts)
    if kind == COLLECTIVE:
        return f"{obj.name}, {obj.parent_name}" if obj.parent_name else obj.name
    return f"Hộ {obj.head_name}, {obj.address}" if obj.address else f"Hộ {obj.head_name}"


def match_recipients(*, lines: list[ImportLine], authority: Authority) -> dict:
    """Set line.match to new / matched / ambiguous, with recipient_id and candidates.

    Individuals: citizen ID first (unique in the registry), then the folded name among the
    office's records, confirmed by birth and unit. Never guesses between two candidates.
    Returns the matched objects by (kind, id).
    """
    objects: dict[tuple, object] = {}
    people = [line for line in lines if line.kind == INDIVIDUAL]
    by_cid: dict[str, Individual] = {}
    by_name: dict[str, list[Individual]] = defaultdict(list)
    cids = {line.citizen_id for line in people if line.citizen_id}
    names = {fold(line.name) for line in people}
    for chunk in chunks(cids):
        for person in Individual.objects.filter(citizen_id__in=chunk).select_related("unit"):
            by_cid[person.citizen_id] = person
    visible = _visible(Individual, authority).select_related("unit")
    for chunk in chunks(names):
        for person in visible.filter(search_key__in=chunk):
            by_name[person.search_key].append(person)

    others: dict[str, dict[str, list]] = {
        COLLECTIVE: defaultdict(list),
        HOUSEHOLD: defaultdict(list),
    }
    for kind, model, name_field in (
        (COLLECTIVE, Collective, "name"),
        (HOUSEHOLD, Household, "head_name"),
    ):
        if any(line.kind == kind for line in lines):
            for obj in _visible(model, authority).select_related("unit"):
                others[kind][fold(getattr(obj, name_field))].append(obj)

    for line in lines:
        kind = line.kind
        unit = fold(line.unit)
        chosen, candidates = None, []
        if kind == INDIVIDUAL:
            if line.citizen_id and line.citizen_id in by_cid:
                chosen = by_cid[line.citizen_id]
            else:
                pool = []
                for person in by_name.get(fold(line.name), []):
                    if line.citizen_id and person.citizen_id:
                        continue  # both have an ID and they differ
                    if _birth_conflict(line, person):
                        continue
                    pool.append(person)
                confirmed = [p for p in pool if _birth_equal(line, p) or _unit_equal(unit, p)]
                if len(confirmed) > 1:
                    both = [p for p in confirmed if _birth_equal(line, p) and _unit_equal(unit, p)]
                    confirmed = both if len(both) == 1 else confirmed
                if len(confirmed) == 1:
                    chosen = confirmed[0]
                else:
                    candidates = confirmed or pool
        else:
            pool = others[kind].get(fold(line.name), [])
            if len(pool) > 1 and unit:
                narrowed = [o for o in pool if _unit_equal(unit, o)]
                pool = narrowed or pool
            if len(pool) == 1:
                chosen = pool[0]
            else:
                candidates = pool
        if chosen is not None:
            line.match, line.recipient_id = "matched", chosen.pk
            line.label = _label(kind, chosen)
            objects[(kind, chosen.pk)] = chosen
        elif candidates:
            line.match, line.recipient_id = "ambiguous", None
            line.candidates = [{"id": c.pk, "label": _label(kind, c)} for c in candidates[:20]]
            for c in candidates:
                objects[(kind, c.pk)] = c
        else:
            line.match, line.recipient_id = "new", None
    return objects


def _birth_equal(line: ImportLine, person: Individual) -> bool:
    if line.birth_date and person.birth_date:
        return line.birth_date == person.birth_date.isoformat()
    year = person.birth_year or (person.birth_date.year if person.birth_date else None)
    return bool(line.birth_year and year and line.birth_year == year)


def _birth_conflict(line: ImportLine, person: Individual) -> bool:
    year = person.birth_year or (person.birth_date.year if person.birth_date else None)
    if line.birth_year and year and line.birth_year != year:
        return True
    return bool(
        line.birth_date and person.birth_date and line.birth_date != person.birth_date.isoformat()
    )


def _unit_equal(unit: str, obj) -> bool:
    if not unit:
        return False
    if isinstance(obj, Individual):
        labels = {fold(obj.workplace), fold(obj.unit.name) if obj.unit_id else ""}
    elif isinstance(obj, Collective):
        labels = {fold(obj.parent_name), fold(obj.unit.name) if obj.unit_id else ""}
    else:
        labels = {fold(obj.address), fold(obj.unit.name) if obj.unit_id else ""}
    return unit in labels - {""}


def same_person_twice(lines, problems) -> None:
    first: dict[tuple, ImportLine] = {}
    for line in lines:
        if line.match == "ambiguous":
            continue
        key = line.identity()
        if key in first:
            other = first[key]
            line.twice = True
            problems.append(
                problem(
                    f"{line.name} có hai lần trong danh sách (trùng với dòng {other.row} "
                    f"trang “{other.sheet}”). Hãy xóa một dòng.",
                    line.sheet,
                    line.row,
                    line.cols.get("name"),
                )
            )
        else:
            first[key] = line


def new_refs(lines) -> None:
    """One reference per new recipient, shared by the lines that name the same new person."""
    refs: dict[tuple, int] = {}
    for line in lines:
        if line.match != "matched":
            key = line.person_key() if line.match == "new" else ("line", line.row)
            line.new_ref = refs.setdefault(key, len(refs) + 1)


def stub(kind: str, line: ImportLine, authority: Authority):
    if kind == INDIVIDUAL:
        return Individual(
            full_name=line.name,
            gender=line.gender or "",
            birth_date=date.fromisoformat(line.birth_date) if line.birth_date else None,
            birth_year=line.birth_year,
            position=line.position or "",
            workplace=(line.unit or "")[:255],
            citizen_id=line.citizen_id or None,
            registered_by=authority,
        )
    if kind == COLLECTIVE:
        return Collective(
            name=line.name, parent_name=(line.unit or "")[:255], registered_by=authority
        )
    return Household(head_name=line.name, address=(line.unit or "")[:255], registered_by=authority)


def ambiguous_problems(lines, choices) -> list[str]:
    missing = []
    for index, line in enumerate(lines):
        if line.match == "ambiguous" and str(index) not in choices:
            missing.append(
                f"Trang “{line.sheet}”, dòng {line.row}: có {len(line.candidates)} hồ sơ "
                f"giống “{line.name}”. Hãy chọn đúng người (hoặc “tạo mới”) trong bản xem "
                "trước, hoặc ghi thêm số CCCD, năm sinh vào tệp."
            )
    return missing


def apply_choices(lines, choices) -> None:
    for index, line in enumerate(lines):
        if line.match != "ambiguous":
            continue
        choice = str(choices[str(index)])
        allowed = {str(c["id"]) for c in line.candidates}
        if choice == "new":
            line.match = "new"
        elif choice in allowed:
            line.match, line.recipient_id = "matched", int(choice)
        else:
            raise ValidationError(f"Dòng {line.row}: lựa chọn không hợp lệ.")


def create_recipients(lines, authority, user) -> dict[tuple, object]:
    """bulk_create the new recipients with their history rows (keys set by hand: bulk_create
    skips save())."""
    created: dict[tuple, object] = {}
    by_kind: dict[str, list] = defaultdict(list)
    for line in lines:
        if line.match == "new" and not line.unchanged:
            key = (line.kind, line.new_ref)
            if key not in created:
                obj = stub(line.kind, line, authority)
                obj.refresh_keys()
                created[key] = obj
                by_kind[line.kind].append(obj)
    for kind, objs in by_kind.items():
        bulk_create_with_history(
            objs, KIND_MODELS[kind], batch_size=1000, default_user=history_user(user)
        )
    return created


def load_matched(lines) -> dict[tuple, object]:
    ids = defaultdict(set)
    for line in lines:
        if line.match == "matched" and not line.unchanged:
            ids[line.kind].add(line.recipient_id)
    found = {}
    for kind, wanted in ids.items():
        for chunk in chunks(wanted):
            for obj in KIND_MODELS[kind].objects.filter(pk__in=chunk).select_related("unit"):
                found[(kind, obj.pk)] = obj
    missing = sum(len(v) for v in ids.values()) - len(found)
    if missing:
        raise ValidationError(
            f"{missing} hồ sơ đã khớp lúc xem trước nay không còn (đã xóa hoặc gộp). "
            "Hãy tải tệp lên lại."
        )
    return found


def recipient_of(line: ImportLine, matched: dict, created: dict):
    """The record a line is written for: the one matched, or the one just created."""
    if line.match == "matched":
        return matched[(line.kind, line.recipient_id)]
    return created[(line.kind, line.new_ref)]
