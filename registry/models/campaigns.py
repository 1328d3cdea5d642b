from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class CampaignForm(models.TextChoices):
    REGULAR = "thuong-xuyen", "Thường xuyên"
    THEMATIC = "chuyen-de", "Chuyên đề"


class Campaign(models.Model):
    """Phong trào thi đua: launched by an authority, reviewed mid-way and at the end."""

    authority = models.ForeignKey(
        "registry.Authority", models.PROTECT, related_name="campaigns", verbose_name="cấp phát động"
    )
    name = models.CharField("tên phong trào", max_length=255)
    theme = models.CharField("chủ đề", max_length=500, blank=True)
    form = models.CharField(
        "hình thức", max_length=20, choices=CampaignForm.choices, default=CampaignForm.REGULAR
    )
    scope = models.CharField("phạm vi", max_length=255, blank=True)
    goals = models.TextField("mục tiêu", blank=True)
    criteria = models.TextField("tiêu chí", blank=True)
    legal_basis = models.CharField("căn cứ", max_length=255, blank=True)
    launched_on = models.DateField("ngày phát động", null=True, blank=True)
    start_date = models.DateField("từ ngày")
    end_date = models.DateField("đến ngày", null=True, blank=True)
    midterm_review_date = models.DateField("ngày sơ kết", null=True, blank=True)
    final_review_date = models.DateField("ngày tổng kết", null=True, blank=True)
    units = models.ManyToManyField(
        "registry.Unit", blank=True, related_name="campaigns", verbose_name="đơn vị tham gia"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "phong trào thi đua"
        verbose_name_plural = "phong trào thi đua"
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="campaign_period_ordered",
                violation_error_message="Ngày kết thúc phải sau ngày bắt đầu.",
            ),
            models.UniqueConstraint(
                fields=["authority", "name", "start_date"], name="campaign_unique_per_authority"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Bloc(models.Model):
    """Khối / cụm thi đua: units of similar function grouped by the council."""

    authority = models.ForeignKey(
        "registry.Authority", models.PROTECT, related_name="blocs", verbose_name="cấp tổ chức"
    )
    name = models.CharField("tên khối, cụm", max_length=255)
    description = models.TextField("mô tả", blank=True)
    # The scoring scale is set locally, per bloc.
    points_met = models.DecimalField(
        "điểm mỗi chỉ tiêu đạt", max_digits=6, decimal_places=2, default=10
    )
    points_exceeded = models.DecimalField(
        "điểm cộng mỗi chỉ tiêu vượt", max_digits=6, decimal_places=2, default=2
    )
    points_missed = models.DecimalField(
        "điểm trừ mỗi chỉ tiêu không đạt", max_digits=6, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = "khối, cụm thi đua"
        verbose_name_plural = "khối, cụm thi đua"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="bloc_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class BlocRole(models.TextChoices):
    HEAD = "truong", "Khối trưởng"
    DEPUTY = "pho", "Khối phó"
    MEMBER = "thanh-vien", "Thành viên"


class BlocMembership(models.Model):
    bloc = models.ForeignKey(Bloc, models.CASCADE, related_name="memberships", verbose_name="khối")
    year = models.PositiveSmallIntegerField("năm")
    unit = models.ForeignKey(
        "registry.Unit", models.PROTECT, related_name="bloc_memberships", verbose_name="đơn vị"
    )
    role = models.CharField(
        "vai trò", max_length=12, choices=BlocRole.choices, default=BlocRole.MEMBER
    )

    class Meta:
        verbose_name = "thành viên khối"
        verbose_name_plural = "thành viên khối"
        ordering = ["bloc", "-year", "role", "unit__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year", "unit"], name="bloc_member_once_a_year"
            ),
            models.UniqueConstraint(
                fields=["bloc", "year", "role"],
                condition=Q(role__in=["truong", "pho"]),
                name="bloc_one_head_one_deputy",
                violation_error_message="Mỗi năm khối chỉ có một khối trưởng và một khối phó.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.year})"


class Pledge(models.Model):
    """Giao ước thi đua: signed at the start of the year by a bloc's members or a locality's units."""

    authority = models.ForeignKey(
        "registry.Authority", models.PROTECT, related_name="pledges", verbose_name="cấp tổ chức"
    )
    bloc = models.ForeignKey(
        Bloc, models.PROTECT, null=True, blank=True, related_name="pledges", verbose_name="khối"
    )
    campaign = models.ForeignKey(
        Campaign,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name="phong trào thi đua",
    )
    year = models.PositiveSmallIntegerField("năm")
    title = models.CharField("tên giao ước", max_length=255)
    ceremony_date = models.DateField("ngày ký kết")
    place = models.CharField("địa điểm", max_length=255, blank=True)
    scan = models.FileField("bản quét", upload_to="pledges/%Y/", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "giao ước thi đua"
        verbose_name_plural = "giao ước thi đua"
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year"],
                condition=Q(bloc__isnull=False),
                name="pledge_one_per_bloc_year",
                violation_error_message="Khối này đã có giao ước thi đua cho năm đó.",
            ),
            models.UniqueConstraint(
                fields=["authority", "year", "title"], name="pledge_unique_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PledgeSignatory(models.Model):
    pledge = models.ForeignKey(
        Pledge, models.CASCADE, related_name="signatories", verbose_name="giao ước"
    )
    unit = models.ForeignKey(
        "registry.Unit", models.PROTECT, related_name="+", verbose_name="đơn vị"
    )
    signer_name = models.CharField("người ký", max_length=120, blank=True)
    signer_title = models.CharField("chức vụ", max_length=120, blank=True)
    signed = models.BooleanField("đã ký", default=False)
    signed_on = models.DateField("ngày ký", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "đơn vị ký giao ước"
        verbose_name_plural = "đơn vị ký giao ước"
        ordering = ["pledge", "unit__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "unit"], name="pledge_signatory_once"),
            models.CheckConstraint(
                condition=Q(signed=False) | Q(signed_on__isnull=False),
                name="pledge_signatory_signed_has_date",
                violation_error_message="Đã ký thì phải có ngày ký.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit)


class TargetSetKind(models.TextChoices):
    PLEDGE = "giao-uoc", "Giao ước thi đua"
    ASSIGNMENT = "giao-chi-tieu", "Giao chỉ tiêu cho người đứng đầu"
    PLAN = "ke-hoach", "Kế hoạch năm của địa phương"


class TargetSet(models.Model):
    kind = models.CharField("loại", max_length=20, choices=TargetSetKind.choices)
    title = models.CharField("tên bộ chỉ tiêu", max_length=255)
    year = models.PositiveSmallIntegerField("năm")
    authority = models.ForeignKey(
        "registry.Authority", models.PROTECT, related_name="target_sets", verbose_name="cấp giao"
    )
    pledge = models.OneToOneField(
        Pledge,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="target_set",
        verbose_name="giao ước",
    )
    unit = models.ForeignKey(
        "registry.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="target_sets",
        verbose_name="đơn vị, địa phương",
        help_text="Địa phương của kế hoạch năm, hoặc đơn vị có người đứng đầu được giao.",
    )
    set_by = models.CharField(
        "nơi giao", max_length=255, blank=True, help_text="Ví dụ: HĐND thị xã (Nghị quyết số …)."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "bộ chỉ tiêu"
        verbose_name_plural = "bộ chỉ tiêu"
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=TargetSetKind.PLEDGE) & Q(pledge__isnull=False))
                | (~Q(kind=TargetSetKind.PLEDGE) & Q(pledge__isnull=True) & Q(unit__isnull=False)),
                name="targetset_owner_matches_kind",
                violation_error_message=(
                    "Bộ chỉ tiêu của giao ước phải gắn với giao ước; "
                    "bộ chỉ tiêu giao cho đơn vị hoặc kế hoạch năm phải gắn với đơn vị."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class Target(models.Model):
    target_set = models.ForeignKey(
        TargetSet, models.CASCADE, related_name="targets", verbose_name="bộ chỉ tiêu"
    )
    order = models.PositiveSmallIntegerField("STT", default=0)
    text = models.CharField("chỉ tiêu", max_length=500)
    measure = models.CharField("đơn vị tính", max_length=60, blank=True)
    planned_value = models.DecimalField("kế hoạch", max_digits=16, decimal_places=3)
    higher_is_better = models.BooleanField("càng cao càng tốt", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["target_set", "order", "id"]

    def __str__(self) -> str:
        return self.text


class RatingGrade(models.TextChoices):
    HTXSNV = "HTXSNV", "Hoàn thành xuất sắc nhiệm vụ"
    HTTNV = "HTTNV", "Hoàn thành tốt nhiệm vụ"
    HTNV = "HTNV", "Hoàn thành nhiệm vụ"
    KHTNV = "KHTNV", "Không hoàn thành nhiệm vụ"


class TargetResult(models.Model):
    """An achieved value, for a unit, at a date (year end, or a mid-year cut-off)."""

    target = models.ForeignKey(
        Target, models.CASCADE, related_name="results", verbose_name="chỉ tiêu"
    )
    unit = models.ForeignKey(
        "registry.Unit", models.PROTECT, related_name="+", verbose_name="đơn vị"
    )
    as_of = models.DateField("số liệu đến ngày")
    achieved_value = models.DecimalField(
        "thực hiện", max_digits=16, decimal_places=3, null=True, blank=True
    )
    grade = models.CharField(
        "mức hoàn thành", max_length=6, choices=RatingGrade.choices, blank=True
    )
    note = models.CharField("ghi chú", max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "kết quả chỉ tiêu"
        verbose_name_plural = "kết quả chỉ tiêu"
        ordering = ["target", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "unit", "as_of"],
                name="target_result_once_per_date",
            ),
            models.CheckConstraint(
                condition=Q(achieved_value__isnull=False) | ~Q(grade=""),
                name="target_result_has_value",
                violation_error_message="Kết quả phải có số thực hiện hoặc mức hoàn thành.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.achieved_value}"
