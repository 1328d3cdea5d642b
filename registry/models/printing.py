"""Certificate layouts, print logs and print jobs.

A layout says where, in millimetres from the page's top-left corner, each block of variable text
goes when printing on pre-printed blanks (phôi), and the paper size of an award type. An empty
offset means "where the full design puts it".
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class PageSize(models.TextChoices):
    A4 = "A4", "A4 (210 × 297 mm)"
    A3 = "A3", "A3 (297 × 420 mm)"
    A5 = "A5", "A5 (148 × 210 mm)"


class Orientation(models.TextChoices):
    LANDSCAPE = "landscape", "Khổ ngang"
    PORTRAIT = "portrait", "Khổ dọc"


class PrintMode(models.TextChoices):
    FULL = "full", "In đầy đủ trên giấy trắng"
    OVERLAY = "overlay", "In trên phôi (chỉ phần chữ thay đổi)"


# The blocks of variable text, in the order they appear on the page.
LAYOUT_BLOCKS = {
    "header": "dòng cấp khen",
    "name": "tên người, tập thể được khen",
    "details": "chức vụ, đơn vị",
    "achievement": "thành tích",
    "reference": "số quyết định, số sổ vàng",
    "date": "địa danh, ngày tháng",
    "signer": "chức vụ và tên người ký",
    "qr": "mã QR và mã xác thực",
}
LAYOUT_AXES = {"x": "cách lề trái", "y": "cách mép trên", "w": "rộng", "h": "cao"}


class CertificateLayout(models.Model):
    """Paper and positions for one authority's certificates of one award type."""

    authority = models.ForeignKey(
        "registry.Authority",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="certificate_layouts",
        verbose_name="cấp khen",
        help_text="Để trống: áp dụng cho mọi cấp khen (khổ giấy của danh hiệu).",
    )
    award_type = models.ForeignKey(
        "registry.AwardType",
        models.CASCADE,
        related_name="certificate_layouts",
        verbose_name="danh hiệu, hình thức",
    )
    page_size = models.CharField(
        "khổ giấy", max_length=4, choices=PageSize.choices, default=PageSize.A4
    )
    orientation = models.CharField(
        "hướng giấy", max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    note = models.CharField("ghi chú", max_length=255, blank=True)
    # The office printer's own error, measured on the calibration page: every block printed on a
    # blank (phôi) moves by it. Set through certificates.layout_calibrate, which keeps history.
    shift_x = models.DecimalField(
        "dịch sang phải khi in trên phôi (mm)",
        max_digits=4,
        decimal_places=1,
        default=0,
        help_text="Âm là dịch sang trái.",
    )
    shift_y = models.DecimalField(
        "dịch xuống dưới khi in trên phôi (mm)",
        max_digits=4,
        decimal_places=1,
        default=0,
        help_text="Âm là dịch lên trên.",
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "mẫu in giấy khen"
        verbose_name_plural = "mẫu in giấy khen"
        ordering = ["award_type__display_order", "authority__code"]
        permissions = [
            (
                "calibrate_certificatelayout",
                "Căn chỉnh vị trí in trên phôi (nhập độ lệch đo được)",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "award_type"],
                name="certificatelayout_unique",
                violation_error_message="Cấp khen này đã có mẫu in cho danh hiệu này.",
            ),
            models.UniqueConstraint(
                fields=["award_type"],
                condition=Q(authority__isnull=True),
                name="certificatelayout_unique_any_authority",
                violation_error_message="Danh hiệu này đã có mẫu in chung cho mọi cấp khen.",
            ),
            models.CheckConstraint(
                condition=Q(page_size__in=PageSize.values), name="certificatelayout_page_size"
            ),
            models.CheckConstraint(
                condition=Q(orientation__in=Orientation.values),
                name="certificatelayout_orientation",
            ),
        ]

    def __str__(self) -> str:
        who = self.authority.name if self.authority_id else "mọi cấp khen"
        return f"{self.award_type} – {who}"

    def offsets(self) -> dict[str, dict[str, float]]:
        """The offsets someone set, {block: {axis: mm}}; blocks and axes left empty are absent."""
        found: dict[str, dict[str, float]] = {}
        for block in LAYOUT_BLOCKS:
            for axis in LAYOUT_AXES:
                value = getattr(self, f"{block}_{axis}")
                if value is not None:
                    found.setdefault(block, {})[axis] = float(value)
        return found


for _block, _block_label in LAYOUT_BLOCKS.items():
    for _axis, _axis_label in LAYOUT_AXES.items():
        CertificateLayout.add_to_class(
            f"{_block}_{_axis}",
            models.DecimalField(
                f"{_block_label}: {_axis_label} (mm)",
                max_digits=5,
                decimal_places=1,
                null=True,
                blank=True,
            ),
        )


class LayoutCalibration(models.Model):
    """One shift entered after printing the calibration page: who, when, from what to what."""

    layout = models.ForeignKey(
        CertificateLayout,
        models.CASCADE,
        related_name="calibrations",
        verbose_name="mẫu in giấy khen",
    )
    shift_x = models.DecimalField("dịch sang phải (mm)", max_digits=4, decimal_places=1)
    shift_y = models.DecimalField("dịch xuống dưới (mm)", max_digits=4, decimal_places=1)
    previous_x = models.DecimalField("trước đó: ngang (mm)", max_digits=4, decimal_places=1)
    previous_y = models.DecimalField("trước đó: dọc (mm)", max_digits=4, decimal_places=1)
    note = models.CharField("ghi chú", max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người nhập",
    )
    recorded_at = models.DateTimeField("nhập lúc", auto_now_add=True)

    class Meta:
        verbose_name = "lần căn chỉnh in trên phôi"
        verbose_name_plural = "các lần căn chỉnh in trên phôi"
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.layout}: ngang {self.shift_x} mm, dọc {self.shift_y} mm"


class PrintKind(models.TextChoices):
    PRINT = "in", "In lần đầu"
    REPRINT = "cap-lai", "Cấp lại"


class PrintLog(models.Model):
    """One certificate printed: who, when, how, and whether it was a reprint."""

    award = models.ForeignKey(
        "registry.Award", models.PROTECT, related_name="print_logs", verbose_name="khen thưởng"
    )
    kind = models.CharField("lần in", max_length=10, choices=PrintKind.choices)
    mode = models.CharField("cách in", max_length=10, choices=PrintMode.choices)
    printed_at = models.DateTimeField("in lúc", auto_now_add=True, db_index=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người in",
    )
    job = models.ForeignKey(
        "registry.PrintJob",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="logs",
        verbose_name="lượt in nền",
    )

    class Meta:
        verbose_name = "nhật ký in giấy khen"
        verbose_name_plural = "nhật ký in giấy khen"
        ordering = ["-printed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PrintKind.values), name="printlog_kind"),
            models.CheckConstraint(condition=Q(mode__in=PrintMode.values), name="printlog_mode"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.award} ({self.printed_at:%d/%m/%Y %H:%M})"


# Printing official papers (certificates, reprints, confirmations) is a clerk's right, not a
# reader's: registry.print_certificate.
PRINT_PERMISSION_CODENAME = "print_certificate"
PRINT_PERMISSION = f"registry.{PRINT_PERMISSION_CODENAME}"


class PrintJobStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang in"
    DONE = "done", "Đã xong"
    FAILED = "failed", "Lỗi"


class PrintJob(models.Model):
    """A large batch of certificates printed in the background; its file when it is done."""

    decision = models.ForeignKey(
        "registry.Decision",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="print_jobs",
        verbose_name="quyết định",
    )
    award_ids = models.JSONField("các dòng khen thưởng", default=list, editable=False)
    mode = models.CharField(
        "cách in", max_length=10, choices=PrintMode.choices, default=PrintMode.FULL
    )
    reprint = models.BooleanField("cấp lại", default=False)
    status = models.CharField(
        "trạng thái",
        max_length=10,
        choices=PrintJobStatus.choices,
        default=PrintJobStatus.QUEUED,
        db_index=True,
    )
    total = models.PositiveIntegerField("số trang", default=0)
    done = models.PositiveIntegerField("đã in", default=0)
    file = models.FileField("tệp PDF", upload_to="print/%Y/%m/", blank=True)
    error = models.TextField("lỗi", blank=True)
    task_id = models.CharField("mã tác vụ", max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người yêu cầu",
    )
    created_at = models.DateTimeField("yêu cầu lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu", null=True, blank=True)
    # Touched by the worker on every chunk: a job whose heartbeat stops has lost its worker.
    heartbeat_at = models.DateTimeField("tiến triển lần cuối", null=True, blank=True)
    # Which run owns the job: a run that was given up on cannot overwrite the next one.
    attempts = models.PositiveIntegerField("số lần chạy", default=0, editable=False)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lượt in giấy khen"
        verbose_name_plural = "lượt in giấy khen"
        ordering = ["-created_at", "-id"]
        permissions = [(PRINT_PERMISSION_CODENAME, "In, in lại giấy khen và giấy xác nhận")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PrintJobStatus.values), name="printjob_status"
            ),
            models.CheckConstraint(condition=Q(mode__in=PrintMode.values), name="printjob_mode"),
        ]

    def __str__(self) -> str:
        what = f"quyết định {self.decision.number}" if self.decision_id else "các dòng đã chọn"
        return f"In giấy khen {what} ({self.total} trang)"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


# Moving the overlay to fit the office printer is a leader's decision: registry.calibrate_...
CALIBRATE_PERMISSION_CODENAME = "calibrate_certificatelayout"
CALIBRATE_PERMISSION = f"registry.{CALIBRATE_PERMISSION_CODENAME}"
