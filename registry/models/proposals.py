"""Proposals from units: rounds opened by an authority, the units' dossiers and their lines,
the documents the law requires, and the accounts units sign in with."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .awards import AwardFamily, LoaiHinh, RecipientKind
from .base import Dated, period_check


class RoundKind(models.TextChoices):
    """What a round collects; the values are the loại hình the awards will carry."""

    YEARLY = LoaiHinh.REGULAR.value, "Hằng năm (thường xuyên)"
    THEMATIC = LoaiHinh.THEMATIC.value, "Chuyên đề (theo phong trào)"
    ONE_OFF = LoaiHinh.ONE_OFF.value, "Đột xuất"


class RoundStatus(models.TextChoices):
    OPEN = "mo", "Đang nhận hồ sơ"
    CLOSED = "dong", "Đã đóng"


class Round(models.Model):
    """Đợt xét khen thưởng: an authority collects proposals until a deadline."""

    authority = models.ForeignKey(
        "registry.Authority", models.PROTECT, related_name="rounds", verbose_name="cấp khen thưởng"
    )
    year = models.PositiveSmallIntegerField("năm")
    kind = models.CharField(
        "loại đợt", max_length=20, choices=RoundKind.choices, default=RoundKind.YEARLY
    )
    campaign = models.ForeignKey(
        "registry.Campaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="rounds",
        verbose_name="phong trào thi đua",
        help_text="Bắt buộc với đợt chuyên đề.",
    )
    title = models.CharField("tên đợt", max_length=255)
    deadline = models.DateField("hạn nộp hồ sơ")
    award_types = models.ManyToManyField(
        "registry.AwardType", related_name="rounds", verbose_name="danh hiệu, hình thức xét"
    )
    status = models.CharField(
        "trạng thái", max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "đợt xét khen thưởng"
        verbose_name_plural = "đợt xét khen thưởng"
        ordering = ["-year", "-deadline", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1945, year__lte=2100),
                name="round_year_range",
                violation_error_message="Năm của đợt phải trong khoảng 1945–2100.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=RoundKind.THEMATIC) | Q(campaign__isnull=False),
                name="round_thematic_campaign",
                violation_error_message="Đợt chuyên đề phải chọn phong trào thi đua.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="round_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.authority.name}, {self.year})"


class ProposalStatus(models.TextChoices):
    DRAFT = "nhap", "Nháp"
    SUBMITTED = "da-gui", "Đã gửi"
    RETURNED = "bi-tra-lai", "Bị trả lại"
    RECEIVED = "da-tiep-nhan", "Đã tiếp nhận"


class Proposal(models.Model):
    """Hồ sơ đề nghị: one unit's proposal to a round's authority."""

    round = models.ForeignKey(
        Round, models.PROTECT, related_name="proposals", verbose_name="đợt xét"
    )
    unit = models.ForeignKey(
        "registry.Unit", models.PROTECT, related_name="proposals", verbose_name="đơn vị đề nghị"
    )
    status = models.CharField(
        "trạng thái", max_length=15, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    submission_number = models.CharField(
        "số tờ trình", max_length=60, blank=True, help_text="Ví dụ: 12/TTr-THCS."
    )
    submission_date = models.DateField("ngày tờ trình", null=True, blank=True)
    return_reason = models.TextField("lý do trả lại", blank=True)
    answer = models.TextField("giải trình của đơn vị", blank=True)
    decision = models.ForeignKey(
        "registry.Decision",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name="quyết định khen thưởng",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="người lập",
    )  # fmt: skip
    created_at = models.DateTimeField("ngày lập", auto_now_add=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    returned_at = models.DateTimeField("trả lại lúc", null=True, blank=True)
    received_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "hồ sơ đề nghị"
        verbose_name_plural = "hồ sơ đề nghị"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="proposal_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.RETURNED) | ~Q(return_reason=""),
                name="proposal_return_has_reason",
                violation_error_message="Trả lại hồ sơ phải ghi lý do.",
            ),
        ]

    def __str__(self) -> str:
        number = f" – Tờ trình {self.submission_number}" if self.submission_number else ""
        return f"{self.unit.name}{number}"

    @property
    def submission_label(self) -> str:
        if not self.submission_number:
            return ""
        day = f" ngày {self.submission_date:%d/%m/%Y}" if self.submission_date else ""
        return f"Tờ trình số {self.submission_number}{day} của {self.unit.name}"

    @property
    def unit_may_edit(self) -> bool:
        return self.status in (ProposalStatus.DRAFT, ProposalStatus.RETURNED)


class ProposalLine(models.Model):
    """Dòng đề nghị: one recipient, found in the registry or typed as new, for one award type."""

    proposal = models.ForeignKey(
        Proposal, models.CASCADE, related_name="lines", verbose_name="hồ sơ đề nghị"
    )
    line_no = models.PositiveIntegerField("STT", default=0)
    recipient_kind = models.CharField(
        "đối tượng", max_length=12, choices=RecipientKind.choices, default=RecipientKind.INDIVIDUAL
    )
    collective = models.ForeignKey(
        "registry.Collective", models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="tập thể (trong sổ)",
    )  # fmt: skip
    individual = models.ForeignKey(
        "registry.Individual", models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="cá nhân (trong sổ)",
    )  # fmt: skip
    household = models.ForeignKey(
        "registry.Household", models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="hộ gia đình (trong sổ)",
    )  # fmt: skip
    name = models.CharField("họ tên, tên tập thể", max_length=255)
    birth_year = models.PositiveSmallIntegerField("năm sinh", null=True, blank=True)
    position = models.CharField("chức vụ", max_length=255, blank=True)
    unit_name = models.CharField("đơn vị công tác", max_length=255, blank=True)
    award_type = models.ForeignKey(
        "registry.AwardType", models.PROTECT, related_name="+", verbose_name="danh hiệu, hình thức"
    )
    achievement = models.TextField("thành tích", blank=True)
    period_from = models.PositiveSmallIntegerField("thành tích từ năm")
    period_to = models.PositiveSmallIntegerField("đến năm")
    review_result = models.CharField(
        "kết quả bình xét của đơn vị",
        max_length=255,
        blank=True,
        help_text="Ví dụ: 25/27 phiếu đồng ý (92,6%).",
    )
    warnings = models.TextField("cảnh báo tiêu chuẩn", blank=True, editable=False)
    award = models.ForeignKey(
        "registry.Award", models.SET_NULL, null=True, blank=True, related_name="proposal_lines",
        verbose_name="dòng khen thưởng",
    )  # fmt: skip
    history = HistoricalRecords()

    class Meta:
        verbose_name = "dòng đề nghị"
        verbose_name_plural = "dòng đề nghị"
        ordering = ["proposal", "line_no", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(collective__isnull=True, individual__isnull=True, household__isnull=True)
                    | Q(
                        recipient_kind=RecipientKind.COLLECTIVE,
                        individual__isnull=True,
                        household__isnull=True,
                    )
                    | Q(
                        recipient_kind=RecipientKind.INDIVIDUAL,
                        collective__isnull=True,
                        household__isnull=True,
                    )
                    | Q(
                        recipient_kind=RecipientKind.HOUSEHOLD,
                        collective__isnull=True,
                        individual__isnull=True,
                    )
                ),  # fmt: skip
                name="proposalline_one_recipient",
                violation_error_message="Mỗi dòng đề nghị có một đối tượng đúng loại.",
            ),
            models.CheckConstraint(
                condition=Q(period_from__lte=models.F("period_to")),
                name="proposalline_period_ordered",
                violation_error_message="Năm bắt đầu của thành tích không được sau năm kết thúc.",
            ),
            models.CheckConstraint(
                condition=Q(period_from__gte=1945, period_to__lte=2100),
                name="proposalline_period_range",
                violation_error_message="Năm thành tích phải trong khoảng 1945–2100.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.award_type}"

    @property
    def recipient(self):
        return self.collective or self.individual or self.household

    @property
    def period_label(self) -> str:
        if self.period_from == self.period_to:
            return str(self.period_to)
        return f"{self.period_from}–{self.period_to}"

    @property
    def warning_list(self) -> list[str]:
        return [w for w in self.warnings.splitlines() if w.strip()]


class DocumentKind(models.TextChoices):
    SUBMISSION = "to-trinh", "Tờ trình đề nghị khen thưởng"
    ACHIEVEMENT_REPORT = "bao-cao-thanh-tich", "Báo cáo thành tích"
    REVIEW_MINUTES = "bien-ban-binh-xet", "Biên bản bình xét (họp xét khen thưởng)"
    INITIATIVE_PROOF = "xac-nhan-sang-kien", "Chứng nhận, xác nhận sáng kiến, đề tài"
    FEAT_PROOF = "xac-nhan-thanh-tich", "Xác nhận thành tích đột xuất"
    OTHER_OPINION = "y-kien-co-quan", "Ý kiến của cơ quan, tổ chức có liên quan"
    OTHER = "khac", "Tài liệu khác"


class RequirementScope(models.TextChoices):
    PROPOSAL = "ho-so", "Một bản cho cả hồ sơ"
    LINE = "dong", "Một bản cho từng đối tượng"


class DossierRequirement(Dated):
    """Thành phần hồ sơ: a document the law requires for an award type and recipient kind."""

    award_type = models.ForeignKey(
        "registry.AwardType",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="dossier_requirements",
        verbose_name="danh hiệu, hình thức",
        help_text="Để trống: áp dụng cho mọi danh hiệu, hình thức.",
    )
    award_family = models.CharField(
        "loại",
        max_length=12,
        blank=True,
        choices=AwardFamily.choices,
        help_text="Để trống: cả danh hiệu thi đua và hình thức khen thưởng.",
    )
    recipient_kind = models.CharField(
        "đối tượng",
        max_length=12,
        blank=True,
        choices=RecipientKind.choices,
        help_text="Để trống: mọi đối tượng.",
    )
    loai_hinh = models.CharField(
        "loại hình",
        max_length=20,
        blank=True,
        choices=LoaiHinh.choices,
        help_text="Để trống: mọi loại hình.",
    )
    scope = models.CharField("nộp", max_length=10, choices=RequirementScope.choices)
    document_kind = models.CharField(
        "thành phần hồ sơ", max_length=30, choices=DocumentKind.choices
    )
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["scope", "document_kind", "id"]
        constraints = [period_check("dossierrequirement_period")]

    def __str__(self) -> str:
        target = self.award_type.name if self.award_type_id else "mọi danh hiệu, hình thức"
        return f"{self.get_document_kind_display()} ({target})"


def attachment_path(instance, filename: str) -> str:
    return f"proposals/{instance.proposal_id}/{filename}"


class Attachment(models.Model):
    """A document of a proposal: for the whole dossier or for one line."""

    proposal = models.ForeignKey(
        Proposal, models.CASCADE, related_name="attachments", verbose_name="hồ sơ đề nghị"
    )
    line = models.ForeignKey(
        ProposalLine,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="dòng đề nghị",
    )
    document_kind = models.CharField(
        "thành phần hồ sơ", max_length=30, choices=DocumentKind.choices
    )
    file = models.FileField("tệp", upload_to=attachment_path, max_length=255)
    file_name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveIntegerField("dung lượng (byte)", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="người tải lên",
    )  # fmt: skip
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tài liệu đính kèm"
        verbose_name_plural = "tài liệu đính kèm"
        ordering = ["proposal", "line", "document_kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_document_kind_display()}: {self.file_name}"


class UnitMembership(models.Model):
    """A proposing unit's account: the user proposes for this unit, through the portal only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="unit_membership",
        verbose_name="người dùng",
    )
    unit = models.ForeignKey(
        "registry.Unit", models.PROTECT, related_name="members", verbose_name="đơn vị"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tài khoản đơn vị đề nghị"
        verbose_name_plural = "tài khoản đơn vị đề nghị"

    def __str__(self) -> str:
        return f"{self.user} – {self.unit}"
