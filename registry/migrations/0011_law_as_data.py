import datetime

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

# The law rows as shipped with this migration, so that a database upgraded with `migrate` alone
# behaves as before (rounding to 10.000 đ, thường xuyên counted, Cờ thi đua and Bằng khen for a
# bloc's ranking). load_catalogue matches them on the same natural keys and updates them in place.
BLOC_AWARD_RULES = [
    {
        "chain": "",
        "authority_level": "",
        "valid_from": None,
        "valid_to": "2023-12-31",
        "leader": "co-thi-dua-tinh",
        "runner_up": "bang-khen-tinh",
        "legal_basis": "Luật Thi đua, khen thưởng 2003, Điều 26; Nghị định 91/2017/NĐ-CP, Điều 12 (Cờ thi đua cấp bộ, ngành, tỉnh qua bình xét, so sánh theo khối, cụm thi đua); Thông tư 08/2017/TT-BNV, Điều 8 khoản 2 (Cờ thi đua cho tập thể dẫn đầu cụm, khối hoặc Bằng khen cho tập thể tham gia phong trào) (nguồn: thuvienphapluat.vn hỏi đáp về Cờ thi đua của Bộ; hethongphapluat.com Điều 8 Thông tư 08/2017/TT-BNV)",
        "confirmed": True,
    },
    {
        "chain": "",
        "authority_level": "",
        "valid_from": "2024-01-01",
        "valid_to": None,
        "leader": "co-thi-dua-tinh",
        "runner_up": "bang-khen-tinh",
        "legal_basis": "Luật Thi đua, khen thưởng 06/2022/QH15, Điều 26 khoản 1, 2 (Cờ thi đua cấp bộ, ban, ngành, tỉnh cho tập thể dẫn đầu phong trào thi đua của cụm, khối thi đua); Nghị định 98/2023/NĐ-CP, từ 01/7/2025 Nghị định 152/2025/NĐ-CP. Bằng khen cho đơn vị xếp tiếp theo: theo quy chế thi đua, khen thưởng của tỉnh, chưa đối chiếu (nguồn: Thông tư 29/2023/TT-BGDĐT Điều 4 dẫn Điều 26 Luật, hethongphapluat.vn)",
        "confirmed": False,
    },
]
COUNTED_LOAI_HINH = [
    {
        "loai_hinh": "thuong-xuyen",
        "valid_from": None,
        "valid_to": "2023-12-31",
        "legal_basis": "Luật Thi đua, khen thưởng 2003 (sửa đổi, bổ sung 2005, 2013); Nghị định 91/2017/NĐ-CP: xét khen cao hơn theo công trạng, thành tích thường xuyên; chưa đối chiếu điều, khoản",
        "confirmed": False,
    },
    {
        "loai_hinh": "thuong-xuyen",
        "valid_from": "2024-01-01",
        "valid_to": "2025-06-30",
        "legal_basis": "Nghị định 98/2023/NĐ-CP, Điều 4 khoản 3: kết quả khen thưởng thành tích đột xuất, thi đua theo chuyên đề không dùng làm căn cứ để đề nghị cấp trên khen thưởng công trạng (nguồn: Bộ Nội vụ trả lời bạn đọc, baoapbac.vn 17/6/2024)",
        "confirmed": True,
    },
    {
        "loai_hinh": "thuong-xuyen",
        "valid_from": "2025-07-01",
        "valid_to": None,
        "legal_basis": "Nghị định 152/2025/NĐ-CP, nguyên tắc xét danh hiệu thi đua và hình thức khen thưởng: kết quả khen thưởng thành tích đột xuất, thi đua theo chuyên đề không dùng làm căn cứ để đề nghị cấp trên khen thưởng công trạng; số điều chưa đối chiếu (nguồn: pbgdpl.cantho.gov.vn)",
        "confirmed": False,
    },
]
CASH_ROUNDING = [
    {
        "valid_from": None,
        "valid_to": "2017-09-30",
        "step": 10000,
        "legal_basis": "Nghị định 42/2010/NĐ-CP: chưa đối chiếu điều, khoản (quy định tiền thưởng các tỉnh thời kỳ này ghi cùng quy tắc làm tròn lên hàng chục ngàn đồng; nguồn: baoninhthuan.com.vn dẫn Quyết định 75/2012/QĐ-UBND tỉnh Ninh Thuận)",
        "confirmed": False,
    },
    {
        "valid_from": "2017-10-01",
        "valid_to": "2023-12-31",
        "step": 10000,
        "legal_basis": "Nghị định 91/2017/NĐ-CP, Điều 68 khoản 2: tiền thưởng sau khi nhân với hệ số mức lương cơ sở được làm tròn số lên hàng chục ngàn đồng (nguồn: Ban Thi đua - Khen thưởng Trung ương trả lời bạn đọc, banthiduakhenthuongtw.gov.vn 02/7/2018)",
        "confirmed": True,
    },
    {
        "valid_from": "2024-01-01",
        "valid_to": "2025-06-30",
        "step": 10000,
        "legal_basis": "Nghị định 98/2023/NĐ-CP, Điều 53 khoản 2: tiền thưởng sau khi nhân với hệ số mức lương cơ sở được làm tròn số lên hàng chục nghìn đồng (nguồn: laodong.vn «Nguyên tắc nhận tiền thưởng khi đạt nhiều danh hiệu thi đua»; phunuvietnam.vn 07/01/2024)",
        "confirmed": True,
    },
    {
        "valid_from": "2025-07-01",
        "valid_to": None,
        "step": 10000,
        "legal_basis": "Nghị định 152/2025/NĐ-CP, Điều 49 khoản 2: tiền thưởng sau khi nhân với hệ số mức lương cơ sở được làm tròn số lên hàng chục nghìn đồng (nguồn: hetnuoc.com dẫn Điều 49 Nghị định 152/2025/NĐ-CP)",
        "confirmed": True,
    },
]


def _day(value):
    return datetime.date.fromisoformat(value) if value else None


def law_rows_create(apps, schema_editor):
    AwardType = apps.get_model("registry", "AwardType")
    BlocAwardRule = apps.get_model("registry", "BlocAwardRule")
    CountedLoaiHinh = apps.get_model("registry", "CountedLoaiHinh")
    CashRounding = apps.get_model("registry", "CashRounding")
    for row in CASH_ROUNDING:
        CashRounding.objects.get_or_create(
            valid_from=_day(row["valid_from"]),
            defaults={
                "valid_to": _day(row["valid_to"]),
                "step": row["step"],
                "legal_basis": row["legal_basis"],
                "confirmed": row["confirmed"],
            },
        )
    for row in COUNTED_LOAI_HINH:
        CountedLoaiHinh.objects.get_or_create(
            loai_hinh=row["loai_hinh"],
            valid_from=_day(row["valid_from"]),
            defaults={
                "valid_to": _day(row["valid_to"]),
                "legal_basis": row["legal_basis"],
                "confirmed": row["confirmed"],
            },
        )
    # A database without the catalogue yet gets these rows from load_catalogue.
    types = {
        t.code: t for t in AwardType.objects.filter(code__in=["co-thi-dua-tinh", "bang-khen-tinh"])
    }
    for row in BLOC_AWARD_RULES:
        if row["leader"] not in types or row["runner_up"] not in types:
            continue
        BlocAwardRule.objects.get_or_create(
            chain=row["chain"],
            authority_level=row["authority_level"],
            valid_from=_day(row["valid_from"]),
            defaults={
                "valid_to": _day(row["valid_to"]),
                "leader_award_type": types[row["leader"]],
                "runner_up_award_type": types[row["runner_up"]],
                "legal_basis": row["legal_basis"],
                "confirmed": row["confirmed"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0010_award_paths"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CashRounding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "valid_from",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực từ ngày"),
                ),
                (
                    "valid_to",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực đến ngày"),
                ),
                (
                    "step",
                    models.PositiveIntegerField(
                        help_text="10000: làm tròn lên hàng chục nghìn đồng; 0: giữ nguyên số tiền.",
                        verbose_name="làm tròn lên bội số của (đồng)",
                    ),
                ),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ pháp lý")),
                (
                    "confirmed",
                    models.BooleanField(
                        default=True,
                        help_text="Bỏ chọn khi căn cứ mới thấy qua nguồn thứ cấp, cần kiểm tra lại.",
                        verbose_name="đã đối chiếu văn bản gốc",
                    ),
                ),
            ],
            options={
                "verbose_name": "quy tắc làm tròn tiền thưởng",
                "verbose_name_plural": "quy tắc làm tròn tiền thưởng",
                "ordering": ["-valid_from"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_from__isnull", True),
                            ("valid_to__isnull", True),
                            ("valid_to__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="cashrounding_valid_period",
                        violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CountedLoaiHinh",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "valid_from",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực từ ngày"),
                ),
                (
                    "valid_to",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực đến ngày"),
                ),
                (
                    "loai_hinh",
                    models.CharField(
                        choices=[
                            ("thuong-xuyen", "Thường xuyên"),
                            ("chuyen-de", "Theo đợt, chuyên đề"),
                            ("dot-xuat", "Đột xuất"),
                            ("cong-hien", "Quá trình cống hiến"),
                            ("nien-han", "Niên hạn"),
                            ("doi-ngoai", "Đối ngoại"),
                            ("khang-chien", "Kháng chiến"),
                        ],
                        max_length=20,
                        verbose_name="loại hình khen thưởng",
                    ),
                ),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ pháp lý")),
                (
                    "confirmed",
                    models.BooleanField(
                        default=True,
                        help_text="Bỏ chọn khi căn cứ mới thấy qua nguồn thứ cấp, cần kiểm tra lại.",
                        verbose_name="đã đối chiếu văn bản gốc",
                    ),
                ),
            ],
            options={
                "verbose_name": "loại hình được tính để xét khen cao hơn",
                "verbose_name_plural": "loại hình được tính để xét khen cao hơn",
                "ordering": ["loai_hinh", "-valid_from"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_from__isnull", True),
                            ("valid_to__isnull", True),
                            ("valid_to__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="countedloaihinh_valid_period",
                        violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "loai_hinh__in",
                                [
                                    "thuong-xuyen",
                                    "chuyen-de",
                                    "dot-xuat",
                                    "cong-hien",
                                    "nien-han",
                                    "doi-ngoai",
                                    "khang-chien",
                                ],
                            )
                        ),
                        name="countedloaihinh_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalBlocAwardRule",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "valid_from",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực từ ngày"),
                ),
                (
                    "valid_to",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực đến ngày"),
                ),
                (
                    "chain",
                    models.CharField(
                        blank=True,
                        choices=[("nha-nuoc", "Nhà nước"), ("dang", "Đảng")],
                        help_text="Khối của cơ quan tổ chức khối, cụm thi đua. Để trống nếu áp dụng cho cả khối Nhà nước và khối Đảng.",
                        max_length=10,
                        verbose_name="khối",
                    ),
                ),
                (
                    "authority_level",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("chu-tich-nuoc", "Chủ tịch nước"),
                            ("chinh-phu", "Thủ tướng Chính phủ"),
                            ("tinh", "Bộ, ngành, tỉnh"),
                            ("huyen", "Huyện (đến 30/6/2025)"),
                            ("xa", "Xã, phường"),
                            ("don-vi", "Thủ trưởng cơ quan, đơn vị, doanh nghiệp"),
                        ],
                        help_text="Cấp của cơ quan tổ chức khối, cụm thi đua. Để trống nếu áp dụng cho mọi cấp.",
                        max_length=20,
                        verbose_name="cấp tổ chức khối, cụm",
                    ),
                ),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ pháp lý")),
                (
                    "confirmed",
                    models.BooleanField(
                        default=True,
                        help_text="Bỏ chọn khi căn cứ mới thấy qua nguồn thứ cấp, cần kiểm tra lại.",
                        verbose_name="đã đối chiếu văn bản gốc",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "leader_award_type",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.awardtype",
                        verbose_name="hình thức cho đơn vị dẫn đầu",
                    ),
                ),
                (
                    "runner_up_award_type",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Để trống nếu chỉ đề nghị khen đơn vị dẫn đầu.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.awardtype",
                        verbose_name="hình thức cho các đơn vị xếp tiếp theo",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical hình thức khen theo xếp hạng khối, cụm thi đua",
                "verbose_name_plural": "historical hình thức khen theo xếp hạng khối, cụm thi đua",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCashRounding",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "valid_from",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực từ ngày"),
                ),
                (
                    "valid_to",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực đến ngày"),
                ),
                (
                    "step",
                    models.PositiveIntegerField(
                        help_text="10000: làm tròn lên hàng chục nghìn đồng; 0: giữ nguyên số tiền.",
                        verbose_name="làm tròn lên bội số của (đồng)",
                    ),
                ),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ pháp lý")),
                (
                    "confirmed",
                    models.BooleanField(
                        default=True,
                        help_text="Bỏ chọn khi căn cứ mới thấy qua nguồn thứ cấp, cần kiểm tra lại.",
                        verbose_name="đã đối chiếu văn bản gốc",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical quy tắc làm tròn tiền thưởng",
                "verbose_name_plural": "historical quy tắc làm tròn tiền thưởng",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCountedLoaiHinh",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "valid_from",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực từ ngày"),
                ),
                (
                    "valid_to",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực đến ngày"),
                ),
                (
                    "loai_hinh",
                    models.CharField(
                        choices=[
                            ("thuong-xuyen", "Thường xuyên"),
                            ("chuyen-de", "Theo đợt, chuyên đề"),
                            ("dot-xuat", "Đột xuất"),
                            ("cong-hien", "Quá trình cống hiến"),
                            ("nien-han", "Niên hạn"),
                            ("doi-ngoai", "Đối ngoại"),
                            ("khang-chien", "Kháng chiến"),
                        ],
                        max_length=20,
                        verbose_name="loại hình khen thưởng",
                    ),
                ),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ pháp lý")),
                (
                    "confirmed",
                    models.BooleanField(
                        default=True,
                        help_text="Bỏ chọn khi căn cứ mới thấy qua nguồn thứ cấp, cần kiểm tra lại.",
                        verbose_name="đã đối chiếu văn bản gốc",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical loại hình được tính để xét khen cao hơn",
                "verbose_name_plural": "historical loại hình được tính để xét khen cao hơn",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="BlocAwardRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "valid_from",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực từ ngày"),
                ),
                (
                    "valid_to",
                    models.DateField(blank=True, null=True, verbose_name="hiệu lực đến ngày"),
                ),
                (
                    "chain",
                    models.CharField(
                        blank=True,
                        choices=[("nha-nuoc", "Nhà nước"), ("dang", "Đảng")],
                        help_text="Khối của cơ quan tổ chức khối, cụm thi đua. Để trống nếu áp dụng cho cả khối Nhà nước và khối Đảng.",
                        max_length=10,
                        verbose_name="khối",
                    ),
                ),
                (
                    "authority_level",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("chu-tich-nuoc", "Chủ tịch nước"),
                            ("chinh-phu", "Thủ tướng Chính phủ"),
                            ("tinh", "Bộ, ngành, tỉnh"),
                            ("huyen", "Huyện (đến 30/6/2025)"),
                            ("xa", "Xã, phường"),
                            ("don-vi", "Thủ trưởng cơ quan, đơn vị, doanh nghiệp"),
                        ],
                        help_text="Cấp của cơ quan tổ chức khối, cụm thi đua. Để trống nếu áp dụng cho mọi cấp.",
                        max_length=20,
                        verbose_name="cấp tổ chức khối, cụm",
                    ),
                ),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ pháp lý")),
                (
                    "confirmed",
                    models.BooleanField(
                        default=True,
                        help_text="Bỏ chọn khi căn cứ mới thấy qua nguồn thứ cấp, cần kiểm tra lại.",
                        verbose_name="đã đối chiếu văn bản gốc",
                    ),
                ),
                (
                    "leader_award_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bloc_rules_for_leader",
                        to="registry.awardtype",
                        verbose_name="hình thức cho đơn vị dẫn đầu",
                    ),
                ),
                (
                    "runner_up_award_type",
                    models.ForeignKey(
                        blank=True,
                        help_text="Để trống nếu chỉ đề nghị khen đơn vị dẫn đầu.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bloc_rules_for_runners_up",
                        to="registry.awardtype",
                        verbose_name="hình thức cho các đơn vị xếp tiếp theo",
                    ),
                ),
            ],
            options={
                "verbose_name": "hình thức khen theo xếp hạng khối, cụm thi đua",
                "verbose_name_plural": "hình thức khen theo xếp hạng khối, cụm thi đua",
                "ordering": ["chain", "authority_level", "-valid_from"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_from__isnull", True),
                            ("valid_to__isnull", True),
                            ("valid_to__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="blocawardrule_valid_period",
                        violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("chain", ""), ("chain__in", ["nha-nuoc", "dang"]), _connector="OR"
                        ),
                        name="blocawardrule_chain_valid",
                    ),
                ],
            },
        ),
        migrations.RunPython(law_rows_create, migrations.RunPython.noop),
    ]
