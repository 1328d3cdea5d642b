"""Eligibility conditions: "no member disciplined at form F or heavier in the year" (a new kind
and its form field), "above p%" for member shares, and "at least K times" for awards held.

SQLite rebuilds a table to add a column and drops its triggers with it: the append-only guard
of the conditions' history (0010) is made again with the new columns, frozen here as this
migration means it. PostgreSQL keeps its triggers, which compare whole rows.
"""

from django.db import migrations, models

HISTORY_LOCKED = "Lịch sử thay đổi chỉ được ghi thêm: không sửa hoặc xóa được."
TABLE = "registry_historicaleligibilitycondition"
# The columns of the table before and after this migration, history_user_id apart.
COLUMNS_BEFORE = (
    "id", "order", "kind", "years", "count", "grade", "other_grade", "initiative_level", "share",
    "history_id", "history_date", "history_change_reason", "history_type", "award_type_id",
    "award_type_alt_id", "other_award_type_id", "route_id",
)  # fmt: skip
COLUMNS_AFTER = (*COLUMNS_BEFORE, "share_above", "discipline_form")


def _unguard(schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only_update;")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only_delete;")


def _guard(schema_editor, columns) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    _unguard(schema_editor)
    same = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns)
    for statement in (
        f"""CREATE TRIGGER {TABLE}_append_only_update BEFORE UPDATE ON {TABLE}
FOR EACH ROW WHEN NOT (NEW."history_user_id" IS NULL AND {same})
BEGIN SELECT RAISE(ABORT, '{HISTORY_LOCKED}'); END;""",
        f"""CREATE TRIGGER {TABLE}_append_only_delete BEFORE DELETE ON {TABLE}
FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{HISTORY_LOCKED}'); END;""",
    ):
        schema_editor.execute(statement)


def guard_after(apps, schema_editor):
    _guard(schema_editor, COLUMNS_AFTER)


def guard_before(apps, schema_editor):
    _guard(schema_editor, COLUMNS_BEFORE)


def unguard(apps, schema_editor):
    # A trigger naming a column stops SQLite from dropping that column.
    _unguard(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0014_reform"),
    ]

    operations = [
        # Going back, the columns are gone again by now: the guard of 0010 returns.
        migrations.RunPython(migrations.RunPython.noop, guard_before),
        migrations.RemoveConstraint(
            model_name="eligibilitycondition",
            name="eligibilitycondition_kind",
        ),
        migrations.AddField(
            model_name="eligibilitycondition",
            name="discipline_form",
            field=models.CharField(
                blank=True,
                choices=[
                    ("khien-trach", "Khiển trách"),
                    ("canh-cao", "Cảnh cáo"),
                    ("ha-bac-luong", "Hạ bậc lương"),
                    ("giang-chuc", "Giáng chức"),
                    ("cach-chuc", "Cách chức"),
                    ("buoc-thoi-viec", "Buộc thôi việc"),
                ],
                help_text="Ví dụ cảnh cáo: thành viên bị cảnh cáo hoặc nặng hơn thì tập thể chưa đạt.",
                max_length=20,
                verbose_name="kỷ luật từ hình thức F",
            ),
        ),
        migrations.AddField(
            model_name="eligibilitycondition",
            name="share_above",
            field=models.BooleanField(
                default=False,
                help_text="Chọn khi văn bản ghi “trên p%” (đúng p% chưa đạt); bỏ chọn khi ghi “từ p%”, “ít nhất p%”.",
                verbose_name="trên p%",
            ),
        ),
        migrations.AddField(
            model_name="historicaleligibilitycondition",
            name="discipline_form",
            field=models.CharField(
                blank=True,
                choices=[
                    ("khien-trach", "Khiển trách"),
                    ("canh-cao", "Cảnh cáo"),
                    ("ha-bac-luong", "Hạ bậc lương"),
                    ("giang-chuc", "Giáng chức"),
                    ("cach-chuc", "Cách chức"),
                    ("buoc-thoi-viec", "Buộc thôi việc"),
                ],
                help_text="Ví dụ cảnh cáo: thành viên bị cảnh cáo hoặc nặng hơn thì tập thể chưa đạt.",
                max_length=20,
                verbose_name="kỷ luật từ hình thức F",
            ),
        ),
        migrations.AddField(
            model_name="historicaleligibilitycondition",
            name="share_above",
            field=models.BooleanField(
                default=False,
                help_text="Chọn khi văn bản ghi “trên p%” (đúng p% chưa đạt); bỏ chọn khi ghi “từ p%”, “ít nhất p%”.",
                verbose_name="trên p%",
            ),
        ),
        migrations.AlterField(
            model_name="eligibilitycondition",
            name="count",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Số năm M, số sáng kiến K, hoặc số lần K đã được tặng X.",
                null=True,
                verbose_name="số lần M / K",
            ),
        ),
        migrations.AlterField(
            model_name="eligibilitycondition",
            name="kind",
            field=models.CharField(
                choices=[
                    (
                        "da-duoc-tang",
                        "Đã được tặng X (ít nhất K lần, nếu ghi K; trong N năm gần đây, nếu ghi N)",
                    ),
                    ("lien-tuc-khen", "N lần liên tục được tặng X"),
                    (
                        "lien-tuc-xep-loai",
                        "N năm liên tục xếp loại từ R, trong đó ít nhất M năm từ R2 hoặc được tặng Y",
                    ),
                    ("sang-kien", "Ít nhất K sáng kiến từ cấp L trong N năm gần đây"),
                    ("dan-dau-khoi", "Dẫn đầu khối, cụm thi đua trong năm"),
                    (
                        "ty-le-thanh-vien",
                        "Tỷ lệ thành viên được tặng X trong năm đạt từ p% (hoặc trên p%)",
                    ),
                    ("co-thanh-vien", "Có ít nhất một thành viên được tặng X trong năm"),
                    ("thanh-vien-xep-loai", "Mọi thành viên xếp loại từ R trong năm"),
                    (
                        "thanh-vien-khong-ky-luat",
                        "Không thành viên nào bị kỷ luật từ hình thức F trở lên trong năm",
                    ),
                    ("khong-ky-luat", "Không bị kỷ luật trong N năm xét (và đến ngày xét)"),
                ],
                max_length=24,
                verbose_name="loại điều kiện",
            ),
        ),
        migrations.AlterField(
            model_name="historicaleligibilitycondition",
            name="count",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Số năm M, số sáng kiến K, hoặc số lần K đã được tặng X.",
                null=True,
                verbose_name="số lần M / K",
            ),
        ),
        migrations.AlterField(
            model_name="historicaleligibilitycondition",
            name="kind",
            field=models.CharField(
                choices=[
                    (
                        "da-duoc-tang",
                        "Đã được tặng X (ít nhất K lần, nếu ghi K; trong N năm gần đây, nếu ghi N)",
                    ),
                    ("lien-tuc-khen", "N lần liên tục được tặng X"),
                    (
                        "lien-tuc-xep-loai",
                        "N năm liên tục xếp loại từ R, trong đó ít nhất M năm từ R2 hoặc được tặng Y",
                    ),
                    ("sang-kien", "Ít nhất K sáng kiến từ cấp L trong N năm gần đây"),
                    ("dan-dau-khoi", "Dẫn đầu khối, cụm thi đua trong năm"),
                    (
                        "ty-le-thanh-vien",
                        "Tỷ lệ thành viên được tặng X trong năm đạt từ p% (hoặc trên p%)",
                    ),
                    ("co-thanh-vien", "Có ít nhất một thành viên được tặng X trong năm"),
                    ("thanh-vien-xep-loai", "Mọi thành viên xếp loại từ R trong năm"),
                    (
                        "thanh-vien-khong-ky-luat",
                        "Không thành viên nào bị kỷ luật từ hình thức F trở lên trong năm",
                    ),
                    ("khong-ky-luat", "Không bị kỷ luật trong N năm xét (và đến ngày xét)"),
                ],
                max_length=24,
                verbose_name="loại điều kiện",
            ),
        ),
        migrations.AddConstraint(
            model_name="eligibilitycondition",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "da-duoc-tang",
                            "lien-tuc-khen",
                            "lien-tuc-xep-loai",
                            "sang-kien",
                            "dan-dau-khoi",
                            "ty-le-thanh-vien",
                            "co-thanh-vien",
                            "thanh-vien-xep-loai",
                            "thanh-vien-khong-ky-luat",
                            "khong-ky-luat",
                        ],
                    )
                ),
                name="eligibilitycondition_kind",
            ),
        ),
        migrations.RunPython(guard_after, unguard),
    ]
