"""Signed papers received by the registry: a decision signed on the signer's token elsewhere, and
each signed revision of a pledge. What pdf_verify found is kept as it was found; nothing is
rewritten, a later upload is a new row."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class SignatureStatus(models.TextChoices):
    VALID = "valid", "Hợp lệ"
    UNSIGNED = "unsigned", "Không có chữ ký số"
    ALTERED = "altered", "Đã bị sửa sau khi ký"
    UNTRUSTED = "untrusted", "Chứng thư số không thuộc nguồn tin cậy"
    EXPIRED = "expired", "Chứng thư số đã hết hạn"
    REVOKED = "revoked", "Chứng thư số đã bị thu hồi"
    INVALID = "invalid", "Chữ ký không hợp lệ"


class SignedPaper(models.Model):
    """One signed PDF as uploaded: of a decision, or one revision of a pledge."""

    authority = models.ForeignKey(
        "registry.Authority", models.PROTECT, related_name="+", verbose_name="cấp khen thưởng"
    )
    decision = models.ForeignKey(
        "registry.Decision",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_papers",
        verbose_name="quyết định",
    )
    pledge = models.ForeignKey(
        "registry.Pledge",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_papers",
        verbose_name="giao ước",
    )
    signatory = models.ForeignKey(
        "registry.PledgeSignatory",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_papers",
        verbose_name="đơn vị vừa ký",
    )
    revision = models.PositiveSmallIntegerField("lần tải lên", default=1)
    file = models.FileField("tệp PDF đã ký", upload_to="received/%Y/")
    filename = models.CharField("tên tệp", max_length=255)
    sha256 = models.CharField("mã băm SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("dung lượng (byte)")
    status = models.CharField("kết quả kiểm tra", max_length=12, choices=SignatureStatus.choices)
    message = models.TextField("diễn giải", blank=True)
    verification_code = models.CharField("mã xác thực trong tệp", max_length=32, blank=True)
    number_read = models.CharField("số quyết định đọc được", max_length=60, blank=True)
    date_read = models.DateField("ngày ký đọc được", null=True, blank=True)
    read_from_text = models.BooleanField("đọc được số, ngày từ lớp chữ", default=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người xác nhận số, ngày",
    )
    confirmed_at = models.DateTimeField("thời điểm xác nhận", null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người tải lên",
    )
    uploaded_at = models.DateTimeField("thời điểm tải lên", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "bản ký số"
        verbose_name_plural = "bản ký số"
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__isnull=False, pledge__isnull=True)
                | Q(decision__isnull=True, pledge__isnull=False),
                name="signedpaper_one_paper",
                violation_error_message="Bản ký số thuộc đúng một quyết định hoặc một giao ước.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SignatureStatus.values), name="signedpaper_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(read_from_text=True) | Q(confirmed_by__isnull=False),
                name="signedpaper_image_confirmed",
                violation_error_message="Không đọc được số, ngày từ tệp: cần người xác nhận số và ngày.",
            ),
            models.UniqueConstraint(
                fields=["pledge", "revision"],
                condition=Q(pledge__isnull=False),
                name="signedpaper_pledge_revision_once",
            ),
        ]

    def __str__(self) -> str:
        paper = self.decision or self.pledge
        return f"{self.filename} ({paper})"

    @property
    def is_valid(self) -> bool:
        return self.status == SignatureStatus.VALID


class PaperSignature(models.Model):
    """One signature found in a signed paper, as pdf_verify reported it."""

    paper = models.ForeignKey(
        SignedPaper, models.CASCADE, related_name="signatures", verbose_name="bản ký số"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    field_name = models.CharField("ô chữ ký", max_length=120, blank=True)
    signer_name = models.CharField("người ký", max_length=255, blank=True)
    signer_organisation = models.CharField("cơ quan của người ký", max_length=255, blank=True)
    certificate_sha256 = models.CharField("dấu vân tay chứng thư (SHA-256)", max_length=64)
    certificate_serial = models.CharField("số hiệu chứng thư", max_length=80, blank=True)
    issuer_name = models.CharField("tổ chức cấp chứng thư", max_length=255, blank=True)
    signed_at = models.DateTimeField("thời điểm ký", null=True, blank=True)
    timestamped = models.BooleanField("có dấu thời gian", default=False)
    status = models.CharField("kết quả", max_length=12, choices=SignatureStatus.choices)
    message = models.TextField("diễn giải", blank=True)

    class Meta:
        verbose_name = "chữ ký số"
        verbose_name_plural = "chữ ký số"
        ordering = ["paper", "order"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "order"], name="papersignature_order_once"),
            models.CheckConstraint(
                condition=Q(status__in=SignatureStatus.values), name="papersignature_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.signer_name or self.certificate_sha256[:16]
