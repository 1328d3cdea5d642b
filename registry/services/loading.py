"""What the fixture loaders share: dates from JSON and a validating update-or-create."""

from datetime import date


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def upsert(model, lookup: dict, values: dict, counts: dict) -> object:
    """update_or_create that validates before it writes and counts what it created or changed."""
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup)
    changed = created
    for field, value in values.items():
        if model._meta.get_field(field).is_relation:
            current, wanted = getattr(obj, f"{field}_id"), value.pk if value else None
        else:
            current, wanted = getattr(obj, field), value
        if current != wanted:
            setattr(obj, field, value)
            changed = True
    if changed:
        obj.full_clean()
        obj.save()
        counts["created" if created else "updated"] += 1
    return obj
