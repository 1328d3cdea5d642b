from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from registry.text import fold

from .base import Dated, period_check
from .people import RecipientCategory


class Chain(models.TextChoices):
    STATE = "nha-nuoc", "Nhà nước"
    PARTY = "dang", "Đảng"


class AuthorityLevel(models.TextChoices):
    PRESIDENT = "chu-tich-nuoc", "Chủ tịch nước"
    GOVERNMENT = "chinh-phu", "Thủ tướng Chính phủ"
    PROVINCE = "tinh", "Bộ, ngành, tỉnh"
    DISTRICT = "huyen", "Huyện (đến 30/6/2025)"
    COMMUNE = "xa", "Xã, phường"
    UNIT = "don-vi", "Thủ trưởng cơ quan, đơn vị, doanh nghiệp"


class NumberingStyle(models.TextChoices):
    YEARLY = "nam", "Đánh số lại từ 1 mỗi năm"
    TERM = "nhiem-ky", "Đánh số liên tục trong nhiệm kỳ"


class RecipientKind(models.TextChoices):
    COLLECTIVE = "tap-the", "Tập thể"
    INDIVIDUAL = "ca-nhan", "Cá nhân"
    HOUSEHOLD = "ho-gia-dinh", "Hộ gia đình"


class LoaiHinh(models.TextChoices):
    REGULAR = "thuong-xuyen", "Thường xuyên"
    THEMATIC = "chuyen-de", "Theo đợt, chuyên đề"
    ONE_OFF = "dot-xuat", "Đột xuất"
    SERVICE = "cong-hien", "Quá trình cống hiến"
    SENIORITY = "nien-han", "Niên hạn"
    FOREIGN = "doi-ngoai", "Đối ngoại"
    RESISTANCE = "khang-chien", "Kháng chiến"


class Authority(Dated):
    """Who signs commendation decisions: 'Chủ tịch UBND huyện Văn Lãng'."""

    code = models.SlugField("mã", max_length=80, unique=True)
    name = models.CharField("tên", max_length=255)
    organ = models.CharField(
        "cơ quan", max_length=255, blank=True, help_text="Ví dụ: Ủy ban nhân dân huyện Văn Lãng."
    )
    chain = models.CharField("khối", max_length=10, choices=Chain.choices, default=Chain.STATE)
    level = models.CharField("cấp", max_length=20, choices=AuthorityLevel.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="cấp trên",
    )
    place_name = models.CharField(
        "địa danh",
        max_length=100,
        help_text="In ở dòng ngày tháng: 'Văn Lãng, ngày … tháng … năm …'.",
    )
    header = models.CharField(
        "dòng tiêu đề trên giấy khen",
        max_length=255,
        blank=True,
        help_text="Ví dụ: CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN VĂN LÃNG.",
    )
    numbering = models.CharField(
        "cách đánh số quyết định",
        max_length=10,
        choices=NumberingStyle.choices,
        default=NumberingStyle.YEARLY,
    )
    number_pattern = models.CharField(
        "mẫu số quyết định",
        max_length=40,
        default="{n}/QĐ-UBND",
        help_text="{n} là số thứ tự, ví dụ '{n}/QĐ-UBND' hoặc '{n}-QĐ/HU'.",
    )
    unit = models.ForeignKey(
        "registry.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="authorities",
        verbose_name="địa bàn, đơn vị",
    )
    requires_signed_pdf = models.BooleanField(
        "bắt buộc bản ký số hợp lệ",
        default=False,
        help_text="Đánh dấu: quyết định chỉ ban hành được khi đã đính kèm bản PDF ký số hợp lệ "
        "(đúng số, đúng ngày, chữ ký còn nguyên vẹn).",
    )
    successors = models.ManyToManyField(
        "self",
        through="AuthoritySuccession",
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        verbose_name="cấp kế thừa",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "cấp khen thưởng"
        verbose_name_plural = "cấp khen thưởng"
        ordering = ["code"]
        constraints = [
            period_check("authority_valid_period"),
            models.CheckConstraint(
                condition=Q(chain__in=Chain.values), name="authority_chain_valid"
            ),
            models.CheckConstraint(
                condition=Q(level__in=AuthorityLevel.values), name="authority_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def numbering_period(self, day) -> int:
        """The period in which decision numbers are unique: the year, or the start year of the
        term the day falls in (a Party committee numbers on from 1 in each new term)."""
        if self.numbering != NumberingStyle.TERM:
            return day.year
        term = self.term_on(day)
        if term is None:
            raise ValidationError(
                {
                    "signed_date": f"{self.name} đánh số quyết định theo nhiệm kỳ nhưng chưa có "
                    f"nhiệm kỳ nào gồm ngày {day:%d/%m/%Y}. Hãy thêm nhiệm kỳ trong mục Cấp khen "
                    "thưởng."
                }
            )
        return term.start.year

    def term_on(self, day) -> "AuthorityTerm | None":
        """The term in force on the day: the latest started on or before it and not yet ended."""
        terms = sorted(self.terms.all(), key=lambda t: t.start, reverse=True)
        return next((t for t in terms if t.start <= day and (t.end is None or day <= t.end)), None)


class AuthorityTerm(models.Model):
    """A term (nhiệm kỳ) of a Party committee: its decision numbers run on from 1 within it."""

    authority = models.ForeignKey(
        Authority, models.CASCADE, related_name="terms", verbose_name="cấp khen thưởng"
    )
    name = models.CharField("nhiệm kỳ", max_length=40, help_text="Ví dụ: 2025–2030.")
    start = models.DateField("bắt đầu", help_text="Ngày bế mạc đại hội hoặc ngày ra quyết định.")
    end = models.DateField("kết thúc", null=True, blank=True)
    legal_basis = models.CharField("căn cứ", max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "nhiệm kỳ"
        verbose_name_plural = "nhiệm kỳ"
        ordering = ["authority", "start"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "start"], name="authorityterm_unique"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="authorityterm_ordered",
                violation_error_message="Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority} – nhiệm kỳ {self.name}"


class AuthoritySuccession(models.Model):
    """An authority that ended and one of those that took over its powers (one row each)."""

    predecessor = models.ForeignKey(
        Authority, models.CASCADE, related_name="succeeded_by", verbose_name="cấp đã chấm dứt"
    )
    successor = models.ForeignKey(
        Authority, models.PROTECT, related_name="succeeds", verbose_name="cấp kế thừa"
    )
    since = models.DateField("từ ngày")
    legal_basis = models.CharField("căn cứ", max_length=500)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "cấp kế thừa"
        verbose_name_plural = "cấp kế thừa"
        ordering = ["predecessor", "successor"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="authoritysuccession_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="authoritysuccession_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class AwardFamily(models.TextChoices):
    TITLE = "danh-hieu", "Danh hiệu thi đua"
    FORM = "hinh-thuc", "Hình thức khen thưởng"


class AwardLevel(models.TextChoices):
    STATE = "nha-nuoc", "Nhà nước"
    GOVERNMENT = "chinh-phu", "Chính phủ"
    PROVINCE = "bo-tinh", "Bộ, ngành, tỉnh"
    GRASSROOTS = "co-so", "Cơ sở"


class AwardType(Dated):
    code = models.SlugField("mã", max_length=60, unique=True)
    name = models.CharField("tên", max_length=255)
    certificate_title = models.CharField(
        "tên in trên giấy khen", max_length=120, help_text="Ví dụ: GIẤY KHEN, BẰNG KHEN."
    )
    family = models.CharField("loại", max_length=12, choices=AwardFamily.choices)
    level = models.CharField("cấp", max_length=12, choices=AwardLevel.choices)
    for_collectives = models.BooleanField("tặng tập thể", default=False)
    for_individuals = models.BooleanField("tặng cá nhân", default=False)
    for_households = models.BooleanField("tặng hộ gia đình", default=False)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=255, blank=True)
    display_order = models.PositiveSmallIntegerField("thứ tự", default=100)
    requires_posting = models.BooleanField(
        "phải công khai trước khi họp hội đồng",
        default=False,
        help_text="Huân chương, danh hiệu vinh dự Nhà nước, Chiến sĩ thi đua toàn quốc: công khai "
        "ít nhất 10 ngày làm việc trước khi họp (Nghị định 98/2023/NĐ-CP, Điều 46 khoản 2).",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "danh hiệu, hình thức khen thưởng"
        verbose_name_plural = "danh hiệu, hình thức khen thưởng"
        ordering = ["display_order", "code"]
        constraints = [
            period_check("awardtype_valid_period"),
            models.CheckConstraint(
                condition=Q(for_collectives=True)
                | Q(for_individuals=True)
                | Q(for_households=True),
                name="awardtype_has_recipient_kind",
                violation_error_message="Phải chọn ít nhất một đối tượng được tặng.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def allows(self, kind: str) -> bool:
        return {
            RecipientKind.COLLECTIVE: self.for_collectives,
            RecipientKind.INDIVIDUAL: self.for_individuals,
            RecipientKind.HOUSEHOLD: self.for_households,
        }[kind]


class AwardPower(Dated):
    """Which authority level (of which chain) may give which award type, and since when."""

    chain = models.CharField("khối", max_length=10, choices=Chain.choices)
    level = models.CharField("cấp", max_length=20, choices=AuthorityLevel.choices)
    award_type = models.ForeignKey(
        AwardType, models.CASCADE, related_name="powers", verbose_name="danh hiệu, hình thức"
    )
    legal_basis = models.CharField("căn cứ pháp lý", max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "thẩm quyền khen thưởng"
        verbose_name_plural = "thẩm quyền khen thưởng"
        ordering = ["chain", "level", "award_type__display_order"]
        constraints = [period_check("awardpower_valid_period")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.get_chain_display()}): {self.award_type}"


class BaseSalary(models.Model):
    amount = models.PositiveBigIntegerField("mức lương cơ sở (đồng)")
    valid_from = models.DateField("áp dụng từ ngày", unique=True)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=255, blank=True)
    confirmed = models.BooleanField("đã xác nhận", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "mức lương cơ sở"
        verbose_name_plural = "mức lương cơ sở"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.amount:,} đ từ {self.valid_from:%d/%m/%Y}".replace(",", ".")


class CashMultiple(Dated):
    """Cash reward as a multiple of the base salary, by decree in force on the decision date."""

    award_type = models.ForeignKey(
        AwardType,
        models.CASCADE,
        related_name="cash_multiples",
        verbose_name="danh hiệu, hình thức",
    )
    recipient_kind = models.CharField("đối tượng", max_length=12, choices=RecipientKind.choices)
    chain = models.CharField("khối", max_length=10, choices=Chain.choices, default=Chain.STATE)
    level = models.CharField(
        "cấp khen",
        max_length=20,
        choices=AuthorityLevel.choices,
        blank=True,
        help_text="Để trống nếu áp dụng cho mọi cấp.",
    )
    multiple = models.DecimalField("hệ số", max_digits=5, decimal_places=2)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=255, blank=True)
    confirmed = models.BooleanField("đã xác nhận", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "hệ số tiền thưởng"
        verbose_name_plural = "hệ số tiền thưởng"
        ordering = ["award_type__display_order", "recipient_kind", "-valid_from"]
        constraints = [
            period_check("cashmultiple_valid_period"),
            models.CheckConstraint(condition=Q(multiple__gt=0), name="cashmultiple_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.award_type} – {self.get_recipient_kind_display()}: ×{self.multiple}"


class DecisionKind(models.TextChoices):
    AWARD = "khen-thuong", "Khen thưởng"
    REVOCATION = "huy-bo", "Hủy bỏ khen thưởng"
    AMENDMENT = "dinh-chinh", "Đính chính khen thưởng"


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    ISSUED = "issued", "Đã ban hành"


class SignerPrefix(models.TextChoices):
    NONE = "", "(không)"
    KT = "KT.", "KT."
    TM = "TM.", "TM."
    Q = "Q.", "Q."
    TL = "TL.", "TL."
    TUQ = "TUQ.", "TUQ."


class Decision(models.Model):
    authority = models.ForeignKey(
        Authority, models.PROTECT, related_name="decisions", verbose_name="cấp khen thưởng"
    )
    kind = models.CharField(
        "loại quyết định", max_length=12, choices=DecisionKind.choices, default=DecisionKind.AWARD
    )
    number = models.CharField("số quyết định", max_length=60, help_text="Ví dụ: 15/QĐ-UBND.")
    numbering_period = models.PositiveSmallIntegerField("kỳ đánh số", editable=False)
    signed_date = models.DateField("ngày ký")
    place = models.CharField("địa danh", max_length=100, blank=True)
    subject = models.CharField(
        "trích yếu",
        max_length=500,
        help_text="Ví dụ: Về việc tặng Giấy khen cho các tập thể, cá nhân …",
    )
    legal_bases = models.TextField("căn cứ", blank=True, help_text="Mỗi căn cứ một dòng.")
    proposing_unit = models.ForeignKey(
        "registry.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="đơn vị đề nghị",
    )
    proposing_authority = models.ForeignKey(
        Authority,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cơ quan đề nghị",
    )
    proposal = models.CharField(
        "tờ trình",
        max_length=255,
        blank=True,
        help_text="Ví dụ: Tờ trình số 12/TTr-PNV ngày 05/01/2023.",
    )
    signer_prefix = models.CharField(
        "thẩm quyền ký", max_length=5, choices=SignerPrefix.choices, blank=True
    )
    signer_title = models.CharField("chức vụ người ký", max_length=120)
    signer_name = models.CharField("người ký", max_length=120)
    loai_hinh = models.CharField(
        "loại hình khen thưởng", max_length=20, choices=LoaiHinh.choices, default=LoaiHinh.REGULAR
    )
    campaign = models.ForeignKey(
        "registry.Campaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="phong trào thi đua",
    )
    status = models.CharField(
        "trạng thái", max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    scan = models.FileField("bản quét", upload_to="decisions/%Y/", blank=True)
    issued_at = models.DateTimeField("thời điểm ban hành", null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="người ban hành",
    )
    search_key = models.CharField(max_length=1000, editable=False, db_index=True, default="")
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["search_key"])

    class Meta:
        verbose_name = "quyết định khen thưởng"
        verbose_name_plural = "quyết định khen thưởng"
        ordering = ["-signed_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "numbering_period", "number"],
                name="decision_number_unique_per_period",
                violation_error_message="Số quyết định này đã dùng trong kỳ đánh số của cấp khen.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DecisionStatus.values), name="decision_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=DecisionStatus.DRAFT)
                | Q(issued_at__isnull=False, number__gt=""),
                name="decision_issued_has_time",
            ),
            models.CheckConstraint(
                condition=Q(loai_hinh__in=LoaiHinh.values), name="decision_loai_hinh_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DecisionKind.values), name="decision_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["authority", "signed_date"]),
            models.Index(fields=["signed_date"], name="decision_signed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ngày {self.signed_date:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        self.refresh_keys()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.authority_id and self.signed_date:
            # The one check of the authority's own validity, whatever path saves the decision.
            from registry.selectors.law import authority_lapse

            lapse = authority_lapse(authority=self.authority, day=self.signed_date)
            if lapse:
                raise ValidationError({"signed_date": lapse})
            self.numbering_period = self.authority.numbering_period(self.signed_date)

    @property
    def is_issued(self) -> bool:
        return self.status == DecisionStatus.ISSUED

    def refresh_keys(self) -> None:
        self.search_key = fold(f"{self.number} {self.subject} {self.signer_name}")


class Award(models.Model):
    """One line of a decision: one award type to exactly one recipient."""

    decision = models.ForeignKey(
        Decision, models.CASCADE, related_name="awards", verbose_name="quyết định"
    )
    # Copied from the decision so that register numbers can be unique per authority in the database.
    authority = models.ForeignKey(
        Authority, models.PROTECT, related_name="awards", editable=False, verbose_name="cấp khen"
    )
    line_no = models.PositiveIntegerField("STT", default=0)
    award_type = models.ForeignKey(
        AwardType, models.PROTECT, related_name="awards", verbose_name="danh hiệu, hình thức"
    )
    loai_hinh = models.CharField(
        "loại hình", max_length=20, choices=LoaiHinh.choices, default=LoaiHinh.REGULAR
    )
    collective = models.ForeignKey(
        "registry.Collective",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name="tập thể",
    )
    individual = models.ForeignKey(
        "registry.Individual",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name="cá nhân",
    )
    household = models.ForeignKey(
        "registry.Household",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name="hộ gia đình",
    )
    recipient_name = models.CharField("tên in trên giấy khen", max_length=255, blank=True)
    recipient_position = models.CharField("chức vụ (khi khen)", max_length=255, blank=True)
    recipient_unit = models.CharField("đơn vị (khi khen)", max_length=255, blank=True)
    achievement = models.TextField(
        "thành tích", blank=True, help_text="Ví dụ: Đã có thành tích xuất sắc trong …"
    )
    period_from = models.PositiveSmallIntegerField("thành tích từ năm")
    period_to = models.PositiveSmallIntegerField(
        "đến năm", help_text="Khen thưởng được tính vào năm này (năm cuối của thành tích)."
    )
    campaign = models.ForeignKey(
        "registry.Campaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name="phong trào thi đua",
    )
    register_number = models.PositiveIntegerField(
        "số sổ vàng", null=True, blank=True, editable=False
    )
    verification_code = models.CharField(
        "mã xác thực", max_length=24, null=True, blank=True, unique=True, editable=False
    )
    cash_amount = models.PositiveBigIntegerField(
        "tiền thưởng (đồng)", null=True, blank=True, help_text="Để trống khi chưa xác định."
    )
    recipient_category = models.CharField(
        "phân loại thống kê", max_length=30, blank=True, choices=RecipientCategory.choices
    )
    eligibility_override = models.TextField(
        "lý do vẫn đề nghị",
        blank=True,
        help_text="Khi đối tượng chưa đủ tiêu chuẩn theo quy định mà Hội đồng vẫn đề nghị.",
    )
    revoked_by = models.ForeignKey(
        Decision,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="revoked_awards",
        verbose_name="quyết định hủy bỏ",
    )
    revocation_reason = models.TextField("lý do hủy bỏ", blank=True)
    revoked_on = models.DateField("ngày hủy bỏ", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "khen thưởng"
        verbose_name_plural = "khen thưởng"
        permissions = [("revoke_award", "Hủy bỏ, đính chính khen thưởng")]
        ordering = ["decision", "line_no", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(collective__isnull=False, individual__isnull=True, household__isnull=True)
                    | Q(collective__isnull=True, individual__isnull=False, household__isnull=True)
                    | Q(collective__isnull=True, individual__isnull=True, household__isnull=False)
                ),
                name="award_exactly_one_recipient",
                violation_error_message="Mỗi dòng khen thưởng có đúng một đối tượng: tập thể, cá nhân hoặc hộ gia đình.",
            ),
            models.CheckConstraint(
                condition=Q(period_from__lte=models.F("period_to")),
                name="award_period_ordered",
                violation_error_message="Năm bắt đầu của thành tích không được sau năm kết thúc.",
            ),
            models.CheckConstraint(
                condition=Q(period_from__gte=1945, period_to__lte=2100),
                name="award_period_range",
                violation_error_message="Năm thành tích phải trong khoảng 1945–2100.",
            ),
            models.CheckConstraint(
                condition=Q(loai_hinh__in=LoaiHinh.values), name="award_loai_hinh_valid"
            ),
            models.UniqueConstraint(
                fields=["authority", "register_number"],
                name="award_register_number_unique",
                violation_error_message="Số sổ vàng đã được dùng.",
            ),
            models.CheckConstraint(
                condition=(Q(revoked_by__isnull=True) & Q(revoked_on__isnull=True))
                | (Q(revoked_by__isnull=False) & Q(revoked_on__isnull=False)),
                name="award_revocation_complete",
                violation_error_message="Hủy bỏ phải có quyết định hủy bỏ và ngày hủy bỏ.",
            ),
        ]
        indexes = [
            models.Index(fields=["authority", "period_to"]),
            models.Index(fields=["award_type", "period_to"]),
            # The whole registry's year (annual reports): the year first, then what they group by.
            models.Index(
                fields=["period_to", "award_type", "loai_hinh"], name="award_year_type_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_type} – {self.recipient_name}"

    @property
    def recipient(self):
        return self.collective or self.individual or self.household

    @property
    def recipient_kind(self) -> str:
        if self.collective_id:
            return RecipientKind.COLLECTIVE
        if self.individual_id:
            return RecipientKind.INDIVIDUAL
        return RecipientKind.HOUSEHOLD

    @property
    def period_label(self) -> str:
        if self.period_from == self.period_to:
            return str(self.period_to)
        return f"{self.period_from}–{self.period_to}"
