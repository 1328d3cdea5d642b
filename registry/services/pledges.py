"""Write paths for movements, pledges and targets: launch, pledge, sign, results, proposal.

Every function validates the whole input first and writes in one transaction: a bad line
(a target without a planned value, a signature by a unit outside the bloc, a result for a unit
that did not sign, a spreadsheet cell that is not a number) changes nothing, and the error says
in Vietnamese where the problem is and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from simple_history.utils import bulk_create_with_history

from registry.models import (
    Authority,
    Award,
    Bloc,
    BlocAwardRule,
    BlocMembership,
    Campaign,
    Collective,
    Decision,
    Pledge,
    PledgeSignatory,
    Target,
    TargetResult,
    TargetSet,
    Unit,
)
from registry.models.awards import LoaiHinh
from registry.models.campaigns import CampaignForm, RatingGrade, TargetSetKind
from registry.selectors.eligibility import award_eligibility_warnings
from registry.selectors.law import bloc_award_rule
from registry.selectors.targets import bloc_ranking, number_vi
from registry.services.awards import awards_add
from registry.services.decisions import award_type_allowed, decision_create
from registry.services.heading import MOTTO

FONTS_DIR = Path(settings.BASE_DIR) / "registry" / "static" / "registry" / "fonts"


def day_vi(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def long_day_vi(day: date) -> str:
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def _raise(problems: list[str]) -> None:
    if problems:
        raise ValidationError(problems)


# ----------------------------------------------------------------------------------- movements


def campaign_problems(*, campaign: Campaign) -> dict[str, list[str]]:
    """The review dates must fall in the movement's period; by field, in Vietnamese."""
    errors: dict[str, list[str]] = {}
    start, end = campaign.start_date, campaign.end_date
    mid, final = campaign.midterm_review_date, campaign.final_review_date
    if mid and start and (mid < start or (end and mid > end)):
        errors["midterm_review_date"] = [
            f"Ngày sơ kết {day_vi(mid)} phải nằm trong thời gian của phong trào "
            f"(từ {day_vi(start)}{' đến ' + day_vi(end) if end else ''})."
        ]
    if final and start and final < start:
        errors["final_review_date"] = [
            f"Ngày tổng kết {day_vi(final)} không được trước ngày bắt đầu {day_vi(start)}."
        ]
    if final and mid and final < mid:
        errors.setdefault("final_review_date", []).append(
            f"Ngày tổng kết {day_vi(final)} không được trước ngày sơ kết {day_vi(mid)}."
        )
    if campaign.launched_on and end and campaign.launched_on > end:
        errors["launched_on"] = [
            f"Ngày phát động {day_vi(campaign.launched_on)} sau khi phong trào đã kết thúc."
        ]
    return errors


def campaign_save(*, campaign: Campaign) -> Campaign:
    """Validate the period and its review dates, then save (the admin form comes through here)."""
    errors = campaign_problems(campaign=campaign)
    try:
        campaign.full_clean()
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            errors.setdefault(field_name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    campaign.save()
    return campaign


@transaction.atomic
def campaign_launch(
    *,
    authority: Authority,
    name: str,
    start_date: date,
    form: str = CampaignForm.REGULAR,
    theme: str = "",
    scope: str = "",
    goals: str = "",
    criteria: str = "",
    legal_basis: str = "",
    launched_on: date | None = None,
    end_date: date | None = None,
    midterm_review_date: date | None = None,
    final_review_date: date | None = None,
    units: Iterable[Unit] = (),
) -> Campaign:
    """Phát động phong trào thi đua: the launching authority, theme, period, taking part."""
    campaign = Campaign(
        authority=authority,
        name=name.strip(),
        theme=theme,
        form=form,
        scope=scope,
        goals=goals,
        criteria=criteria,
        legal_basis=legal_basis,
        launched_on=launched_on or start_date,
        start_date=start_date,
        end_date=end_date,
        midterm_review_date=midterm_review_date,
        final_review_date=final_review_date,
    )
    campaign_save(campaign=campaign)
    campaign.units.set(list(units))
    return campaign


# ------------------------------------------------------------------------------------- targets


@dataclass
class TargetSpec:
    text: str
    planned_value: Decimal | int | float | str | None
    measure: str = ""
    higher_is_better: bool = True


def to_decimal(value) -> Decimal | None:
    """A number typed the Vietnamese way or the English way: '107,14', '1.213.353', 38.8."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    if not text:
        return None
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(value) from error
    if not number.is_finite():
        raise ValueError(value)
    return number


def _target_specs(targets: Sequence[TargetSpec | dict]) -> tuple[list[TargetSpec], list[str]]:
    specs, problems = [], []
    for index, raw in enumerate(targets, start=1):
        spec = raw if isinstance(raw, TargetSpec) else TargetSpec(**raw)
        label = f"Chỉ tiêu số {index}" + (f" («{spec.text.strip()}»)" if spec.text else "")
        if not (spec.text or "").strip():
            problems.append(f"Chỉ tiêu số {index}: chưa ghi nội dung chỉ tiêu.")
        try:
            planned = to_decimal(spec.planned_value)
        except ValueError:
            problems.append(
                f"{label}: giá trị kế hoạch «{spec.planned_value}» không phải là số. "
                "Hãy ghi số, ví dụ 100 hoặc 38,5."
            )
            continue
        if planned is None:
            problems.append(
                f"{label}: chưa có giá trị kế hoạch. Hãy ghi số kế hoạch của chỉ tiêu "
                "(chỉ tiêu đánh giá theo mức hoàn thành thì ghi 100, đơn vị tính % khối lượng)."
            )
            continue
        specs.append(
            TargetSpec(
                text=spec.text.strip(),
                planned_value=planned,
                measure=(spec.measure or "").strip(),
                higher_is_better=spec.higher_is_better,
            )
        )
    return specs, problems


def _targets_write(target_set: TargetSet, specs: list[TargetSpec]) -> list[Target]:
    start = target_set.targets.order_by("-order").values_list("order", flat=True).first() or 0
    created = []
    for offset, spec in enumerate(specs, start=1):
        target = Target(
            target_set=target_set,
            order=start + offset,
            text=spec.text,
            measure=spec.measure,
            planned_value=spec.planned_value,
            higher_is_better=spec.higher_is_better,
        )
        target.full_clean()
        target.save()
        created.append(target)
    return created


@transaction.atomic
def targets_add(*, target_set: TargetSet, targets: Sequence[TargetSpec | dict]) -> list[Target]:
    """Add targets to a set, numbered after the last one; all or none."""
    specs, problems = _target_specs(targets)
    _raise(problems)
    return _targets_write(target_set, specs)


def target_save(*, target: Target) -> Target:
    """One target from the admin: a planned value is required, as a clear error."""
    if target.planned_value is None:
        raise ValidationError(
            {"planned_value": "Chưa có giá trị kế hoạch. Hãy ghi số kế hoạch của chỉ tiêu."}
        )
    if not target.order:
        last = (
            Target.objects.filter(target_set_id=target.target_set_id)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
        )
        target.order = (last or 0) + 1
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def target_set_create(
    *,
    kind: str,
    title: str,
    year: int,
    authority: Authority,
    targets: Sequence[TargetSpec | dict],
    unit: Unit | None = None,
    set_by: str = "",
) -> TargetSet:
    """A head-of-unit assignment (giao chỉ tiêu) or a locality's plan, with its targets."""
    if kind == TargetSetKind.PLEDGE:
        raise ValidationError(
            "Bộ chỉ tiêu của giao ước thi đua được lập cùng giao ước (pledge_create)."
        )
    specs, problems = _target_specs(targets)
    if unit is None:
        problems.insert(0, "Chưa chọn đơn vị, địa phương được giao chỉ tiêu.")
    _raise(problems)
    target_set = TargetSet(
        kind=kind, title=title, year=year, authority=authority, unit=unit, set_by=set_by
    )
    target_set.full_clean()
    target_set.save()
    _targets_write(target_set, specs)
    return target_set


# ------------------------------------------------------------------------------------- pledges


def bloc_units(*, bloc: Bloc, year: int) -> list[Unit]:
    return [
        m.unit for m in BlocMembership.objects.filter(bloc=bloc, year=year).select_related("unit")
    ]


def _pledge_duplicate(pledge: Pledge) -> Pledge | None:
    if not pledge.bloc_id or not pledge.year:
        return None
    return (
        Pledge.objects.filter(bloc_id=pledge.bloc_id, year=pledge.year)
        .exclude(pk=pledge.pk)
        .first()
    )


def pledge_problems(*, pledge: Pledge) -> dict[str, list[str]]:
    """One pledge per bloc and year, said with the pledge that is already there."""
    twin = _pledge_duplicate(pledge)
    if twin is None:
        return {}
    return {
        "year": [
            f"{pledge.bloc} đã có giao ước thi đua năm {pledge.year} («{twin.title}», "
            f"ký ngày {day_vi(twin.ceremony_date)}). Mỗi khối mỗi năm chỉ có một giao ước: "
            "hãy mở giao ước đó để sửa."
        ]
    }


def pledge_save(*, pledge: Pledge) -> Pledge:
    """Create or update a pledge: one per bloc and year; a new one gets its target set and an
    unsigned line for every member of the bloc that year (the admin comes through here)."""
    if pledge.bloc_id and not pledge.authority_id:
        pledge.authority_id = pledge.bloc.authority_id
    problems = pledge_problems(pledge=pledge)
    if problems:
        raise ValidationError(problems)
    creating = pledge.pk is None
    with transaction.atomic():
        pledge.full_clean()
        pledge.save()
        target_set = TargetSet.objects.filter(pledge=pledge).first()
        if target_set is None:
            target_set = TargetSet(
                kind=TargetSetKind.PLEDGE,
                pledge=pledge,
                title=pledge.title,
                year=pledge.year,
                authority_id=pledge.authority_id,
            )
            target_set.full_clean()
            target_set.save()
        elif target_set.year != pledge.year or target_set.authority_id != pledge.authority_id:
            target_set.year, target_set.authority_id = pledge.year, pledge.authority_id
            target_set.save(update_fields=["year", "authority"])
        if creating and pledge.bloc_id:
            # With history rows, like every other write (the request's user where there is one).
            bulk_create_with_history(
                [
                    PledgeSignatory(pledge=pledge, unit=unit)
                    for unit in bloc_units(bloc=pledge.bloc, year=pledge.year)
                ],
                PledgeSignatory,
            )
    return pledge


@transaction.atomic
def pledge_create(
    *,
    year: int,
    title: str,
    ceremony_date: date,
    targets: Sequence[TargetSpec | dict],
    bloc: Bloc | None = None,
    authority: Authority | None = None,
    place: str = "",
    campaign: Campaign | None = None,
) -> Pledge:
    """Lập giao ước thi đua of a bloc for a year, with its targets, ready to be signed."""
    specs, problems = _target_specs(targets)
    if bloc is None and authority is None:
        problems.insert(0, "Giao ước phải thuộc một khối thi đua hoặc một cấp tổ chức.")
    if bloc is not None and not BlocMembership.objects.filter(bloc=bloc, year=year).exists():
        problems.insert(
            0,
            f"{bloc} chưa có thành viên năm {year}. Hãy ghi các đơn vị thành viên, khối trưởng, "
            "khối phó của năm trước khi lập giao ước.",
        )
    if not specs and not problems:
        problems.append("Giao ước chưa có chỉ tiêu nào. Hãy ghi ít nhất một chỉ tiêu.")
    _raise(problems)
    pledge = Pledge(
        authority=authority or bloc.authority,
        bloc=bloc,
        campaign=campaign,
        year=year,
        title=title.strip(),
        ceremony_date=ceremony_date,
        place=place,
    )
    pledge_save(pledge=pledge)
    _targets_write(pledge.target_set, specs)
    return pledge


@dataclass
class Signature:
    unit: Unit
    signer_name: str = ""
    signer_title: str = ""
    signed: bool = True
    signed_on: date | None = None


def pledge_allowed_units(*, pledge: Pledge) -> set[int] | None:
    """Units that may sign: the bloc's members that year; a movement's units; None: any."""
    if pledge.bloc_id:
        return set(
            BlocMembership.objects.filter(bloc_id=pledge.bloc_id, year=pledge.year).values_list(
                "unit_id", flat=True
            )
        )
    if pledge.campaign_id:
        units = set(pledge.campaign.units.values_list("id", flat=True))
        return units or None
    return None


def signatures_problems(*, pledge: Pledge, signatures: Sequence[Signature]) -> list[list[str]]:
    """Each signature's problems, in order (empty lists when fine). Two queries."""
    allowed = pledge_allowed_units(pledge=pledge)
    group = (
        f"{pledge.bloc} năm {pledge.year}" if pledge.bloc_id else f"phong trào {pledge.campaign}"
    )
    seen: set[int] = set()
    problems: list[list[str]] = []
    for signature in signatures:
        found = []
        unit = signature.unit
        if allowed is not None and unit.pk not in allowed:
            found.append(
                f"{unit} không thuộc {group} nên không ký giao ước «{pledge.title}» được. "
                "Hãy thêm đơn vị vào khối (đúng năm) trước, hoặc chọn đúng đơn vị."
            )
        if unit.pk in seen:
            found.append(f"{unit} được ghi hai lần trong danh sách ký.")
        seen.add(unit.pk)
        if signature.signed and not signature.signer_name.strip():
            found.append(f"Chưa ghi họ tên người ký của {unit}.")
        if signature.signed_on and signature.signed_on.year > pledge.year:
            found.append(
                f"Ngày ký {day_vi(signature.signed_on)} của {unit} sau năm {pledge.year} "
                "của giao ước."
            )
        problems.append(found)
    return problems


@transaction.atomic
def pledge_sign(*, pledge: Pledge, signatures: Sequence[Signature]) -> list[PledgeSignatory]:
    """Record signatures (or invitations, signed=False): all of them, or none when one is wrong."""
    problems = [
        message
        for found in signatures_problems(pledge=pledge, signatures=signatures)
        for message in found
    ]
    _raise(problems)
    existing = {
        s.unit_id: s
        for s in PledgeSignatory.objects.filter(
            pledge=pledge, unit_id__in=[sig.unit.pk for sig in signatures]
        )
    }
    saved = []
    for signature in signatures:
        row = existing.get(signature.unit.pk) or PledgeSignatory(pledge=pledge, unit=signature.unit)
        row.signer_name = signature.signer_name.strip()
        row.signer_title = signature.signer_title.strip()
        row.signed = signature.signed
        row.signed_on = (signature.signed_on or pledge.ceremony_date) if signature.signed else None
        row.full_clean()
        row.save()
        saved.append(row)
    return saved


def pledge_pdf(*, pledge: Pledge) -> bytes:
    """The pledge to print for the ceremony: the targets and a table to sign, in Noto Serif."""
    from weasyprint import HTML

    target_set = TargetSet.objects.filter(pledge=pledge).first()
    targets = list(target_set.targets.all()) if target_set else []
    signatories = list(pledge.signatories.select_related("unit"))
    authority = pledge.authority
    html = render_to_string(
        "registry/pledges/pledge.html",
        {
            "pledge": pledge,
            "authority": authority,
            "organ": authority.organ or authority.name,
            "motto": MOTTO,
            "targets": [
                {
                    "order": t.order,
                    "text": t.text,
                    "measure": t.measure,
                    "planned": number_vi(t.planned_value),
                    "direction": "" if t.higher_is_better else "không quá",
                }
                for t in targets
            ],
            "signatories": signatories,
            "ceremony_long": long_day_vi(pledge.ceremony_date),
            "place_name": authority.place_name,
            "fonts": {
                style: (FONTS_DIR / f"NotoSerif-{style}.ttf").as_uri()
                for style in ("Regular", "Bold", "Italic", "BoldItalic")
            },
        },
    )
    return HTML(string=html, base_url=str(FONTS_DIR)).write_pdf()


# ------------------------------------------------------------------------------------- results


@dataclass
class ResultEntry:
    target: Target
    unit: Unit | None = None
    achieved_value: Decimal | int | float | str | None = None
    grade: str = ""
    note: str = ""


def result_units(target_set: TargetSet) -> dict[int, Unit]:
    if target_set.kind == TargetSetKind.PLEDGE:
        return {
            s.unit_id: s.unit
            for s in PledgeSignatory.objects.filter(
                pledge_id=target_set.pledge_id, signed=True
            ).select_related("unit")
        }
    return {target_set.unit_id: target_set.unit} if target_set.unit_id else {}


def results_problems(
    *, target_set: TargetSet, as_of: date | None, entries: Sequence[ResultEntry]
) -> list[list[str]]:
    """Each entry's problems, in order. Bounded queries whatever the number of entries."""
    units = result_units(target_set)
    general = []
    if as_of is None:
        general.append("Chưa ghi ngày số liệu (số liệu đến ngày).")
    elif not target_set.year <= as_of.year <= target_set.year + 1:
        general.append(
            f"Ngày số liệu {day_vi(as_of)} không thuộc năm {target_set.year} của bộ chỉ tiêu "
            f"«{target_set.title}» (nhận ngày trong năm {target_set.year}, hoặc đầu năm sau "
            "khi tổng kết)."
        )
    problems: list[list[str]] = []
    seen: set[tuple[int, int]] = set()
    for index, entry in enumerate(entries):
        found = list(general) if index == 0 else []
        target = entry.target
        unit = entry.unit or (target_set.unit if target_set.kind != TargetSetKind.PLEDGE else None)
        label = f"Chỉ tiêu số {target.order} («{target.text}»)"
        if target.target_set_id != target_set.pk:
            found.append(f"{label} không thuộc bộ chỉ tiêu «{target_set.title}».")
        if unit is None:
            found.append(f"{label}: chưa chọn đơn vị có kết quả.")
        elif unit.pk not in units:
            if target_set.kind == TargetSetKind.PLEDGE:
                found.append(
                    f"{unit} không ký giao ước «{target_set.title}» nên không nhập kết quả "
                    "được. Hãy ghi chữ ký của đơn vị vào giao ước trước, hoặc chọn đúng đơn vị."
                )
            else:
                found.append(
                    f"Bộ chỉ tiêu «{target_set.title}» giao cho {target_set.unit}, "
                    f"không nhập kết quả cho {unit} được."
                )
        try:
            value = to_decimal(entry.achieved_value)
        except ValueError:
            value = None
            found.append(f"{label}: số thực hiện «{entry.achieved_value}» không phải là số.")
        else:
            if value is None and not entry.grade:
                found.append(
                    f"{label}: chưa có số thực hiện hoặc mức hoàn thành "
                    "(HTXSNV, HTTNV, HTNV, KHTNV)."
                )
        if entry.grade and entry.grade not in RatingGrade.values:
            found.append(
                f"{label}: mức hoàn thành «{entry.grade}» không hợp lệ; "
                "ghi một trong HTXSNV, HTTNV, HTNV, KHTNV."
            )
        if unit is not None:
            key = (target.pk, unit.pk)
            if key in seen:
                found.append(f"{label}: kết quả của {unit} được ghi hai lần.")
            seen.add(key)
        problems.append(found)
    if not entries and general:
        problems.append(general)
    return problems


@transaction.atomic
def target_results_enter(
    *, target_set: TargetSet, as_of: date, entries: Sequence[ResultEntry]
) -> list[TargetResult]:
    """Enter achieved values or grades at a date; a result already there for that day is
    replaced. All entries are written, or none."""
    problems = [
        m
        for found in results_problems(target_set=target_set, as_of=as_of, entries=entries)
        for m in found
    ]
    _raise(problems)
    default_unit = target_set.unit if target_set.kind != TargetSetKind.PLEDGE else None
    existing = {
        (r.target_id, r.unit_id): r
        for r in TargetResult.objects.filter(
            target__target_set=target_set,
            as_of=as_of,
            target_id__in=[e.target.pk for e in entries],
        )
    }
    saved = []
    for entry in entries:
        unit = entry.unit or default_unit
        result = existing.get((entry.target.pk, unit.pk)) or TargetResult(
            target=entry.target, unit=unit, as_of=as_of
        )
        result.achieved_value = to_decimal(entry.achieved_value)
        result.grade = entry.grade or ""
        result.note = entry.note or ""
        result.full_clean()
        result.save()
        saved.append(result)
    return saved


def target_result_save(*, result: TargetResult) -> TargetResult:
    """One result typed in the admin: the same checks as any other entry."""
    target_set = result.target.target_set
    entry = ResultEntry(
        target=result.target,
        unit=result.unit if result.unit_id else None,
        achieved_value=result.achieved_value,
        grade=result.grade,
        note=result.note,
    )
    problems = results_problems(target_set=target_set, as_of=result.as_of, entries=[entry])
    _raise([m for found in problems for m in found])
    if not result.unit_id:
        result.unit = target_set.unit
    with transaction.atomic():
        result.full_clean()
        result.save()
    return result


def target_results_import(
    *, target_set: TargetSet, file, as_of: date, file_name: str = ""
) -> list[TargetResult]:
    """Read a workbook of target / unit / value rows and enter it, all or nothing.

    Columns (header row found among the first rows as for the other imports, names without regard to diacritics):
    "Chỉ tiêu" (its number STT or its exact text), "Đơn vị" (name or code; may be left out
    for a unit's own plan), "Thực hiện" (a number) and/or "Mức hoàn thành" (HTXSNV…), and an
    optional "Ghi chú". Every error names the sheet, the row and the column.
    """
    # Read and checked beside the other imports (registry.services.imports.kinds.targets).
    from registry.services.imports.kinds.targets import TargetResults

    results = TargetResults(target_set=target_set, as_of=as_of)
    return results.confirm(results.preview(file=file, file_name=file_name))


# ------------------------------------------------------------------------- ranking -> decision


def bloc_rule_in_force(*, bloc: Bloc, day: date) -> BlocAwardRule:
    """The award types the bloc's ranking proposes on the day (a catalogue row); Vietnamese
    ValidationError when no row is in force for the bloc's authority."""
    rule = bloc_award_rule(authority=bloc.authority, day=day)
    if rule is None:
        raise ValidationError(
            f"Chưa có quy định hình thức khen theo kết quả khối, cụm thi đua có hiệu lực ngày "
            f"{day_vi(day)} cho khối do {bloc.authority} tổ chức. Hãy thêm dòng trong mục "
            "«Hình thức khen theo xếp hạng khối, cụm thi đua» của danh mục pháp lý (hoặc nạp "
            "danh mục: python manage.py load_catalogue), hoặc chọn ngày ký khác."
        )
    return rule


def proposal_authority(*, bloc: Bloc, day: date) -> Authority | None:
    """The nearest authority above the bloc's (itself included) that may give the leader's award
    type in force on the day (a Cờ thi đua)."""
    rule = bloc_award_rule(authority=bloc.authority, day=day)
    if rule is None:
        return None
    flag = rule.leader_award_type
    authority, seen = bloc.authority, set()
    while authority is not None and authority.pk not in seen:
        seen.add(authority.pk)
        if authority.is_valid_on(day) and award_type_allowed(
            authority=authority, award_type=flag, day=day
        ):
            return authority
        authority = authority.parent
    return None


def collective_for_unit(*, unit: Unit, registered_by: Authority) -> Collective:
    """The unit's collective: the one the bloc's authority keeps, else any linked to the unit,
    else a new one registered by the bloc's authority."""
    collectives = list(Collective.objects.filter(unit=unit).order_by("id"))
    for collective in collectives:
        if collective.registered_by_id == registered_by.pk:
            return collective
    if collectives:
        return collectives[0]
    collective = Collective(name=unit.name, unit=unit, registered_by=registered_by)
    collective.full_clean()
    collective.save()
    return collective


@transaction.atomic
def bloc_ranking_decision_create(
    *,
    bloc: Bloc,
    year: int,
    signed_date: date,
    signer_name: str,
    signer_title: str = "CHỦ TỊCH",
    signer_prefix: str = "",
    authority: Authority | None = None,
    number: str = "",
    runners_up: int = 2,
    eligibility_reason: str = "",
    user=None,
) -> Decision:
    """Turn the year's ranking into a draft decision: the leader's award type (Cờ thi đua) for
    the first place, the runners-up' type (Bằng khen) for the next ``runners_up`` places (units
    sharing a place are proposed together); the types are the catalogue row in force on the
    signing date for the bloc's authority.

    The lines go through the one award-line service: a unit that does not meet the eligibility
    rule in force is refused unless the council's ``eligibility_reason`` is given, which is then
    recorded on those lines only. All or nothing.
    """
    ranking = bloc_ranking(bloc=bloc, year=year)
    if not ranking.rows:
        raise ValidationError(
            f"Giao ước năm {year} của {bloc} chưa có đơn vị nào ký, chưa có gì để đề nghị."
        )
    if not ranking.complete:
        raise ValidationError(
            [
                f"Bảng xếp hạng {bloc} năm {year} còn thiếu {ranking.missing_total} kết quả "
                "nên chưa lập được dự thảo quyết định. Hãy nhập đủ kết quả rồi làm lại "
                "(bảng xếp hạng tạm vẫn xem được, phần thiếu được ghi rõ).",
                *ranking.gaps,
            ]
        )
    leaders = [row for row in ranking.rows if row.rank == 1]
    if len(leaders) > 1:
        raise ValidationError(
            f"Có {len(leaders)} đơn vị đồng hạng nhất ({', '.join(str(r.unit) for r in leaders)}). "
            "Hội đồng cần suy tôn một đơn vị dẫn đầu trước khi đề nghị Cờ thi đua."
        )
    if runners_up < 0:
        raise ValidationError("Số đơn vị đề nghị Bằng khen không được âm.")
    rule = bloc_rule_in_force(bloc=bloc, day=signed_date)
    flag, certificate = rule.leader_award_type, rule.runner_up_award_type
    if certificate is None:
        runners_up = 0
    if authority is None:
        authority = proposal_authority(bloc=bloc, day=signed_date)
        if authority is None:
            raise ValidationError(
                f"Không tìm thấy cấp khen có thẩm quyền tặng {flag.name} vào ngày "
                f"{day_vi(signed_date)} trên {bloc.authority}. Hãy chọn cấp khen."
            )
    proposed = [row for row in ranking.rows if row.rank <= 1 + runners_up]
    types = flag.name
    if any(row.rank > 1 for row in proposed):
        types = f"{flag.name} và {certificate.name}"
    decision = decision_create(
        authority=authority,
        number=number.strip() or f"Dự thảo khối {bloc.pk} năm {year}",
        signed_date=signed_date,
        subject=f"Về việc tặng {types} cho các tập thể dẫn đầu {bloc} năm {year}",
        signer_title=signer_title,
        signer_name=signer_name,
        signer_prefix=signer_prefix,
        loai_hinh=LoaiHinh.REGULAR,
        campaign=ranking.pledge.campaign,
        proposal=f"Kết quả chấm điểm, xếp hạng {bloc} năm {year}",
        proposing_authority=bloc.authority,
        user=user,
    )
    lines = []
    for row in proposed:
        if row.rank == 1:
            award_type = flag
            achievement = f"Đã có thành tích xuất sắc, dẫn đầu phong trào thi đua {bloc} năm {year}"
        else:
            award_type = certificate
            achievement = (
                f"Đã có thành tích xuất sắc trong phong trào thi đua {bloc} năm {year} "
                f"(xếp thứ {row.rank})"
            )
        lines.append(
            Award(
                award_type=award_type,
                collective=collective_for_unit(unit=row.unit, registered_by=bloc.authority),
                period_from=year,
                period_to=year,
                achievement=achievement,
            )
        )
    reason = eligibility_reason.strip()
    if reason:
        # The reason goes on the lines that need it only: an eligible unit's line stays clean.
        warnings = award_eligibility_warnings(decision=decision, awards=lines)
        for line, found in zip(lines, warnings, strict=True):
            if found:
                line.eligibility_override = reason
    awards_add(decision=decision, awards=lines, user=user)
    return decision
