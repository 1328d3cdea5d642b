"""Load the legal catalogue (fixtures/catalogue.json): award types, authorities, powers,
base salaries, cash multiples and the other dated law rows (bloc award types, counted loại hình,
cash rounding).

Rows are matched on natural keys and updated in place, so loading twice changes nothing and
an edited fixture updates the database. The file's own "_format" key documents the format.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from registry.models import (
    Authority,
    AuthoritySuccession,
    AuthorityTerm,
    AwardPower,
    AwardType,
    BaseSalary,
    BlocAwardRule,
    CashMultiple,
    CashRounding,
    CountedLoaiHinh,
    DossierRequirement,
)
from registry.services.loading import day, upsert
from registry.services.rules import rules_load

CATALOGUE_PATH = Path(settings.BASE_DIR) / "fixtures" / "catalogue.json"

# JSON keys of a cash-multiple group -> RecipientKind values.
_KIND_KEYS = {"individual": "ca-nhan", "collective": "tap-the", "household": "ho-gia-dinh"}


def catalogue_load(*, path: Path | str | None = None) -> dict[str, dict[str, int]]:
    """Load the catalogue in one transaction; returns {section: {"created": n, "updated": m}}."""
    data = json.loads(Path(path or CATALOGUE_PATH).read_text(encoding="utf-8"))
    result: dict[str, dict[str, int]] = {}

    def counts(section: str) -> dict[str, int]:
        return result.setdefault(section, {"created": 0, "updated": 0})

    with transaction.atomic():
        types: dict[str, AwardType] = {}
        for row in data["award_types"]:
            kinds = set(row["recipients"])
            types[row["code"]] = upsert(
                AwardType,
                {"code": row["code"]},
                {
                    "name": row["name"],
                    "certificate_title": row["certificate_title"],
                    "family": row["family"],
                    "level": row["level"],
                    "for_collectives": "tap-the" in kinds,
                    "for_individuals": "ca-nhan" in kinds,
                    "for_households": "ho-gia-dinh" in kinds,
                    "legal_basis": row.get("legal_basis", ""),
                    "display_order": row.get("display_order", 100),
                    "requires_posting": row.get("requires_posting", False),
                    "valid_from": day(row.get("valid_from")),
                    "valid_to": day(row.get("valid_to")),
                },
                counts("award_types"),
            )

        # Parents come first in the file; a later parent is resolved in a second pass.
        authorities: dict[str, Authority] = {}
        pending_parents = []
        for row in data["authorities"]:
            parent_code = row.get("parent")
            values = {
                "name": row["name"],
                "organ": row.get("organ", ""),
                "chain": row["chain"],
                "level": row["level"],
                "place_name": row["place_name"],
                "header": row.get("header", ""),
                "numbering": row.get("numbering", "nam"),
                "number_pattern": row["number_pattern"],
                "valid_from": day(row.get("valid_from")),
                "valid_to": day(row.get("valid_to")),
            }
            if parent_code in authorities:
                values["parent"] = authorities[parent_code]
            elif parent_code:
                pending_parents.append((row["code"], parent_code))
            else:
                values["parent"] = None
            authorities[row["code"]] = upsert(
                Authority, {"code": row["code"]}, values, counts("authorities")
            )
        for code, parent_code in pending_parents:
            upsert(
                Authority,
                {"code": code},
                {"parent": authorities[parent_code]},
                counts("authorities"),
            )
        _terms_and_successors_load(data["authorities"], authorities, counts)

        for group in data["powers"]:
            for type_code in group["award_types"]:
                upsert(
                    AwardPower,
                    {
                        "chain": group["chain"],
                        "level": group["level"],
                        "award_type": types[type_code],
                        "valid_from": day(group.get("valid_from")),
                    },
                    {
                        "valid_to": day(group.get("valid_to")),
                        "legal_basis": group.get("legal_basis", ""),
                    },
                    counts("powers"),
                )

        for row in data["base_salaries"]:
            upsert(
                BaseSalary,
                {"valid_from": day(row["valid_from"])},
                {
                    "amount": row["amount"],
                    "legal_basis": row.get("legal_basis", ""),
                    "confirmed": row.get("confirmed", True),
                },
                counts("base_salaries"),
            )

        for group in data["cash_multiples"]:
            for key, kind in _KIND_KEYS.items():
                if key not in group:
                    continue
                upsert(
                    CashMultiple,
                    {
                        "award_type": types[group["award_type"]],
                        "recipient_kind": kind,
                        "chain": group.get("chain", "nha-nuoc"),
                        "level": group.get("level", ""),
                        "valid_from": day(group.get("valid_from")),
                    },
                    {
                        "valid_to": day(group.get("valid_to")),
                        # Through str so that 0.15 is stored as 0.15, not a binary fraction.
                        "multiple": Decimal(str(group[key])),
                        "legal_basis": group.get("legal_basis", ""),
                        "confirmed": group.get("confirmed", True),
                    },
                    counts("cash_multiples"),
                )
        _law_load(data, types, counts)
        _dossier_load(data, types, counts)
        _thresholds_load(data, types, counts)
        if path is None:
            # The shipped eligibility rules name the shipped award types: load them together.
            result.update(rules_load())
    return result


def _terms_and_successors_load(rows: list[dict], authorities: dict, counts) -> None:
    """A Party committee's numbered terms; an ended authority's successors (one or several)."""
    for row in rows:
        authority = authorities[row["code"]]
        for term in row.get("terms", []):
            upsert(
                AuthorityTerm,
                {"authority": authority, "start": day(term["start"])},
                {
                    "name": term["name"],
                    "end": day(term.get("end")),
                    "legal_basis": term.get("legal_basis", ""),
                },
                counts("authority_terms"),
            )
        for succession in row.get("successors", []):
            code = succession["code"]
            if code not in authorities:
                raise ValidationError(
                    f"authorities: cấp kế thừa mã “{code}” của “{row['code']}” chưa có trong "
                    "danh mục. Hãy thêm vào authorities hoặc sửa mã trong tệp."
                )
            upsert(
                AuthoritySuccession,
                {"predecessor": authority, "successor": authorities[code]},
                {"since": day(succession["since"]), "legal_basis": succession["legal_basis"]},
                counts("authority_successions"),
            )


def _law_load(data: dict, types: dict[str, AwardType], counts) -> None:
    """The dated law rows; a file without a section leaves those rows as they are."""

    def award_type(code: str) -> AwardType:
        if code not in types:
            found = AwardType.objects.filter(code=code).first()
            if found is None:
                raise ValidationError(
                    f"bloc_award_rules: chưa có danh hiệu, hình thức mã “{code}” trong danh mục. "
                    "Hãy thêm vào award_types hoặc sửa mã trong tệp."
                )
            types[code] = found
        return types[code]

    for row in data.get("bloc_award_rules", []):
        upsert(
            BlocAwardRule,
            {
                "chain": row.get("chain", ""),
                "authority_level": row.get("authority_level", ""),
                "valid_from": day(row.get("valid_from")),
            },
            {
                "valid_to": day(row.get("valid_to")),
                "leader_award_type": award_type(row["leader"]),
                "runner_up_award_type": award_type(row["runner_up"])
                if row.get("runner_up")
                else None,
                "legal_basis": row["legal_basis"],
                "confirmed": row.get("confirmed", True),
            },
            counts("bloc_award_rules"),
        )
    for row in data.get("counted_loai_hinh", []):
        upsert(
            CountedLoaiHinh,
            {"loai_hinh": row["loai_hinh"], "valid_from": day(row.get("valid_from"))},
            {
                "valid_to": day(row.get("valid_to")),
                "legal_basis": row["legal_basis"],
                "confirmed": row.get("confirmed", True),
            },
            counts("counted_loai_hinh"),
        )
    for row in data.get("cash_rounding", []):
        upsert(
            CashRounding,
            {"valid_from": day(row.get("valid_from"))},
            {
                "valid_to": day(row.get("valid_to")),
                "step": row["step"],
                "household_factor": Decimal(str(row["household_factor"]))
                if row.get("household_factor") is not None
                else None,
                "highest_title_only": row.get("highest_title_only", False),
                "legal_basis": row["legal_basis"],
                "confirmed": row.get("confirmed", True),
            },
            counts("cash_rounding"),
        )


def _dossier_load(data: dict, types: dict, counts) -> None:
    """Thành phần hồ sơ: the documents a proposal needs, by award type, kind and loại hình."""
    for row in data.get("dossier_requirements", []):
        code = row.get("award_type")
        if code and code not in types:
            raise ValidationError(
                f"dossier_requirements: không có danh hiệu, hình thức mã “{code}” trong danh mục."
            )
        upsert(
            DossierRequirement,
            {
                "document_kind": row["document_kind"],
                "scope": row["scope"],
                "award_type": types[code] if code else None,
                "award_family": row.get("family", ""),
                "recipient_kind": row.get("recipient_kind", ""),
                "loai_hinh": row.get("loai_hinh", ""),
                "valid_from": day(row.get("valid_from")),
            },
            {"valid_to": day(row.get("valid_to")), "legal_basis": row["legal_basis"]},
            counts("dossier_requirements"),
        )


def _thresholds_load(data: dict, types: dict, counts) -> None:
    """Tỷ lệ biểu quyết of the council, per award type or family; unconfirmed rows stay marked."""
    from decimal import Decimal

    from registry.models import VoteThreshold

    for row in data.get("vote_thresholds", []):
        code = row.get("award_type")
        if code and code not in types:
            raise ValidationError(
                f"vote_thresholds: không có danh hiệu, hình thức mã “{code}” trong danh mục."
            )
        upsert(
            VoteThreshold,
            {
                "award_type": types[code] if code else None,
                "award_family": row.get("family", ""),
                "valid_from": day(row.get("valid_from")),
            },
            {
                "valid_to": day(row.get("valid_to")),
                "quorum": Decimal(row["quorum"]),
                "pass_fraction": Decimal(row["pass_fraction"]),
                "strictly_more": row.get("strictly_more", False),
                "pass_base": row["pass_base"],
                "legal_basis": row["legal_basis"],
                "confirmed": row.get("confirmed", False),
            },
            counts("vote_thresholds"),
        )
