from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from registry.text import fold

from .campaigns import RatingGrade

__all__ = [
    "Discipline",
    "DisciplineForm",
    "Initiative",
    "Rating",
    "RatingGrade",
    "discipline_form_of",
]

_ONE_SUBJECT = Q(collective__isnull=False, individual__isnull=True) | Q(
    collective__isnull=True, individual__isnull=False
)


class Rating(models.Model):
    """Xếp loại hằng năm. A school-year rating (2022–2023) is stored in its end year."""

    individual = models.ForeignKey(
        "registry.Individual",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
        verbose_name="cá nhân",
    )
    collective = models.ForeignKey(
        "registry.Collective",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
        verbose_name="tập thể",
    )
    year = models.PositiveSmallIntegerField("năm", help_text="Năm học thì ghi năm kết thúc.")
    school_year = models.BooleanField("theo năm học", default=False)
    grade = models.CharField("xếp loại", max_length=6, choices=RatingGrade.choices)
    unit = models.ForeignKey(
        "registry.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="đơn vị lúc xếp loại",
    )
    rated_by = models.ForeignKey(
        "registry.Authority",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cấp đánh giá",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "xếp loại hằng năm"
        verbose_name_plural = "xếp loại hằng năm"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=_ONE_SUBJECT,
                name="rating_exactly_one_subject",
                violation_error_message="Xếp loại thuộc đúng một cá nhân hoặc một tập thể.",
            ),
            models.CheckConstraint(
                condition=Q(grade__in=RatingGrade.values), name="rating_grade_valid"
            ),
            models.UniqueConstraint(
                fields=["individual", "year"],
                condition=Q(individual__isnull=False),
                name="rating_once_a_year_individual",
                violation_error_message="Cá nhân này đã có xếp loại năm đó.",
            ),
            models.UniqueConstraint(
                fields=["collective", "year"],
                condition=Q(collective__isnull=False),
                name="rating_once_a_year_collective",
                violation_error_message="Tập thể này đã có xếp loại năm đó.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year_label}: {self.grade}"

    @property
    def year_label(self) -> str:
        return f"{self.year - 1}–{self.year}" if self.school_year else str(self.year)


class InitiativeLevel(models.TextChoices):
    GRASSROOTS = "co-so", "Cơ sở"
    PROVINCE = "tinh", "Bộ, ngành, tỉnh"
    NATIONAL = "toan-quoc", "Toàn quốc"


class Initiative(models.Model):
    """Sáng kiến, đề tài recognised at a level in a year."""

    individual = models.ForeignKey(
        "registry.Individual",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name="cá nhân",
    )
    collective = models.ForeignKey(
        "registry.Collective",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name="tập thể",
    )
    title = models.CharField("tên sáng kiến, đề tài", max_length=500)
    level = models.CharField("phạm vi ảnh hưởng", max_length=12, choices=InitiativeLevel.choices)
    year = models.PositiveSmallIntegerField("năm công nhận")
    recognised_by = models.CharField("cơ quan công nhận", max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "sáng kiến"
        verbose_name_plural = "sáng kiến"
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="initiative_exactly_one_subject")
        ]

    def __str__(self) -> str:
        return self.title


class DisciplineForm(models.TextChoices):
    """Forms of discipline, lightest first: "from cảnh cáo up" means cảnh cáo and every form
    after it.

    The order is the one the law gives civil servants' forms (Luật Cán bộ, công chức): khiển
    trách, cảnh cáo, hạ bậc lương, giáng chức, cách chức, buộc thôi việc. The other regimes'
    forms (viên chức, cán bộ, đảng viên, người lao động, lực lượng vũ trang) are placed on the
    step they share or stand at (_DISCIPLINE_WORDS). That order is statute and does not change
    with a decree, so it lives here; where a criterion draws its line is data (the condition's
    "kỷ luật từ hình thức" field).
    """

    REPRIMAND = "khien-trach", "Khiển trách"
    WARNING = "canh-cao", "Cảnh cáo"
    SALARY_DOWN = "ha-bac-luong", "Hạ bậc lương"
    DEMOTION = "giang-chuc", "Giáng chức"
    REMOVAL = "cach-chuc", "Cách chức"
    DISMISSAL = "buoc-thoi-viec", "Buộc thôi việc"


DISCIPLINE_SEVERITY = {form: rank for rank, form in enumerate(DisciplineForm.values, start=1)}

# Words of a recorded form (folded: lower case, no diacritics) -> its step. The labour code's
# second step (kéo dài thời hạn nâng lương) stands where the other regimes put cảnh cáo; bãi
# nhiệm (elected cán bộ) beside cách chức; sa thải, khai trừ (Party), tước quân hàm, tước danh
# hiệu and giải tán (an organisation) end their ladders, beside buộc thôi việc.
_DISCIPLINE_WORDS = {
    "khien trach": DisciplineForm.REPRIMAND,
    "canh cao": DisciplineForm.WARNING,
    "keo dai thoi han nang luong": DisciplineForm.WARNING,
    "ha bac luong": DisciplineForm.SALARY_DOWN,
    "giang chuc": DisciplineForm.DEMOTION,
    "giang cap": DisciplineForm.DEMOTION,
    "cach chuc": DisciplineForm.REMOVAL,
    "bai nhiem": DisciplineForm.REMOVAL,
    "buoc thoi viec": DisciplineForm.DISMISSAL,
    "sa thai": DisciplineForm.DISMISSAL,
    "khai tru": DisciplineForm.DISMISSAL,
    "tuoc quan ham": DisciplineForm.DISMISSAL,
    "tuoc danh hieu": DisciplineForm.DISMISSAL,
    "giai tan": DisciplineForm.DISMISSAL,
}


def discipline_form_of(text: str | None) -> DisciplineForm | None:
    """The step of a recorded form ("Cảnh cáo", "kỷ luật khiển trách", "Khai trừ ra khỏi Đảng"),
    the heaviest one the text names; None when it names none of them."""
    folded = fold(text)
    found = [form for words, form in _DISCIPLINE_WORDS.items() if words in folded]
    return max(found, key=DISCIPLINE_SEVERITY.__getitem__) if found else None


class Discipline(models.Model):
    individual = models.ForeignKey(
        "registry.Individual",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="disciplines",
        verbose_name="cá nhân",
    )
    collective = models.ForeignKey(
        "registry.Collective",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="disciplines",
        verbose_name="tập thể",
    )
    # Free text as the decision words it; discipline_form_of() reads its step for the rules.
    form = models.CharField("hình thức kỷ luật", max_length=120)
    start_date = models.DateField("từ ngày")
    end_date = models.DateField("đến ngày", null=True, blank=True)
    reason = models.TextField("lý do", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "kỷ luật"
        verbose_name_plural = "kỷ luật"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="discipline_exactly_one_subject"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="discipline_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.form
