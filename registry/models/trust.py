from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class AuthorityMembership(models.Model):
    """A user works for an authority (office) and sees its subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="memberships",
        verbose_name="người dùng",
    )
    authority = models.ForeignKey(
        "registry.Authority", models.CASCADE, related_name="memberships", verbose_name="cơ quan"
    )

    class Meta:
        verbose_name = "người dùng thuộc cơ quan"
        verbose_name_plural = "người dùng thuộc cơ quan"
        constraints = [
            models.UniqueConstraint(fields=["user", "authority"], name="membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.authority}"


class RevocationReason(models.TextChoices):
    """The grounds on which a commendation is revoked (Luật Thi đua, khen thưởng 2022)."""

    FALSE_DECLARATION = "khai-man", "Kê khai không trung thực, gian dối thành tích"
    FORGED_PAPERS = "gia-mao", "Làm giả hồ sơ, giấy tờ"
    UNLAWFUL_APPROVAL = "sai-quy-dinh", "Đề nghị, xét duyệt, quyết định khen thưởng trái pháp luật"
    CRITERIA_NOT_MET = "khong-du-tieu-chuan", "Sau khi khen thưởng phát hiện không đủ tiêu chuẩn"


class Revocation(models.Model):
    """One award revoked by a later decision; the award itself stays, marked revoked."""

    award = models.OneToOneField(
        "registry.Award", models.PROTECT, related_name="revocation", verbose_name="khen thưởng"
    )
    decision = models.ForeignKey(
        "registry.Decision",
        models.PROTECT,
        related_name="revocations",
        verbose_name="quyết định hủy bỏ",
    )
    reason = models.CharField("căn cứ hủy bỏ", max_length=30, choices=RevocationReason.choices)
    note = models.TextField("ghi chú", blank=True)
    certificate_recovered_on = models.DateField("ngày thu hồi hiện vật", null=True, blank=True)
    cash_recovered = models.PositiveBigIntegerField(
        "tiền thưởng đã thu hồi (đồng)", null=True, blank=True
    )
    cash_recovered_on = models.DateField("ngày thu hồi tiền", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="người ghi",
    )  # fmt: skip
    recorded_at = models.DateTimeField("ghi lúc", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "hủy bỏ khen thưởng"
        verbose_name_plural = "hủy bỏ khen thưởng"
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.award} (hủy theo {self.decision.number})"


class AmendableField(models.TextChoices):
    NAME = "recipient_name", "Tên in trên giấy khen"
    POSITION = "recipient_position", "Chức vụ"
    UNIT = "recipient_unit", "Đơn vị"
    ACHIEVEMENT = "achievement", "Thành tích"


class Amendment(models.Model):
    """A correction (đính chính) of an issued award, made by a later decision."""

    award = models.ForeignKey(
        "registry.Award", models.PROTECT, related_name="amendments", verbose_name="khen thưởng"
    )
    decision = models.ForeignKey(
        "registry.Decision",
        models.PROTECT,
        related_name="amendments",
        verbose_name="quyết định đính chính",
    )
    field = models.CharField("nội dung đính chính", max_length=30, choices=AmendableField.choices)
    old_value = models.TextField("nội dung cũ", blank=True)
    new_value = models.TextField("nội dung mới")
    reason = models.TextField("lý do")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="người ghi",
    )  # fmt: skip
    recorded_at = models.DateTimeField("ghi lúc", auto_now_add=True)

    class Meta:
        verbose_name = "đính chính khen thưởng"
        verbose_name_plural = "đính chính khen thưởng"
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.award}: {self.get_field_display()}"
