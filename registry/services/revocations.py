"""Revocation (hủy bỏ) and amendment (đính chính) by a later decision; nothing is deleted."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from registry.models import Award, Decision
from registry.models.awards import DecisionKind, DecisionStatus
from registry.models.trust import AmendableField, Amendment, Revocation, RevocationReason
from registry.selectors.scope import authority_ancestors


def _check_later_decision(*, by: Decision, kind: str, awards: list[Award]) -> None:
    label = DecisionKind(kind).label.lower()
    if by.status != DecisionStatus.ISSUED:
        raise ValidationError(
            f"Quyết định {by.number} chưa ban hành: chỉ {label} bằng quyết định đã ký, đã ban hành."
        )
    if by.kind != kind:
        raise ValidationError(f"Quyết định {by.number} không phải là quyết định {label}.")
    for award in awards:
        if award.decision.status != DecisionStatus.ISSUED:
            raise ValidationError(
                f"Dòng «{award.recipient_name}» thuộc quyết định chưa ban hành: sửa hoặc xóa dự thảo, "
                f"không cần {label}."
            )
        if by.authority_id not in authority_ancestors(award.authority_id):
            raise ValidationError(
                f"{by.authority} không phải cấp đã khen hoặc cấp trên của {award.authority}: "
                f"không {label} được khen thưởng «{award.recipient_name}»."
            )
        if by.signed_date < award.decision.signed_date:
            raise ValidationError(
                f"Quyết định {by.number} ký trước quyết định khen {award.decision.number}."
            )


@transaction.atomic
def awards_revoke(
    *, awards: list[Award], by: Decision, reason: str, note: str = "", user=None
) -> list[Revocation]:
    """Mark the awards revoked by the later decision; they leave totals but stay in the registry."""
    if reason not in RevocationReason.values:
        raise ValidationError(
            "Căn cứ hủy bỏ không hợp lệ. Chọn một trong: " + ", ".join(RevocationReason.values)
        )
    awards = list(
        Award.objects.select_for_update()
        .select_related("decision")
        .filter(pk__in=[a.pk for a in awards])
        .order_by("line_no", "pk")
    )
    if not awards:
        raise ValidationError("Chưa chọn khen thưởng nào để hủy bỏ.")
    already = [a for a in awards if a.revoked_by_id]
    if already:
        names = ", ".join(a.recipient_name for a in already[:5])
        raise ValidationError(f"Đã bị hủy bỏ từ trước: {names}. Không hủy hai lần.")
    _check_later_decision(by=by, kind=DecisionKind.REVOCATION, awards=awards)
    text = RevocationReason(reason).label + (f". {note}" if note else "")
    Award.objects.filter(pk__in=[a.pk for a in awards]).update(
        revoked_by=by, revoked_on=by.signed_date, revocation_reason=text
    )
    # With history, like every other change to a revocation (recovery comes later).
    return bulk_create_with_history(
        [
            Revocation(award=a, decision=by, reason=reason, note=note, recorded_by=_user(user))
            for a in awards
        ],
        Revocation,
        default_user=_user(user),
    )


def decision_revoke(*, decision: Decision, by: Decision, reason: str, note: str = "", user=None):
    """Revoke every award of a decision that is not revoked yet."""
    awards = list(decision.awards.filter(revoked_by__isnull=True))
    if not awards:
        raise ValidationError(f"Mọi khen thưởng của quyết định {decision.number} đã bị hủy bỏ.")
    return awards_revoke(awards=awards, by=by, reason=reason, note=note, user=user)


def revocation_record_recovery(
    *,
    revocation: Revocation,
    certificate_recovered_on: date | None = None,
    cash_recovered: int | None = None,
    cash_recovered_on: date | None = None,
) -> Revocation:
    if cash_recovered is not None and cash_recovered_on is None:
        raise ValidationError({"cash_recovered_on": "Ghi ngày thu hồi tiền thưởng."})
    revocation.certificate_recovered_on = (
        certificate_recovered_on or revocation.certificate_recovered_on
    )
    if cash_recovered is not None:
        revocation.cash_recovered = cash_recovered
        revocation.cash_recovered_on = cash_recovered_on
    revocation.full_clean()
    revocation.save()
    return revocation


@transaction.atomic
def award_amend(
    *, award: Award, by: Decision, field: str, new_value: str, reason: str, user=None
) -> Amendment:
    """Record a correction of an issued award; the signed line itself is never rewritten."""
    if field not in AmendableField.values:
        raise ValidationError(
            {"field": "Chỉ đính chính được tên, chức vụ, đơn vị hoặc thành tích."}
        )
    if not reason.strip():
        raise ValidationError({"reason": "Ghi lý do đính chính."})
    award = Award.objects.select_related("decision").get(pk=award.pk)
    _check_later_decision(by=by, kind=DecisionKind.AMENDMENT, awards=[award])
    previous = award.amendments.filter(field=field).order_by("-recorded_at").first()
    old_value = previous.new_value if previous else getattr(award, field)
    amendment = Amendment(
        award=award, decision=by, field=field, old_value=old_value, new_value=new_value,
        reason=reason, recorded_by=_user(user),
    )  # fmt: skip
    amendment.full_clean()
    amendment.save()
    return amendment


def _user(user):
    return user if user is not None and user.is_authenticated else None
