"""Load the eligibility rules (fixtures/eligibility_rules.json) into the database.

Each rule of the file is spread into one database rule per version of the law
("<code>-<suffix>", with its own validity period and legal basis). Rows are matched on natural
keys (the rule code; a route by its order in the rule; a condition by its order in the route)
and updated in place, so loading twice changes nothing. Routes or conditions a province added
in the admin are left alone. The file's own "_format" key documents the format.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from registry.models import AwardType
from registry.models.eligibility import (
    EligibilityCondition,
    EligibilityRoute,
    EligibilityRule,
)
from registry.services.loading import day, upsert

RULES_PATH = Path(settings.BASE_DIR) / "fixtures" / "eligibility_rules.json"

_CONDITION_FIELDS = (
    "years",
    "count",
    "grade",
    "other_grade",
    "initiative_level",
    "share",
    "discipline_form",
)
_CONDITION_TYPES = ("award_type", "award_type_alt", "other_award_type")


def rules_load(*, path: Path | str | None = None) -> dict[str, dict[str, int]]:
    """Load the rules in one transaction; returns {section: {"created": n, "updated": m}}.

    The award types named by the file must already be in the catalogue (load_catalogue).
    """
    data = json.loads(Path(path or RULES_PATH).read_text(encoding="utf-8"))
    result = {name: {"created": 0, "updated": 0} for name in ("rules", "routes", "conditions")}
    types = {t.code: t for t in AwardType.objects.all()}

    def award_type(code: str | None, where: str) -> AwardType | None:
        if not code:
            return None
        if code not in types:
            raise ValidationError(
                f"{where}: chưa có danh hiệu, hình thức mã “{code}” trong danh mục. "
                "Hãy nạp danh mục (python manage.py load_catalogue) hoặc sửa mã trong tệp."
            )
        return types[code]

    with transaction.atomic():
        for row in data["rules"]:
            versions = row["versions"]
            if isinstance(versions, str):
                versions = data["versions"][versions]
            for version in versions:
                code = f"{row['code']}-{version['suffix']}"
                rule = upsert(
                    EligibilityRule,
                    {"code": code},
                    {
                        "name": f"{row['name']} – {version['label']}",
                        "award_type": award_type(row["award_type"], f"Tiêu chuẩn {code}"),
                        "recipient_kind": row["recipient_kind"],
                        "loai_hinh": row.get("loai_hinh", "thuong-xuyen"),
                        "chain": row.get("chain", ""),
                        "authority_level": row.get("authority_level", ""),
                        "legal_basis": version["legal_basis"],
                        "confirmed": row.get("confirmed", True) and version.get("confirmed", True),
                        "note": row.get("note", ""),
                        "valid_from": day(version.get("valid_from")),
                        "valid_to": day(version.get("valid_to")),
                    },
                    result["rules"],
                )
                for order, route_row in enumerate(row["routes"], start=1):
                    route = upsert(
                        EligibilityRoute,
                        {"rule": rule, "order": order},
                        {"name": route_row["name"]},
                        result["routes"],
                    )
                    for position, cond in enumerate(route_row["conditions"], start=1):
                        where = f"Tiêu chuẩn {code}, trường hợp {order}, điều kiện {position}"
                        values = {"kind": cond["kind"]}
                        for name in _CONDITION_FIELDS:
                            value = cond.get(name)
                            if name == "share" and value is not None:
                                value = Decimal(str(value))
                            values[name] = (
                                ""
                                if value is None and name.endswith(("grade", "level", "form"))
                                else value
                            )
                        values["share_above"] = bool(cond.get("share_above", False))
                        for name in _CONDITION_TYPES:
                            values[name] = award_type(cond.get(name), where)
                        upsert(
                            EligibilityCondition,
                            {"route": route, "order": position},
                            values,
                            result["conditions"],
                        )
    return result
