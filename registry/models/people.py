from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from registry.text import fold, name_sort_key, person_sort_key

from .base import Dated, period_check


class Gender(models.TextChoices):
    MALE = "nam", "Nam"
    FEMALE = "nu", "Nữ"


class RecipientCategory(models.TextChoices):
    """Categories the state's statistical forms split individuals and collectives by."""

    LEADER_MINISTRY = "lanh-dao-bo-tinh", "Lãnh đạo cấp bộ, tỉnh trở lên"
    LEADER_DEPARTMENT = "lanh-dao-vu-so", "Lãnh đạo cấp vụ, sở"
    LEADER_OFFICE = "lanh-dao-phong", "Lãnh đạo từ phó phòng trở lên"
    BUSINESS = "doanh-nhan", "Doanh nhân"
    WORKER = "lao-dong-truc-tiep", "Công nhân, nông dân, người lao động trực tiếp"
    OTHER = "khac", "Khác"
    ENTERPRISE = "doanh-nghiep", "Doanh nghiệp"


class Unit(Dated):
    """A unit in the tree of agencies, localities and organisations."""

    code = models.SlugField("mã", max_length=80, unique=True, null=True, blank=True)
    name = models.CharField("tên đơn vị", max_length=255)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="trực thuộc",
    )
    successors = models.ManyToManyField(
        "self",
        through="UnitSuccession",
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        verbose_name="đơn vị kế thừa",
        help_text="Khi đơn vị sáp nhập, chia tách hoặc giải thể: các đơn vị tiếp nhận.",
    )
    search_key = models.CharField(max_length=255, editable=False, db_index=True, default="")
    sort_key = models.CharField(max_length=1024, editable=False, db_index=True, default="")

    history = HistoricalRecords(excluded_fields=["search_key", "sort_key"])

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["sort_key"]
        constraints = [
            period_check("unit_valid_period"),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_keys(self) -> None:
        self.search_key = fold(self.name)
        self.sort_key = name_sort_key(self.name)

    def save(self, *args, **kwargs):
        self.refresh_keys()
        super().save(*args, **kwargs)


class UnitSuccession(models.Model):
    """A unit merged, split or dissolved, and one of the units that took it over."""

    predecessor = models.ForeignKey(
        Unit, models.CASCADE, related_name="succeeded_by", verbose_name="đơn vị cũ"
    )
    successor = models.ForeignKey(
        Unit, models.PROTECT, related_name="succeeds", verbose_name="đơn vị kế thừa"
    )
    since = models.DateField("từ ngày")
    legal_basis = models.CharField("căn cứ", max_length=500)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "đơn vị kế thừa"
        verbose_name_plural = "đơn vị kế thừa"
        ordering = ["predecessor", "successor"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unitsuccession_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="unitsuccession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Recipient(models.Model):
    """What collectives, individuals and households share: the office that owns the record."""

    registered_by = models.ForeignKey(
        "registry.Authority",
        models.PROTECT,
        related_name="+",
        verbose_name="cơ quan quản lý hồ sơ",
    )
    note = models.TextField("ghi chú", blank=True)
    search_key = models.CharField(max_length=400, editable=False, db_index=True, default="")
    sort_key = models.CharField(max_length=1024, editable=False, db_index=True, default="")
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Derived keys, not business rules: bulk paths call refresh_keys() themselves.
        self.refresh_keys()
        super().save(*args, **kwargs)


class Collective(Recipient):
    name = models.CharField("tên tập thể", max_length=255)
    unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="collectives",
        verbose_name="đơn vị",
    )
    parent_name = models.CharField(
        "thuộc", max_length=255, blank=True, help_text="Đơn vị cấp trên in trên giấy khen, nếu có."
    )
    category = models.CharField(
        "phân loại thống kê", max_length=30, choices=RecipientCategory.choices, blank=True
    )

    history = HistoricalRecords(excluded_fields=["search_key", "sort_key"])

    class Meta:
        verbose_name = "tập thể"
        verbose_name_plural = "tập thể"
        ordering = ["sort_key", "id"]

    def __str__(self) -> str:
        return self.name

    def refresh_keys(self) -> None:
        self.search_key = fold(f"{self.name} {self.parent_name}")
        self.sort_key = name_sort_key(self.name)


class Individual(Recipient):
    full_name = models.CharField("họ và tên", max_length=255)
    gender = models.CharField("giới tính", max_length=3, choices=Gender.choices, blank=True)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField("năm sinh", null=True, blank=True)
    position = models.CharField("chức vụ", max_length=255, blank=True)
    unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="individuals",
        verbose_name="đơn vị công tác",
    )
    workplace = models.CharField(
        "đơn vị công tác (ghi)",
        max_length=255,
        blank=True,
        help_text="Ghi như trên danh sách khi đơn vị chưa có trong cây đơn vị.",
    )
    # NULL, not "", so that the unique constraint only binds IDs actually given.
    citizen_id = models.CharField("số CCCD", max_length=12, null=True, blank=True)  # noqa: DJ001
    category = models.CharField(
        "phân loại thống kê", max_length=30, choices=RecipientCategory.choices, blank=True
    )

    history = HistoricalRecords(excluded_fields=["search_key", "sort_key"])

    class Meta:
        verbose_name = "cá nhân"
        verbose_name_plural = "cá nhân"
        permissions = [("view_citizen_id", "Xem số CCCD đầy đủ")]
        ordering = ["sort_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_id"],
                condition=Q(citizen_id__isnull=False),
                name="individual_citizen_id_unique",
                violation_error_message="Số CCCD này đã có trong sổ.",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="individual_birth_year_range",
                violation_error_message="Năm sinh phải trong khoảng 1900–2100.",
            ),
            models.CheckConstraint(
                condition=Q(citizen_id__isnull=True) | Q(citizen_id__regex=r"^[0-9]{12}$"),
                name="individual_citizen_id_digits",
                violation_error_message="Số CCCD gồm đúng 12 chữ số.",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def honorific(self) -> str:
        return {Gender.MALE: "Ông", Gender.FEMALE: "Bà"}.get(self.gender, "")

    @property
    def unit_label(self) -> str:
        return self.unit.name if self.unit_id else self.workplace

    def refresh_keys(self) -> None:
        if self.birth_date and not self.birth_year:
            self.birth_year = self.birth_date.year
        self.search_key = fold(self.full_name)
        self.sort_key = person_sort_key(self.full_name)


class Household(Recipient):
    head_name = models.CharField("chủ hộ", max_length=255)
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name="thôn, xã",
    )

    history = HistoricalRecords(excluded_fields=["search_key", "sort_key"])

    class Meta:
        verbose_name = "hộ gia đình"
        verbose_name_plural = "hộ gia đình"
        ordering = ["sort_key", "id"]

    def __str__(self) -> str:
        return f"Hộ {self.head_name}"

    def refresh_keys(self) -> None:
        self.search_key = fold(f"{self.head_name} {self.address}")
        self.sort_key = person_sort_key(self.head_name)
