from django.conf import settings
from django.db import models


class ImportKind(models.TextChoices):
    HONOREES = "danh-sach", "Danh sách khen thưởng kèm quyết định"
    HISTORY = "lich-su", "Khen thưởng các năm trước"
    RATINGS = "xep-loai", "Xếp loại hằng năm"


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", "Chờ xác nhận"
    IMPORTED = "imported", "Đã nhập"
    DISCARDED = "discarded", "Đã bỏ"


class ImportBatch(models.Model):
    """One uploaded workbook: its parsed preview, then the record of what was imported."""

    kind = models.CharField("loại", max_length=12, choices=ImportKind.choices)
    decision = models.ForeignKey(
        "registry.Decision",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="import_batches",
        verbose_name="quyết định",
    )
    authority = models.ForeignKey(
        "registry.Authority",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cấp khen",
    )
    award_type = models.ForeignKey(
        "registry.AwardType",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="hình thức mặc định",
    )
    file_name = models.CharField("tệp", max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    legacy_encoding = models.CharField("bảng mã cũ đã chuyển", max_length=10, blank=True)
    payload = models.JSONField("bản xem trước", default=dict, blank=True)
    summary = models.JSONField("kết quả", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người nhập",
    )
    created_at = models.DateTimeField("tải lên lúc", auto_now_add=True)
    imported_at = models.DateTimeField("nhập lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lần nhập tệp"
        verbose_name_plural = "lần nhập tệp"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class RecipientMerge(models.Model):
    """Two records found to be one person (or collective): one kept, the other merged into it."""

    recipient_kind = models.CharField("đối tượng", max_length=12)
    kept_id = models.PositiveBigIntegerField("giữ lại (mã)")
    removed_id = models.PositiveBigIntegerField("gộp vào (mã)")
    removed_snapshot = models.JSONField("hồ sơ đã gộp", default=dict)
    moved_awards = models.PositiveIntegerField("số khen thưởng chuyển", default=0)
    moved_ratings = models.PositiveIntegerField("số xếp loại chuyển", default=0)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người gộp",
    )
    merged_at = models.DateTimeField("gộp lúc", auto_now_add=True)

    class Meta:
        verbose_name = "lần gộp hồ sơ trùng"
        verbose_name_plural = "lần gộp hồ sơ trùng"
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.recipient_kind} {self.removed_id} → {self.kept_id}"
