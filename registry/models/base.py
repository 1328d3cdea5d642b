from django.db import models
from django.db.models import Q


class Dated(models.Model):
    """A record that holds for a period: units, authorities, rules, award types."""

    valid_from = models.DateField("hiệu lực từ ngày", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến ngày", null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def valid_on_q(cls, day, prefix: str = "") -> Q:
        return (
            Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})
        ) & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day}))

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


def period_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_from__isnull=True)
        | Q(valid_to__isnull=True)
        | Q(valid_to__gte=models.F("valid_from")),
        name=name,
        violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
    )
