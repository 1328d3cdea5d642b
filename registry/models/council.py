"""The commendation council (Hội đồng Thi đua – Khen thưởng) and the public posting.

A council of an authority, for a period, with its members; its sessions take a round's
received lines, check the quorum, record recusals and the ballot counts per line (counts, not
individual votes) and close with results. Lines of award types that must be posted publicly
(AwardType.requires_posting) wait for a Posting whose working-day clock (services.workdays,
with the DayOff table) has run out before the council may vote on them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .awards import AwardFamily
from .base import Dated, period_check


class Council(Dated):
    """Hội đồng Thi đua – Khen thưởng of an authority for a period."""

    authority = models.ForeignKey(
        "registry.Authority",
        models.PROTECT,
        related_name="councils",
        verbose_name="cấp khen thưởng",
    )
    name = models.CharField("tên hội đồng", max_length=255)
    founding_document = models.CharField(
        "quyết định thành lập",
        max_length=255,
        blank=True,
        help_text="Ví dụ: 15/QĐ-UBND ngày 02/01/2026.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "hội đồng thi đua – khen thưởng"
        verbose_name_plural = "hội đồng thi đua – khen thưởng"
        ordering = ["authority", "-valid_from", "-id"]
        constraints = [period_check("council_period")]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    CHAIR = "chu-tich", "Chủ tịch"
    DEPUTY = "pho-chu-tich", "Phó Chủ tịch"
    MEMBER = "uy-vien", "Ủy viên"
    SECRETARY = "thu-ky", "Thư ký"


class CouncilMember(models.Model):
    council = models.ForeignKey(
        Council, models.CASCADE, related_name="members", verbose_name="hội đồng"
    )
    name = models.CharField("họ tên", max_length=255)
    position = models.CharField("chức vụ", max_length=255, blank=True)
    role = models.CharField("vai trò", max_length=15, choices=MemberRole.choices)
    heads_unit = models.ForeignKey(
        "registry.Unit", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="đứng đầu đơn vị",
    )  # fmt: skip
    individual = models.ForeignKey(
        "registry.Individual", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="cá nhân (trong sổ)",
    )  # fmt: skip
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "thành viên hội đồng"
        verbose_name_plural = "thành viên hội đồng"
        ordering = ["council", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def votes(self) -> bool:
        """The secretary keeps the minutes and does not vote."""
        return self.role != MemberRole.SECRETARY


class SessionStatus(models.TextChoices):
    OPEN = "dang-hop", "Đang họp"
    CLOSED = "da-ket-thuc", "Đã kết thúc"


class CouncilSession(models.Model):
    """Phiên họp xét khen thưởng: a council takes up a round's received lines."""

    council = models.ForeignKey(
        Council, models.PROTECT, related_name="sessions", verbose_name="hội đồng"
    )
    round = models.ForeignKey(
        "registry.Round", models.PROTECT, related_name="council_sessions", verbose_name="đợt xét"
    )
    date = models.DateField("ngày họp")
    place = models.CharField("địa điểm", max_length=255, blank=True)
    chaired_by = models.CharField("chủ trì", max_length=255, blank=True)
    status = models.CharField(
        "trạng thái", max_length=15, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    minutes_number = models.CharField("số biên bản", max_length=60, blank=True)
    decision = models.ForeignKey(
        "registry.Decision", models.SET_NULL, null=True, blank=True, related_name="council_sessions",
        verbose_name="dự thảo quyết định",
    )  # fmt: skip
    closed_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "phiên họp hội đồng"
        verbose_name_plural = "phiên họp hội đồng"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values), name="councilsession_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Phiên họp {self.council.name} ngày {self.date:%d/%m/%Y}"

    @property
    def minutes_label(self) -> str:
        number = f" số {self.minutes_number}" if self.minutes_number else ""
        return f"Biên bản họp {self.council.name}{number} ngày {self.date:%d/%m/%Y}"


class Attendance(models.Model):
    session = models.ForeignKey(
        CouncilSession, models.CASCADE, related_name="attendance", verbose_name="phiên họp"
    )
    member = models.ForeignKey(
        CouncilMember, models.PROTECT, related_name="attendance", verbose_name="thành viên"
    )
    present = models.BooleanField("có mặt", default=False)
    note = models.CharField(
        "ghi chú", max_length=255, blank=True, help_text="Ví dụ: vắng có lý do."
    )

    class Meta:
        verbose_name = "điểm danh"
        verbose_name_plural = "điểm danh"
        ordering = ["session", "member__order", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name}: {'có mặt' if self.present else 'vắng'}"


class ThresholdBase(models.TextChoices):
    ALL = "tong-so", "Tổng số thành viên hội đồng"
    PRESENT = "co-mat", "Số thành viên có mặt"


class VoteThreshold(Dated):
    """Tỷ lệ biểu quyết: quorum and pass fractions for an award type or a family, as data."""

    award_type = models.ForeignKey(
        "registry.AwardType", models.CASCADE, null=True, blank=True, related_name="vote_thresholds",
        verbose_name="danh hiệu, hình thức", help_text="Để trống: áp dụng theo loại.",
    )  # fmt: skip
    award_family = models.CharField(
        "loại", max_length=12, blank=True, choices=AwardFamily.choices,
        help_text="Để trống: mọi loại.",
    )  # fmt: skip
    quorum = models.DecimalField(
        "tỷ lệ có mặt tối thiểu", max_digits=5, decimal_places=4,
        help_text="Phần của tổng số thành viên, ví dụ 0,6667 (2/3).",
    )  # fmt: skip
    pass_fraction = models.DecimalField(
        "tỷ lệ đồng ý để thông qua", max_digits=5, decimal_places=4,
        help_text="Ví dụ 0,9 (90%) hoặc 0,5 (quá bán: phải lớn hơn).",
    )  # fmt: skip
    strictly_more = models.BooleanField(
        "phải lớn hơn tỷ lệ", default=False, help_text="Đánh dấu với “quá bán” (trên 50%)."
    )
    pass_base = models.CharField("tính trên", max_length=10, choices=ThresholdBase.choices)
    legal_basis = models.CharField("căn cứ", max_length=500)
    confirmed = models.BooleanField(
        "đã đối chiếu văn bản", default=False, help_text="Bỏ đánh dấu: hiển thị “chưa đối chiếu”."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tỷ lệ biểu quyết"
        verbose_name_plural = "tỷ lệ biểu quyết"
        ordering = ["award_type", "award_family", "id"]
        constraints = [
            period_check("votethreshold_period"),
            models.CheckConstraint(
                condition=Q(quorum__gt=0, quorum__lte=1, pass_fraction__gt=0, pass_fraction__lte=1),
                name="votethreshold_fractions",
                violation_error_message="Tỷ lệ phải lớn hơn 0 và không quá 1.",
            ),
        ]

    def __str__(self) -> str:
        target = self.award_type.name if self.award_type_id else (
            self.get_award_family_display() or "mọi danh hiệu, hình thức"
        )  # fmt: skip
        mark = "" if self.confirmed else " (chưa đối chiếu)"
        return f"{target}: {self.pass_fraction:.0%} {self.get_pass_base_display().lower()}{mark}"


class Recusal(models.Model):
    """A member steps aside on one line: they leave that line's count."""

    session = models.ForeignKey(
        CouncilSession, models.CASCADE, related_name="recusals", verbose_name="phiên họp"
    )
    member = models.ForeignKey(
        CouncilMember, models.PROTECT, related_name="recusals", verbose_name="thành viên"
    )
    line = models.ForeignKey(
        "registry.ProposalLine",
        models.CASCADE,
        related_name="recusals",
        verbose_name="dòng đề nghị",
    )
    reason = models.CharField("lý do", max_length=255)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "không tham gia biểu quyết"
        verbose_name_plural = "không tham gia biểu quyết"
        ordering = ["session", "line", "member"]
        constraints = [
            models.UniqueConstraint(fields=["session", "member", "line"], name="recusal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} – {self.line.name}: {self.reason}"


class BallotResult(models.TextChoices):
    PASSED = "thong-qua", "Thông qua"
    FAILED = "khong-thong-qua", "Không thông qua"


class Ballot(models.Model):
    """Kết quả bỏ phiếu of one line: counts only."""

    session = models.ForeignKey(
        CouncilSession, models.CASCADE, related_name="ballots", verbose_name="phiên họp"
    )
    line = models.ForeignKey(
        "registry.ProposalLine", models.CASCADE, related_name="ballots", verbose_name="dòng đề nghị"
    )
    agree = models.PositiveSmallIntegerField("đồng ý", default=0)
    disagree = models.PositiveSmallIntegerField("không đồng ý", default=0)
    blank = models.PositiveSmallIntegerField("phiếu trắng", default=0)
    eligible = models.PositiveSmallIntegerField("số thành viên được biểu quyết", default=0)
    base = models.PositiveSmallIntegerField("số tính tỷ lệ", default=0)
    result = models.CharField("kết quả", max_length=20, choices=BallotResult.choices)
    threshold_text = models.CharField("tỷ lệ áp dụng", max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "kết quả bỏ phiếu"
        verbose_name_plural = "kết quả bỏ phiếu"
        ordering = ["session", "line__proposal", "line__line_no", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "line"], name="ballot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.line.name}: {self.agree}/{self.disagree}/{self.blank} – {self.get_result_display()}"

    @property
    def tally(self) -> str:
        return f"{self.agree} đồng ý, {self.disagree} không đồng ý, {self.blank} phiếu trắng"


class Posting(models.Model):
    """Công khai: a round's lines of the award types that require it, posted for comments."""

    round = models.ForeignKey(
        "registry.Round", models.PROTECT, related_name="postings", verbose_name="đợt xét"
    )
    lines = models.ManyToManyField(
        "registry.ProposalLine", related_name="postings", verbose_name="dòng đề nghị công khai"
    )
    title = models.CharField(
        "tiêu đề",
        max_length=255,
        blank=True,
        help_text="Để trống: “Công khai danh sách đề nghị khen thưởng – tên đợt”.",
    )
    public_from = models.DateField("công khai từ ngày")
    working_days = models.PositiveSmallIntegerField("số ngày làm việc", default=10)
    ready_on = models.DateField(
        "hội đồng được họp từ ngày", editable=False, null=True,
        help_text="Ngày làm việc đầu tiên sau khi đủ số ngày công khai.",
    )  # fmt: skip
    closed = models.BooleanField("đã kết thúc", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="người lập",
    )  # fmt: skip
    created_at = models.DateTimeField("ngày lập", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "công khai đề nghị"
        verbose_name_plural = "công khai đề nghị"
        ordering = ["-public_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(working_days__gte=1), name="posting_working_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PostingComment(models.Model):
    posting = models.ForeignKey(
        Posting, models.CASCADE, related_name="comments", verbose_name="công khai"
    )
    name = models.CharField("họ tên", max_length=120)
    contact = models.CharField("liên hệ", max_length=120, blank=True)
    text = models.TextField("ý kiến", max_length=3000)
    created = models.DateTimeField("gửi lúc", auto_now_add=True)
    ip = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    handled = models.BooleanField("đã xử lý", default=False)

    class Meta:
        verbose_name = "ý kiến góp ý"
        verbose_name_plural = "ý kiến góp ý"
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.text[:60]}"


class DayOffKind(models.TextChoices):
    EXTRA = "nghi-bu", "Nghỉ bù"
    SWAP_OFF = "hoan-doi", "Nghỉ do hoán đổi ngày làm việc"
    TET = "tet", "Nghỉ Tết"
    WORKDAY = "lam-bu", "Làm việc bù (ngày cuối tuần đi làm)"


class DayOff(models.Model):
    """A day the government announces for one year: an extra day off, or a weekend worked."""

    date = models.DateField("ngày", unique=True)
    name = models.CharField("tên", max_length=255)
    kind = models.CharField("loại", max_length=10, choices=DayOffKind.choices)
    source = models.CharField("văn bản công bố", max_length=255, blank=True)

    class Meta:
        verbose_name = "ngày nghỉ, làm bù"
        verbose_name_plural = "ngày nghỉ, làm bù"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.name}"

    @property
    def is_workday(self) -> bool:
        return self.kind == DayOffKind.WORKDAY
