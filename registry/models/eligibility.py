"""Eligibility rules as data: a rule per award type, with alternative routes made of conditions.

A rule says what a recipient must have on record (awards, yearly ratings, initiatives, bloc
results, no discipline) to be proposed for an award type. It holds for a period and cites its
legal basis, so a new decree is a new row, not new code. A rule passes when any one of its
routes ("hoặc") passes; a route passes when all of its conditions pass.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .awards import AuthorityLevel, AwardType, Chain, LoaiHinh, RecipientKind
from .base import Dated, period_check
from .campaigns import RatingGrade
from .ratings import DisciplineForm, InitiativeLevel

__all__ = [
    "ConditionKind",
    "EligibilityCondition",
    "EligibilityRoute",
    "EligibilityRule",
]


class EligibilityRule(Dated):
    """Tiêu chuẩn xét tặng: for one award type, one kind of recipient, in force for a period."""

    code = models.SlugField("mã", max_length=80, unique=True)
    name = models.CharField("tên tiêu chuẩn", max_length=255)
    award_type = models.ForeignKey(
        AwardType,
        models.CASCADE,
        related_name="eligibility_rules",
        verbose_name="danh hiệu, hình thức",
    )
    recipient_kind = models.CharField("đối tượng", max_length=12, choices=RecipientKind.choices)
    loai_hinh = models.CharField(
        "áp dụng cho loại hình",
        max_length=20,
        choices=LoaiHinh.choices,
        default=LoaiHinh.REGULAR,
        help_text="Khen đột xuất, chuyên đề không xét theo tiêu chuẩn khen thường xuyên.",
    )
    chain = models.CharField(
        "khối",
        max_length=10,
        choices=Chain.choices,
        blank=True,
        help_text="Để trống nếu áp dụng cho cả khối Nhà nước và khối Đảng.",
    )
    authority_level = models.CharField(
        "cấp khen",
        max_length=20,
        choices=AuthorityLevel.choices,
        blank=True,
        help_text="Để trống nếu áp dụng cho mọi cấp khen.",
    )
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500)
    confirmed = models.BooleanField(
        "đã đối chiếu văn bản gốc",
        default=True,
        help_text="Bỏ chọn khi tiêu chuẩn mới thấy qua nguồn thứ cấp, cần kiểm tra lại.",
    )
    note = models.TextField(
        "điều kiện Hội đồng tự xét",
        blank=True,
        help_text="Những điều kiện sổ không kiểm tra được (phẩm chất, đạo đức, đoàn kết …).",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "tiêu chuẩn xét khen thưởng"
        verbose_name_plural = "tiêu chuẩn xét khen thưởng"
        ordering = ["award_type__display_order", "recipient_kind", "-valid_from", "code"]
        constraints = [
            period_check("eligibilityrule_valid_period"),
            models.CheckConstraint(
                condition=Q(recipient_kind__in=RecipientKind.values),
                name="eligibilityrule_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def period_label(self) -> str:
        start = f"{self.valid_from:%d/%m/%Y}" if self.valid_from else "…"
        end = f"{self.valid_to:%d/%m/%Y}" if self.valid_to else "nay"
        return f"{start} – {end}"


class EligibilityRoute(models.Model):
    """One way to meet a rule: every condition of the route must pass."""

    rule = models.ForeignKey(
        EligibilityRule, models.CASCADE, related_name="routes", verbose_name="tiêu chuẩn"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    name = models.CharField(
        "tên trường hợp",
        max_length=255,
        help_text="Ví dụ: 3 năm liên tục Chiến sĩ thi đua cơ sở và có sáng kiến cấp tỉnh.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "trường hợp đạt tiêu chuẩn"
        verbose_name_plural = "các trường hợp đạt tiêu chuẩn (chỉ cần đạt một)"
        ordering = ["rule", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "order"], name="eligibilityroute_order")
        ]

    def __str__(self) -> str:
        return self.name


class ConditionKind(models.TextChoices):
    HOLDS = (
        "da-duoc-tang",
        "Đã được tặng X (ít nhất K lần, nếu ghi K; trong N năm gần đây, nếu ghi N)",
    )
    AWARD_STREAK = "lien-tuc-khen", "N lần liên tục được tặng X"
    RATING_STREAK = (
        "lien-tuc-xep-loai",
        "N năm liên tục xếp loại từ R, trong đó ít nhất M năm từ R2 hoặc được tặng Y",
    )
    INITIATIVES = "sang-kien", "Ít nhất K sáng kiến từ cấp L trong N năm gần đây"
    BLOC_LEADER = "dan-dau-khoi", "Dẫn đầu khối, cụm thi đua trong năm"
    MEMBERS_SHARE = (
        "ty-le-thanh-vien",
        "Tỷ lệ thành viên được tặng X trong năm đạt từ p% (hoặc trên p%)",
    )
    MEMBER_HOLDS = "co-thanh-vien", "Có ít nhất một thành viên được tặng X trong năm"
    MEMBERS_RATED = "thanh-vien-xep-loai", "Mọi thành viên xếp loại từ R trong năm"
    MEMBERS_NO_DISCIPLINE = (
        "thanh-vien-khong-ky-luat",
        "Không thành viên nào bị kỷ luật từ hình thức F trở lên trong năm",
    )
    NO_DISCIPLINE = "khong-ky-luat", "Không bị kỷ luật trong N năm xét (và đến ngày xét)"


# Which fields each kind of condition needs (the rest are ignored).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    ConditionKind.HOLDS: ("award_type",),
    ConditionKind.AWARD_STREAK: ("award_type", "years"),
    ConditionKind.RATING_STREAK: ("years", "grade"),
    ConditionKind.INITIATIVES: ("count", "initiative_level", "years"),
    ConditionKind.BLOC_LEADER: (),
    ConditionKind.MEMBERS_SHARE: ("award_type", "share"),
    ConditionKind.MEMBER_HOLDS: ("award_type",),
    ConditionKind.MEMBERS_RATED: ("grade",),
    ConditionKind.MEMBERS_NO_DISCIPLINE: ("discipline_form",),
    ConditionKind.NO_DISCIPLINE: (),
}
MEMBER_KINDS = {
    ConditionKind.MEMBERS_SHARE,
    ConditionKind.MEMBER_HOLDS,
    ConditionKind.MEMBERS_RATED,
    ConditionKind.MEMBERS_NO_DISCIPLINE,
}


class EligibilityCondition(models.Model):
    route = models.ForeignKey(
        EligibilityRoute, models.CASCADE, related_name="conditions", verbose_name="trường hợp"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    kind = models.CharField("loại điều kiện", max_length=24, choices=ConditionKind.choices)
    award_type = models.ForeignKey(
        AwardType,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="danh hiệu, hình thức X",
    )
    award_type_alt = models.ForeignKey(
        AwardType,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="hoặc X'",
        help_text="Danh hiệu được tính như X (ví dụ Chiến sĩ thi đua cơ sở thay Lao động tiên tiến).",
    )
    other_award_type = models.ForeignKey(
        AwardType,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="danh hiệu, hình thức Y",
        help_text="Với chuỗi xếp loại: năm được tặng Y được tính vào M năm.",
    )
    years = models.PositiveSmallIntegerField(
        "số năm N", null=True, blank=True, help_text="Để trống: không giới hạn (hoặc 1 năm)."
    )
    count = models.PositiveSmallIntegerField(
        "số lần M / K",
        null=True,
        blank=True,
        help_text="Số năm M, số sáng kiến K, hoặc số lần K đã được tặng X.",
    )
    grade = models.CharField("xếp loại từ R", max_length=6, choices=RatingGrade.choices, blank=True)
    other_grade = models.CharField(
        "xếp loại từ R2", max_length=6, choices=RatingGrade.choices, blank=True
    )
    initiative_level = models.CharField(
        "sáng kiến từ cấp L", max_length=12, choices=InitiativeLevel.choices, blank=True
    )
    share = models.DecimalField(
        "tỷ lệ p (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    share_above = models.BooleanField(
        "trên p%",
        default=False,
        help_text="Chọn khi văn bản ghi “trên p%” (đúng p% chưa đạt); bỏ chọn khi ghi “từ p%”, "
        "“ít nhất p%”.",
    )
    discipline_form = models.CharField(
        "kỷ luật từ hình thức F",
        max_length=20,
        choices=DisciplineForm.choices,
        blank=True,
        help_text="Ví dụ cảnh cáo: thành viên bị cảnh cáo hoặc nặng hơn thì tập thể chưa đạt.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "điều kiện"
        verbose_name_plural = "điều kiện (phải đạt tất cả)"
        ordering = ["route", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ConditionKind.values), name="eligibilitycondition_kind"
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | Q(share__gt=0, share__lte=100),
                name="eligibilitycondition_share_range",
                violation_error_message="Tỷ lệ phải lớn hơn 0 và không quá 100%.",
            ),
            models.CheckConstraint(
                condition=Q(years__isnull=True) | Q(years__gte=1, years__lte=50),
                name="eligibilitycondition_years_range",
                violation_error_message="Số năm phải từ 1 đến 50.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self):
        missing = [
            str(self._meta.get_field(name).verbose_name)
            for name in REQUIRED_FIELDS.get(self.kind, ())
            if getattr(self, name) in (None, "")
        ]
        if missing:
            raise ValidationError(
                f"Điều kiện “{self.get_kind_display()}” cần điền: {', '.join(missing)}."
            )
        if (
            self.kind == ConditionKind.RATING_STREAK
            and self.count
            and not (self.other_grade or self.other_award_type_id)
        ):
            raise ValidationError(
                "Đã ghi số năm M thì phải ghi xếp loại R2 hoặc danh hiệu Y để đếm M năm đó."
            )
        if (
            self.kind == ConditionKind.RATING_STREAK
            and self.count
            and self.years
            and self.count > self.years
        ):
            raise ValidationError({"count": "Số năm M không được lớn hơn N."})
