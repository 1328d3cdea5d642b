"""Small builders for tests: a district authority that may give Giấy khen, and recipients."""

from datetime import date
from decimal import Decimal

from registry.models import (
    Authority,
    AwardPower,
    AwardType,
    BaseSalary,
    CashMultiple,
    Collective,
    Individual,
)
from registry.models.awards import DecisionKind
from registry.models.trust import RevocationReason
from registry.services.awards import award_add
from registry.services.decisions import decision_create, decision_issue
from registry.services.revocations import awards_revoke


def authority(code="vanlang-ubnd", **fields) -> Authority:
    defaults = {
        "name": "Chủ tịch UBND huyện Văn Lãng",
        "chain": "nha-nuoc",
        "level": "huyen",
        "place_name": "Văn Lãng",
        "header": "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN VĂN LÃNG",
    }
    term_start = fields.pop("term_start", None)
    defaults.update(fields)
    found = Authority.objects.get_or_create(code=code, defaults=defaults)[0]
    if term_start:
        found.terms.get_or_create(
            start=term_start, defaults={"name": f"{term_start.year}–{term_start.year + 5}"}
        )
    return found


def award_type(code="giay-khen", **fields) -> AwardType:
    defaults = {
        "name": "Giấy khen",
        "certificate_title": "GIẤY KHEN",
        "family": "hinh-thuc",
        "level": "co-so",
        "for_collectives": True,
        "for_individuals": True,
    }
    defaults.update(fields)
    return AwardType.objects.get_or_create(code=code, defaults=defaults)[0]


def catalogue() -> dict:
    """Giấy khen given by district chairs, Bằng khen by provinces only; cash tables for 2023."""
    giay_khen = award_type()
    bang_khen = award_type(
        "bang-khen-tinh", name="Bằng khen của Chủ tịch UBND tỉnh", certificate_title="BẰNG KHEN",
        level="bo-tinh",
    )  # fmt: skip
    AwardPower.objects.get_or_create(chain="nha-nuoc", level="huyen", award_type=giay_khen)
    AwardPower.objects.get_or_create(chain="nha-nuoc", level="tinh", award_type=bang_khen)
    BaseSalary.objects.get_or_create(valid_from=date(2019, 7, 1), defaults={"amount": 1_490_000})
    BaseSalary.objects.get_or_create(valid_from=date(2023, 7, 1), defaults={"amount": 1_800_000})
    for kind, multiple in (("ca-nhan", "0.3"), ("tap-the", "0.6")):
        CashMultiple.objects.get_or_create(
            award_type=giay_khen,
            recipient_kind=kind,
            chain="nha-nuoc",
            level="",
            defaults={"multiple": Decimal(multiple)},
        )
    return {"authority": authority(), "giay_khen": giay_khen, "bang_khen": bang_khen}


def individual(full_name="Nguyễn Văn Hưởng", registered_by=None, **fields) -> Individual:
    return Individual.objects.create(
        full_name=full_name, registered_by=registered_by or authority(), **fields
    )


def collective(name="UBND xã Hoàng Việt", registered_by=None, **fields) -> Collective:
    return Collective.objects.create(
        name=name, registered_by=registered_by or authority(), **fields
    )


def draft_decision(number="15/QĐ-UBND", signed_date=date(2023, 1, 10), **fields):
    cat = catalogue()
    values = {
        "authority": cat["authority"],
        "number": number,
        "signed_date": signed_date,
        "subject": "Về việc tặng Giấy khen cho các tập thể, cá nhân",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "Hoàng Văn Thử",
    }
    values.update(fields)
    return decision_create(**values)


def decision_with_lines(number="15/QĐ-UBND", collectives=1, individuals=1, period=2022, **fields):
    decision = draft_decision(number=number, **fields)
    gk = award_type()
    for i in range(collectives):
        award_add(
            decision=decision,
            award_type=gk,
            recipient=collective(f"Tập thể thử {number} {i}"),
            period_from=period,
            period_to=period,
        )
    for i in range(individuals):
        award_add(
            decision=decision,
            award_type=gk,
            recipient=individual(f"Người Thử {number} {i}", gender="nam"),
            period_from=period,
            period_to=period,
        )
    return decision


def revoke(awards, number="30/QĐ-UBND", signed_date=date(2023, 1, 10), note="", authority=None):
    """Revoke awards the way a leader does: an issued revocation decision, then the service."""
    awards = list(awards)
    by = decision_issue(
        decision=decision_create(
            authority=authority or awards[0].authority,
            kind=DecisionKind.REVOCATION,
            number=number,
            signed_date=signed_date,
            subject="Về việc hủy bỏ quyết định khen thưởng",
            signer_title="CHỦ TỊCH",
            signer_name="Hoàng Văn Thử",
        )
    )
    awards_revoke(awards=awards, by=by, reason=RevocationReason.FALSE_DECLARATION, note=note)
    return by
