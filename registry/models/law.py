"""Pieces of the law that are neither award types nor eligibility rules, as dated rows.

Which award types a bloc's year-end ranking proposes, which loại hình count towards higher
awards, and how cash rewards are rounded all change with the decree in force: each is a row
with its validity period and the legal basis it cites, loaded from fixtures/catalogue.json and
edited in the admin, so a new decree is a new row, not new code.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .awards import AuthorityLevel, AwardType, Chain, LoaiHinh
from .base import Dated, period_check

__all__ = ["BlocAwardRule", "CashRounding", "CountedLoaiHinh"]


def _period(row: Dated) -> str:
    start = f"{row.valid_from:%d/%m/%Y}" if row.valid_from else "…"
    end = f"{row.valid_to:%d/%m/%Y}" if row.valid_to else "nay"
    return f"{start} – {end}"


class BlocAwardRule(Dated):
    """What a bloc's ranking proposes: a type for the leader, another for the places after it.

    Bound to the chain and level of the authority that runs the bloc (blank: any); a bound row
    beats a general one, and between equals the one in force since later wins.
    """

    chain = models.CharField(
        "khối",
        max_length=10,
        choices=Chain.choices,
        blank=True,
        help_text="Khối của cơ quan tổ chức khối, cụm thi đua. Để trống nếu áp dụng cho cả "
        "khối Nhà nước và khối Đảng.",
    )
    authority_level = models.CharField(
        "cấp tổ chức khối, cụm",
        max_length=20,
        choices=AuthorityLevel.choices,
        blank=True,
        help_text="Cấp của cơ quan tổ chức khối, cụm thi đua. Để trống nếu áp dụng cho mọi cấp.",
    )
    leader_award_type = models.ForeignKey(
        AwardType,
        models.PROTECT,
        related_name="bloc_rules_for_leader",
        verbose_name="hình thức cho đơn vị dẫn đầu",
    )
    runner_up_award_type = models.ForeignKey(
        AwardType,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="bloc_rules_for_runners_up",
        verbose_name="hình thức cho các đơn vị xếp tiếp theo",
        help_text="Để trống nếu chỉ đề nghị khen đơn vị dẫn đầu.",
    )
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500)
    confirmed = models.BooleanField(
        "đã đối chiếu văn bản gốc",
        default=True,
        help_text="Bỏ chọn khi căn cứ mới thấy qua nguồn thứ cấp, cần kiểm tra lại.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "hình thức khen theo xếp hạng khối, cụm thi đua"
        verbose_name_plural = "hình thức khen theo xếp hạng khối, cụm thi đua"
        ordering = ["chain", "authority_level", "-valid_from"]
        constraints = [
            period_check("blocawardrule_valid_period"),
            models.CheckConstraint(
                condition=Q(chain="") | Q(chain__in=Chain.values),
                name="blocawardrule_chain_valid",
            ),
        ]

    def __str__(self) -> str:
        scope = " ".join(
            part for part in (self.get_chain_display(), self.get_authority_level_display()) if part
        )
        return f"Khối, cụm {scope or 'mọi cấp'} ({_period(self)})"


class CountedLoaiHinh(Dated):
    """A loại hình whose awards count towards higher merit awards while the row is in force.

    Awards of a loại hình with no row in force on the day of the check (đột xuất, chuyên đề …)
    do not count for streaks or "already holds" conditions.
    """

    loai_hinh = models.CharField("loại hình khen thưởng", max_length=20, choices=LoaiHinh.choices)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500)
    confirmed = models.BooleanField(
        "đã đối chiếu văn bản gốc",
        default=True,
        help_text="Bỏ chọn khi căn cứ mới thấy qua nguồn thứ cấp, cần kiểm tra lại.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "loại hình được tính để xét khen cao hơn"
        verbose_name_plural = "loại hình được tính để xét khen cao hơn"
        ordering = ["loai_hinh", "-valid_from"]
        constraints = [
            period_check("countedloaihinh_valid_period"),
            models.CheckConstraint(
                condition=Q(loai_hinh__in=LoaiHinh.values), name="countedloaihinh_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_loai_hinh_display()} ({_period(self)})"


class CashRounding(Dated):
    """The decree's principles for cash in force: rounding, households, one title a period."""

    step = models.PositiveIntegerField(
        "làm tròn lên bội số của (đồng)",
        help_text="10000: làm tròn lên hàng chục nghìn đồng; 0: giữ nguyên số tiền.",
    )
    household_factor = models.DecimalField(
        "hộ gia đình nhận gấp (lần mức cá nhân)",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="1.5: hộ gia đình được thưởng gấp 1,5 lần mức tiền thưởng đối với cá nhân. "
        "Để trống khi chưa có quy định (tiền thưởng hộ gia đình là chưa xác định).",
    )
    highest_title_only = models.BooleanField(
        "nhiều danh hiệu cùng thời gian chỉ nhận mức cao nhất",
        default=False,
        help_text="Cùng một thời gian, một đối tượng đạt nhiều danh hiệu thi đua thì chỉ nhận "
        "tiền thưởng của danh hiệu có mức cao nhất.",
    )
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500)
    confirmed = models.BooleanField(
        "đã đối chiếu văn bản gốc",
        default=True,
        help_text="Bỏ chọn khi căn cứ mới thấy qua nguồn thứ cấp, cần kiểm tra lại.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "nguyên tắc tính tiền thưởng"
        verbose_name_plural = "nguyên tắc tính tiền thưởng"
        ordering = ["-valid_from"]
        constraints = [
            period_check("cashrounding_valid_period"),
            models.CheckConstraint(
                condition=Q(household_factor__isnull=True) | Q(household_factor__gt=0),
                name="cashrounding_household_factor_positive",
            ),
        ]

    def __str__(self) -> str:
        amount = f"{self.step:,}".replace(",", ".")
        return f"Làm tròn lên {amount} đ ({_period(self)})"
