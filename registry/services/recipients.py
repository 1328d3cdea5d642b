"""Recipients: merging two records found to be one person, collective or household."""

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from simple_history.utils import bulk_update_with_history

from registry.models import (
    Award,
    Collective,
    Household,
    Individual,
    Rating,
    RecipientKind,
    RecipientMerge,
)
from registry.services.awards import history_user

KIND_MODELS = {
    RecipientKind.COLLECTIVE.value: Collective,
    RecipientKind.INDIVIDUAL.value: Individual,
    RecipientKind.HOUSEHOLD.value: Household,
}
KIND_FIELD = {
    RecipientKind.COLLECTIVE.value: "collective",
    RecipientKind.INDIVIDUAL.value: "individual",
    RecipientKind.HOUSEHOLD.value: "household",
}


def _snapshot(obj) -> dict:
    data = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        data[field.attname] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def _move(queryset, field: str, kept, user) -> int:
    """Point the rows at the kept record, each with a history row naming the user."""
    rows = list(queryset)
    for row in rows:
        setattr(row, field, kept)
    if rows:
        bulk_update_with_history(rows, queryset.model, [field], batch_size=500, default_user=user)
    return len(rows)


def _merge(kind: str, kept, removed, user) -> RecipientMerge:
    model, field = KIND_MODELS[kind], KIND_FIELD[kind]
    if kept.pk == removed.pk:
        raise ValidationError("Hãy chọn hai hồ sơ khác nhau để gộp.")
    kept = model.objects.select_for_update().get(pk=kept.pk)
    removed = model.objects.select_for_update().get(pk=removed.pk)
    # Recorded first: the database lets an issued award change recipient only along a merge it
    # can see in registry_recipientmerge.
    merge = RecipientMerge.objects.create(
        recipient_kind=kind,
        kept_id=kept.pk,
        removed_id=removed.pk,
        removed_snapshot=_snapshot(removed),
        merged_by=user,
    )
    moved_awards = _move(Award.objects.filter(**{field: removed}), field, kept, user)
    moved_ratings = 0
    if kind != RecipientKind.HOUSEHOLD:
        clash = set(Rating.objects.filter(**{field: kept}).values_list("year", flat=True)) & set(
            Rating.objects.filter(**{field: removed}).values_list("year", flat=True)
        )
        if clash:
            raise ValidationError(
                f"Cả hai hồ sơ “{kept}” và “{removed}” đều có xếp loại năm "
                + ", ".join(str(y) for y in sorted(clash))
                + ". Hãy xóa xếp loại sai ở một hồ sơ rồi gộp lại."
            )
        moved_ratings = _move(Rating.objects.filter(**{field: removed}), field, kept, user)
        for related in ("initiatives", "disciplines"):
            _move(getattr(removed, related).all(), field, kept, user)
    kept._history_user = removed._history_user = user
    if kind == RecipientKind.INDIVIDUAL:
        updates = []
        for name in ("birth_date", "birth_year", "citizen_id", "gender", "position"):
            if not getattr(kept, name) and getattr(removed, name):
                setattr(kept, name, getattr(removed, name))
                updates.append(name)
        if "citizen_id" in updates:
            # Unique: freed on the removed record before the kept one takes it.
            removed.citizen_id = None
            removed.save(update_fields=["citizen_id"])
        if updates:
            kept.save(update_fields=updates)
    removed.delete()
    merge.moved_awards, merge.moved_ratings = moved_awards, moved_ratings
    merge.save(update_fields=["moved_awards", "moved_ratings"])
    return merge


def recipients_merge_many(*, kind: str, kept, removed: list, user=None) -> list[RecipientMerge]:
    """Merge several records into the kept one, all or nothing."""
    if kind not in KIND_MODELS:
        raise ValidationError("Chỉ gộp được tập thể, cá nhân hoặc hộ gia đình.")
    if not removed:
        raise ValidationError("Hãy chọn ít nhất một hồ sơ gộp vào.")
    user = history_user(user)
    try:
        with transaction.atomic():
            return [_merge(kind, kept, other, user) for other in removed]
    except DatabaseError as exc:
        raise ValidationError(f"Không gộp được ({exc}). Không có gì thay đổi.") from exc


def recipients_merge(*, kind: str, kept, removed, user=None) -> RecipientMerge:
    """One record found to be the same as another: move its awards and ratings, then remove it."""
    return recipients_merge_many(kind=kind, kept=kept, removed=[removed], user=user)[0]
