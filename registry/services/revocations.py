"""Revocation (hủy bỏ) and amendment (đính chính) by a later decision; nothing is deleted."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from registry.models import Award, Decision
from registry.models.awards import DecisionKind, DecisionStatus
from registry.models.trust import AmendableField, Amendment, Revocation, RevocationReason
from registry.selectors.scope import authority_ancestors
from registry.services.papers import money


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
    # The Revocation rows first: the database lets an award's revocation fields change only
    # when the row for that award and that decision already exists.
    revocations = bulk_create_with_history(
        [
            Revocation(award=a, decision=by, reason=reason, note=note, recorded_by=_user(user))
            for a in awards
        ],
        Revocation,
        default_user=_user(user),
    )
    for award in awards:
        award.revoked_by, award.revoked_on, award.revocation_reason = by, by.signed_date, text
    # With history naming the user, like every other change to an award.
    bulk_update_with_history(
        awards,
        Award,
        ["revoked_by", "revoked_on", "revocation_reason"],
        default_user=_user(user),
    )
    return revocations


def decision_revoke(*, decision: Decision, by: Decision, reason: str, note: str = "", user=None):
    """Revoke every award of a decision that is not revoked yet."""
    awards = list(decision.awards.filter(revoked_by__isnull=True))
    if not awards:
        raise ValidationError(f"Mọi khen thưởng của quyết định {decision.number} đã bị hủy bỏ.")
    return awards_revoke(awards=awards, by=by, reason=reason, note=note, user=user)


def revocation_check_recovery(
    *,
    revocation: Revocation,
    certificate_recovered_on: date | None = None,
    cash_recovered: int | None = None,
    cash_recovered_on: date | None = None,
) -> dict:
    """The recovery fields as recording these values would leave them (None keeps what is
    recorded); ValidationError by field when they break a rule. Writes nothing, so a form can
    show the errors before anything is saved."""
    values = {
        "certificate_recovered_on": certificate_recovered_on or revocation.certificate_recovered_on,
        "cash_recovered": revocation.cash_recovered if cash_recovered is None else cash_recovered,
        "cash_recovered_on": cash_recovered_on or revocation.cash_recovered_on,
    }
    errors: dict[str, list[str]] = {}
    amount, paid_on = values["cash_recovered"], values["cash_recovered_on"]
    if amount is not None and paid_on is None:
        errors.setdefault("cash_recovered_on", []).append(
            "Ghi ngày thu hồi tiền thưởng cùng với số tiền đã thu hồi."
        )
    if paid_on is not None and amount is None:
        errors.setdefault("cash_recovered", []).append(
            "Ghi số tiền thưởng đã thu hồi (đồng) cùng với ngày thu hồi tiền."
        )
    if amount is not None and amount < 0:
        errors.setdefault("cash_recovered", []).append("Số tiền thu hồi không được là số âm.")
    cash_amount = revocation.award.cash_amount
    if amount is not None and cash_amount is not None and amount > cash_amount:
        errors.setdefault("cash_recovered", []).append(
            f"Số tiền thu hồi ({money(amount)} đồng) lớn hơn tiền thưởng của khen thưởng này "
            f"({money(cash_amount)} đồng)."
        )
    decision = revocation.decision
    for name, label in (
        ("certificate_recovered_on", "Ngày thu hồi hiện vật"),
        ("cash_recovered_on", "Ngày thu hồi tiền"),
    ):
        day = values[name]
        if day is not None and day < decision.signed_date:
            errors.setdefault(name, []).append(
                f"{label} ({day:%d/%m/%Y}) trước ngày ký quyết định hủy bỏ {decision.number} "
                f"({decision.signed_date:%d/%m/%Y}): chỉ thu hồi sau khi đã hủy bỏ."
            )
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def revocation_record_recovery(
    *,
    revocation: Revocation,
    certificate_recovered_on: date | None = None,
    cash_recovered: int | None = None,
    cash_recovered_on: date | None = None,
    user=None,
) -> Revocation:
    """Record the certificate and cash taken back after a revocation; None keeps what is
    already recorded. Returns the revocation as saved."""
    # Read again under a lock: the caller's instance may hold unsaved form values.
    revocation = (
        Revocation.objects.select_for_update(of=("self",))
        .select_related("award", "decision")
        .get(pk=revocation.pk)
    )
    values = revocation_check_recovery(
        revocation=revocation,
        certificate_recovered_on=certificate_recovered_on,
        cash_recovered=cash_recovered,
        cash_recovered_on=cash_recovered_on,
    )
    for name, value in values.items():
        setattr(revocation, name, value)
    revocation.full_clean()
    revocation._history_user = _user(user)  # simple-history's way outside a request
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
    new_value = (new_value or "").strip()
    if not new_value:
        raise ValidationError({"new_value": "Ghi nội dung mới sau đính chính."})
    if field != AmendableField.ACHIEVEMENT and len(new_value) > _SHORT_FIELD_LENGTH:
        raise ValidationError(
            {"new_value": f"Nội dung mới dài quá {_SHORT_FIELD_LENGTH} ký tự: hãy viết gọn lại."}
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": "Ghi lý do đính chính."})
    # Locked so that two corrections of the same field read the same "old value" in turn.
    award = (
        Award.objects.select_for_update(of=("self",)).select_related("decision").get(pk=award.pk)
    )
    if award.revoked_by_id:
        raise ValidationError(
            f"Khen thưởng «{award.recipient_name}» đã bị hủy bỏ: không đính chính được nữa."
        )
    _check_later_decision(by=by, kind=DecisionKind.AMENDMENT, awards=[award])
    previous = award.amendments.filter(field=field).order_by("-recorded_at", "-pk").first()
    old_value = previous.new_value if previous else getattr(award, field)
    if new_value == old_value:
        raise ValidationError(
            {"new_value": "Nội dung mới giống nội dung hiện tại: không có gì để đính chính."}
        )
    amendment = Amendment(
        award=award, decision=by, field=field, old_value=old_value, new_value=new_value,
        reason=reason.strip(), recorded_by=_user(user),
    )  # fmt: skip
    amendment.full_clean()
    amendment.save()
    return amendment


_SHORT_FIELD_LENGTH = Award._meta.get_field("recipient_name").max_length


def _user(user):
    return user if user is not None and user.is_authenticated else None
