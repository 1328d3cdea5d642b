"""Proposals from units: rounds, proposals and their lines, dossier requirements, attachments
and the proposing units' accounts (with the group Đơn vị đề nghị)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import registry.models.proposals

HISTORY_LOCKED = "Lịch sử thay đổi chỉ được ghi thêm: không sửa hoặc xóa được."

# The columns of each new history table at this migration, history_user_id apart: the guards of
# 0010 (append-only history, no TRUNCATE), frozen here as this migration means them.
HISTORY_COLUMNS = {
    "registry_historicalround": (
        "id", "year", "kind", "title", "deadline", "status", "created_at", "authority_id",
        "campaign_id", "history_id", "history_date", "history_change_reason", "history_type",
    ),
    "registry_historicalproposal": (
        "id", "status", "submission_number", "submission_date", "return_reason", "answer",
        "created_at", "submitted_at", "returned_at", "received_at", "round_id", "unit_id",
        "decision_id", "created_by_id", "history_id", "history_date", "history_change_reason",
        "history_type",
    ),
    "registry_historicalproposalline": (
        "id", "line_no", "recipient_kind", "name", "birth_year", "position", "unit_name",
        "achievement", "period_from", "period_to", "review_result", "warnings", "proposal_id",
        "collective_id", "individual_id", "household_id", "award_type_id", "award_id",
        "history_id", "history_date", "history_change_reason", "history_type",
    ),
    "registry_historicaldossierrequirement": (
        "id", "valid_from", "valid_to", "award_family", "recipient_kind", "loai_hinh", "scope",
        "document_kind", "legal_basis", "award_type_id", "history_id", "history_date",
        "history_change_reason", "history_type",
    ),
    "registry_historicalattachment": (
        "id", "document_kind", "file", "file_name", "size", "uploaded_at", "proposal_id",
        "line_id", "uploaded_by_id", "history_id", "history_date", "history_change_reason",
        "history_type",
    ),
    "registry_historicalunitmembership": (
        "id", "user_id", "unit_id", "history_id", "history_date", "history_change_reason",
        "history_type",
    ),
}  # fmt: skip


def _statements(vendor: str) -> tuple[list[str], list[str]]:
    forward, backward = [], []
    for table, columns in HISTORY_COLUMNS.items():
        if vendor == "postgresql":
            # The functions were made by 0010.
            forward += [
                f"CREATE TRIGGER registry_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION registry_history_append_only();",
                f"CREATE TRIGGER registry_truncate_guard BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION registry_truncate_guard();",
            ]
            backward += [
                f"DROP TRIGGER IF EXISTS registry_append_only ON {table};",
                f"DROP TRIGGER IF EXISTS registry_truncate_guard ON {table};",
            ]
        elif vendor == "sqlite":
            same = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns)
            forward += [
                f"""CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table}
FOR EACH ROW WHEN NOT (NEW."history_user_id" IS NULL AND {same})
BEGIN SELECT RAISE(ABORT, '{HISTORY_LOCKED}'); END;""",
                f"""CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table}
FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{HISTORY_LOCKED}'); END;""",
            ]
            backward += [
                f"DROP TRIGGER IF EXISTS {table}_append_only_update;",
                f"DROP TRIGGER IF EXISTS {table}_append_only_delete;",
            ]
        else:
            raise NotImplementedError(f"Chưa hỗ trợ cơ sở dữ liệu {vendor}.")
    return forward, backward


def guards_install(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[0]:
        schema_editor.execute(statement)


def guards_uninstall(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[1]:
        schema_editor.execute(statement)


def groups_refresh(apps, schema_editor):
    from registry.services.accounts import groups_ensure

    # As in 0013: permissions are made after all migrations; the groups need the new ones now.
    for label in ("auth", "registry"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    groups_ensure(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0015_members_no_discipline"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalDossierRequirement",
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
                    "award_family",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("danh-hieu", "Danh hiệu thi đua"),
                            ("hinh-thuc", "Hình thức khen thưởng"),
                        ],
                        help_text="Để trống: cả danh hiệu thi đua và hình thức khen thưởng.",
                        max_length=12,
                        verbose_name="loại",
                    ),
                ),
                (
                    "recipient_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("tap-the", "Tập thể"),
                            ("ca-nhan", "Cá nhân"),
                            ("ho-gia-dinh", "Hộ gia đình"),
                        ],
                        help_text="Để trống: mọi đối tượng.",
                        max_length=12,
                        verbose_name="đối tượng",
                    ),
                ),
                (
                    "loai_hinh",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("thuong-xuyen", "Thường xuyên"),
                            ("chuyen-de", "Theo đợt, chuyên đề"),
                            ("dot-xuat", "Đột xuất"),
                            ("cong-hien", "Quá trình cống hiến"),
                            ("nien-han", "Niên hạn"),
                            ("doi-ngoai", "Đối ngoại"),
                            ("khang-chien", "Kháng chiến"),
                        ],
                        help_text="Để trống: mọi loại hình.",
                        max_length=20,
                        verbose_name="loại hình",
                    ),
                ),
                (
                    "scope",
                    models.CharField(
                        choices=[
                            ("ho-so", "Một bản cho cả hồ sơ"),
                            ("dong", "Một bản cho từng đối tượng"),
                        ],
                        max_length=10,
                        verbose_name="nộp",
                    ),
                ),
                (
                    "document_kind",
                    models.CharField(
                        choices=[
                            ("to-trinh", "Tờ trình đề nghị khen thưởng"),
                            ("bao-cao-thanh-tich", "Báo cáo thành tích"),
                            ("bien-ban-binh-xet", "Biên bản bình xét (họp xét khen thưởng)"),
                            ("xac-nhan-sang-kien", "Chứng nhận, xác nhận sáng kiến, đề tài"),
                            ("xac-nhan-thanh-tich", "Xác nhận thành tích đột xuất"),
                            ("y-kien-co-quan", "Ý kiến của cơ quan, tổ chức có liên quan"),
                            ("khac", "Tài liệu khác"),
                        ],
                        max_length=30,
                        verbose_name="thành phần hồ sơ",
                    ),
                ),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ pháp lý")),
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
                    "award_type",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Để trống: áp dụng cho mọi danh hiệu, hình thức.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.awardtype",
                        verbose_name="danh hiệu, hình thức",
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
                "verbose_name": "historical thành phần hồ sơ",
                "verbose_name_plural": "historical thành phần hồ sơ",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRound",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="năm")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("thuong-xuyen", "Hằng năm (thường xuyên)"),
                            ("chuyen-de", "Chuyên đề (theo phong trào)"),
                            ("dot-xuat", "Đột xuất"),
                        ],
                        default="thuong-xuyen",
                        max_length=20,
                        verbose_name="loại đợt",
                    ),
                ),
                ("title", models.CharField(max_length=255, verbose_name="tên đợt")),
                ("deadline", models.DateField(verbose_name="hạn nộp hồ sơ")),
                (
                    "status",
                    models.CharField(
                        choices=[("mo", "Đang nhận hồ sơ"), ("dong", "Đã đóng")],
                        default="mo",
                        max_length=10,
                        verbose_name="trạng thái",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="ngày tạo"),
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
                    "authority",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.authority",
                        verbose_name="cấp khen thưởng",
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Bắt buộc với đợt chuyên đề.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.campaign",
                        verbose_name="phong trào thi đua",
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
                "verbose_name": "historical đợt xét khen thưởng",
                "verbose_name_plural": "historical đợt xét khen thưởng",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalUnitMembership",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
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
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.unit",
                        verbose_name="đơn vị",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người dùng",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical tài khoản đơn vị đề nghị",
                "verbose_name_plural": "historical tài khoản đơn vị đề nghị",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Proposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("nhap", "Nháp"),
                            ("da-gui", "Đã gửi"),
                            ("bi-tra-lai", "Bị trả lại"),
                            ("da-tiep-nhan", "Đã tiếp nhận"),
                        ],
                        default="nhap",
                        max_length=15,
                        verbose_name="trạng thái",
                    ),
                ),
                (
                    "submission_number",
                    models.CharField(
                        blank=True,
                        help_text="Ví dụ: 12/TTr-THCS.",
                        max_length=60,
                        verbose_name="số tờ trình",
                    ),
                ),
                (
                    "submission_date",
                    models.DateField(blank=True, null=True, verbose_name="ngày tờ trình"),
                ),
                ("return_reason", models.TextField(blank=True, verbose_name="lý do trả lại")),
                ("answer", models.TextField(blank=True, verbose_name="giải trình của đơn vị")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="ngày lập")),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="gửi lúc"),
                ),
                (
                    "returned_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="trả lại lúc"),
                ),
                (
                    "received_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="tiếp nhận lúc"),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người lập",
                    ),
                ),
                (
                    "decision",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="proposals",
                        to="registry.decision",
                        verbose_name="quyết định khen thưởng",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="proposals",
                        to="registry.unit",
                        verbose_name="đơn vị đề nghị",
                    ),
                ),
            ],
            options={
                "verbose_name": "hồ sơ đề nghị",
                "verbose_name_plural": "hồ sơ đề nghị",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalProposalLine",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("line_no", models.PositiveIntegerField(default=0, verbose_name="STT")),
                (
                    "recipient_kind",
                    models.CharField(
                        choices=[
                            ("tap-the", "Tập thể"),
                            ("ca-nhan", "Cá nhân"),
                            ("ho-gia-dinh", "Hộ gia đình"),
                        ],
                        default="ca-nhan",
                        max_length=12,
                        verbose_name="đối tượng",
                    ),
                ),
                ("name", models.CharField(max_length=255, verbose_name="họ tên, tên tập thể")),
                (
                    "birth_year",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="năm sinh"
                    ),
                ),
                ("position", models.CharField(blank=True, max_length=255, verbose_name="chức vụ")),
                (
                    "unit_name",
                    models.CharField(blank=True, max_length=255, verbose_name="đơn vị công tác"),
                ),
                ("achievement", models.TextField(blank=True, verbose_name="thành tích")),
                ("period_from", models.PositiveSmallIntegerField(verbose_name="thành tích từ năm")),
                ("period_to", models.PositiveSmallIntegerField(verbose_name="đến năm")),
                (
                    "review_result",
                    models.CharField(
                        blank=True,
                        help_text="Ví dụ: 25/27 phiếu đồng ý (92,6%).",
                        max_length=255,
                        verbose_name="kết quả bình xét của đơn vị",
                    ),
                ),
                (
                    "warnings",
                    models.TextField(
                        blank=True, editable=False, verbose_name="cảnh báo tiêu chuẩn"
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
                    "award",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.award",
                        verbose_name="dòng khen thưởng",
                    ),
                ),
                (
                    "award_type",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.awardtype",
                        verbose_name="danh hiệu, hình thức",
                    ),
                ),
                (
                    "collective",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.collective",
                        verbose_name="tập thể (trong sổ)",
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
                    "household",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.household",
                        verbose_name="hộ gia đình (trong sổ)",
                    ),
                ),
                (
                    "individual",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.individual",
                        verbose_name="cá nhân (trong sổ)",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.proposal",
                        verbose_name="hồ sơ đề nghị",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical dòng đề nghị",
                "verbose_name_plural": "historical dòng đề nghị",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ProposalLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("line_no", models.PositiveIntegerField(default=0, verbose_name="STT")),
                (
                    "recipient_kind",
                    models.CharField(
                        choices=[
                            ("tap-the", "Tập thể"),
                            ("ca-nhan", "Cá nhân"),
                            ("ho-gia-dinh", "Hộ gia đình"),
                        ],
                        default="ca-nhan",
                        max_length=12,
                        verbose_name="đối tượng",
                    ),
                ),
                ("name", models.CharField(max_length=255, verbose_name="họ tên, tên tập thể")),
                (
                    "birth_year",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="năm sinh"
                    ),
                ),
                ("position", models.CharField(blank=True, max_length=255, verbose_name="chức vụ")),
                (
                    "unit_name",
                    models.CharField(blank=True, max_length=255, verbose_name="đơn vị công tác"),
                ),
                ("achievement", models.TextField(blank=True, verbose_name="thành tích")),
                ("period_from", models.PositiveSmallIntegerField(verbose_name="thành tích từ năm")),
                ("period_to", models.PositiveSmallIntegerField(verbose_name="đến năm")),
                (
                    "review_result",
                    models.CharField(
                        blank=True,
                        help_text="Ví dụ: 25/27 phiếu đồng ý (92,6%).",
                        max_length=255,
                        verbose_name="kết quả bình xét của đơn vị",
                    ),
                ),
                (
                    "warnings",
                    models.TextField(
                        blank=True, editable=False, verbose_name="cảnh báo tiêu chuẩn"
                    ),
                ),
                (
                    "award",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="proposal_lines",
                        to="registry.award",
                        verbose_name="dòng khen thưởng",
                    ),
                ),
                (
                    "award_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.awardtype",
                        verbose_name="danh hiệu, hình thức",
                    ),
                ),
                (
                    "collective",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.collective",
                        verbose_name="tập thể (trong sổ)",
                    ),
                ),
                (
                    "household",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.household",
                        verbose_name="hộ gia đình (trong sổ)",
                    ),
                ),
                (
                    "individual",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.individual",
                        verbose_name="cá nhân (trong sổ)",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="registry.proposal",
                        verbose_name="hồ sơ đề nghị",
                    ),
                ),
            ],
            options={
                "verbose_name": "dòng đề nghị",
                "verbose_name_plural": "dòng đề nghị",
                "ordering": ["proposal", "line_no", "id"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalAttachment",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "document_kind",
                    models.CharField(
                        choices=[
                            ("to-trinh", "Tờ trình đề nghị khen thưởng"),
                            ("bao-cao-thanh-tich", "Báo cáo thành tích"),
                            ("bien-ban-binh-xet", "Biên bản bình xét (họp xét khen thưởng)"),
                            ("xac-nhan-sang-kien", "Chứng nhận, xác nhận sáng kiến, đề tài"),
                            ("xac-nhan-thanh-tich", "Xác nhận thành tích đột xuất"),
                            ("y-kien-co-quan", "Ý kiến của cơ quan, tổ chức có liên quan"),
                            ("khac", "Tài liệu khác"),
                        ],
                        max_length=30,
                        verbose_name="thành phần hồ sơ",
                    ),
                ),
                ("file", models.TextField(max_length=255, verbose_name="tệp")),
                ("file_name", models.CharField(max_length=255, verbose_name="tên tệp")),
                ("size", models.PositiveIntegerField(default=0, verbose_name="dung lượng (byte)")),
                (
                    "uploaded_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="tải lên lúc"),
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
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người tải lên",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.proposal",
                        verbose_name="hồ sơ đề nghị",
                    ),
                ),
                (
                    "line",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.proposalline",
                        verbose_name="dòng đề nghị",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical tài liệu đính kèm",
                "verbose_name_plural": "historical tài liệu đính kèm",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Attachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "document_kind",
                    models.CharField(
                        choices=[
                            ("to-trinh", "Tờ trình đề nghị khen thưởng"),
                            ("bao-cao-thanh-tich", "Báo cáo thành tích"),
                            ("bien-ban-binh-xet", "Biên bản bình xét (họp xét khen thưởng)"),
                            ("xac-nhan-sang-kien", "Chứng nhận, xác nhận sáng kiến, đề tài"),
                            ("xac-nhan-thanh-tich", "Xác nhận thành tích đột xuất"),
                            ("y-kien-co-quan", "Ý kiến của cơ quan, tổ chức có liên quan"),
                            ("khac", "Tài liệu khác"),
                        ],
                        max_length=30,
                        verbose_name="thành phần hồ sơ",
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=255,
                        upload_to=registry.models.proposals.attachment_path,
                        verbose_name="tệp",
                    ),
                ),
                ("file_name", models.CharField(max_length=255, verbose_name="tên tệp")),
                ("size", models.PositiveIntegerField(default=0, verbose_name="dung lượng (byte)")),
                (
                    "uploaded_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="tải lên lúc"),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người tải lên",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="registry.proposal",
                        verbose_name="hồ sơ đề nghị",
                    ),
                ),
                (
                    "line",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="registry.proposalline",
                        verbose_name="dòng đề nghị",
                    ),
                ),
            ],
            options={
                "verbose_name": "tài liệu đính kèm",
                "verbose_name_plural": "tài liệu đính kèm",
                "ordering": ["proposal", "line", "document_kind", "id"],
            },
        ),
        migrations.CreateModel(
            name="Round",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="năm")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("thuong-xuyen", "Hằng năm (thường xuyên)"),
                            ("chuyen-de", "Chuyên đề (theo phong trào)"),
                            ("dot-xuat", "Đột xuất"),
                        ],
                        default="thuong-xuyen",
                        max_length=20,
                        verbose_name="loại đợt",
                    ),
                ),
                ("title", models.CharField(max_length=255, verbose_name="tên đợt")),
                ("deadline", models.DateField(verbose_name="hạn nộp hồ sơ")),
                (
                    "status",
                    models.CharField(
                        choices=[("mo", "Đang nhận hồ sơ"), ("dong", "Đã đóng")],
                        default="mo",
                        max_length=10,
                        verbose_name="trạng thái",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="ngày tạo")),
                (
                    "authority",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="rounds",
                        to="registry.authority",
                        verbose_name="cấp khen thưởng",
                    ),
                ),
                (
                    "award_types",
                    models.ManyToManyField(
                        related_name="rounds",
                        to="registry.awardtype",
                        verbose_name="danh hiệu, hình thức xét",
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        blank=True,
                        help_text="Bắt buộc với đợt chuyên đề.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="rounds",
                        to="registry.campaign",
                        verbose_name="phong trào thi đua",
                    ),
                ),
            ],
            options={
                "verbose_name": "đợt xét khen thưởng",
                "verbose_name_plural": "đợt xét khen thưởng",
                "ordering": ["-year", "-deadline", "-id"],
            },
        ),
        migrations.AddField(
            model_name="proposal",
            name="round",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="proposals",
                to="registry.round",
                verbose_name="đợt xét",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalProposal",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("nhap", "Nháp"),
                            ("da-gui", "Đã gửi"),
                            ("bi-tra-lai", "Bị trả lại"),
                            ("da-tiep-nhan", "Đã tiếp nhận"),
                        ],
                        default="nhap",
                        max_length=15,
                        verbose_name="trạng thái",
                    ),
                ),
                (
                    "submission_number",
                    models.CharField(
                        blank=True,
                        help_text="Ví dụ: 12/TTr-THCS.",
                        max_length=60,
                        verbose_name="số tờ trình",
                    ),
                ),
                (
                    "submission_date",
                    models.DateField(blank=True, null=True, verbose_name="ngày tờ trình"),
                ),
                ("return_reason", models.TextField(blank=True, verbose_name="lý do trả lại")),
                ("answer", models.TextField(blank=True, verbose_name="giải trình của đơn vị")),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="ngày lập"),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="gửi lúc"),
                ),
                (
                    "returned_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="trả lại lúc"),
                ),
                (
                    "received_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="tiếp nhận lúc"),
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
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người lập",
                    ),
                ),
                (
                    "decision",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.decision",
                        verbose_name="quyết định khen thưởng",
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
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.unit",
                        verbose_name="đơn vị đề nghị",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.round",
                        verbose_name="đợt xét",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical hồ sơ đề nghị",
                "verbose_name_plural": "historical hồ sơ đề nghị",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="UnitMembership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="members",
                        to="registry.unit",
                        verbose_name="đơn vị",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="unit_membership",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người dùng",
                    ),
                ),
            ],
            options={
                "verbose_name": "tài khoản đơn vị đề nghị",
                "verbose_name_plural": "tài khoản đơn vị đề nghị",
            },
        ),
        migrations.CreateModel(
            name="DossierRequirement",
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
                    "award_family",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("danh-hieu", "Danh hiệu thi đua"),
                            ("hinh-thuc", "Hình thức khen thưởng"),
                        ],
                        help_text="Để trống: cả danh hiệu thi đua và hình thức khen thưởng.",
                        max_length=12,
                        verbose_name="loại",
                    ),
                ),
                (
                    "recipient_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("tap-the", "Tập thể"),
                            ("ca-nhan", "Cá nhân"),
                            ("ho-gia-dinh", "Hộ gia đình"),
                        ],
                        help_text="Để trống: mọi đối tượng.",
                        max_length=12,
                        verbose_name="đối tượng",
                    ),
                ),
                (
                    "loai_hinh",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("thuong-xuyen", "Thường xuyên"),
                            ("chuyen-de", "Theo đợt, chuyên đề"),
                            ("dot-xuat", "Đột xuất"),
                            ("cong-hien", "Quá trình cống hiến"),
                            ("nien-han", "Niên hạn"),
                            ("doi-ngoai", "Đối ngoại"),
                            ("khang-chien", "Kháng chiến"),
                        ],
                        help_text="Để trống: mọi loại hình.",
                        max_length=20,
                        verbose_name="loại hình",
                    ),
                ),
                (
                    "scope",
                    models.CharField(
                        choices=[
                            ("ho-so", "Một bản cho cả hồ sơ"),
                            ("dong", "Một bản cho từng đối tượng"),
                        ],
                        max_length=10,
                        verbose_name="nộp",
                    ),
                ),
                (
                    "document_kind",
                    models.CharField(
                        choices=[
                            ("to-trinh", "Tờ trình đề nghị khen thưởng"),
                            ("bao-cao-thanh-tich", "Báo cáo thành tích"),
                            ("bien-ban-binh-xet", "Biên bản bình xét (họp xét khen thưởng)"),
                            ("xac-nhan-sang-kien", "Chứng nhận, xác nhận sáng kiến, đề tài"),
                            ("xac-nhan-thanh-tich", "Xác nhận thành tích đột xuất"),
                            ("y-kien-co-quan", "Ý kiến của cơ quan, tổ chức có liên quan"),
                            ("khac", "Tài liệu khác"),
                        ],
                        max_length=30,
                        verbose_name="thành phần hồ sơ",
                    ),
                ),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ pháp lý")),
                (
                    "award_type",
                    models.ForeignKey(
                        blank=True,
                        help_text="Để trống: áp dụng cho mọi danh hiệu, hình thức.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="dossier_requirements",
                        to="registry.awardtype",
                        verbose_name="danh hiệu, hình thức",
                    ),
                ),
            ],
            options={
                "verbose_name": "thành phần hồ sơ",
                "verbose_name_plural": "thành phần hồ sơ",
                "ordering": ["scope", "document_kind", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_from__isnull", True),
                            ("valid_to__isnull", True),
                            ("valid_to__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="dossierrequirement_period",
                        violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
                    )
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="proposalline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("collective__isnull", True),
                        ("household__isnull", True),
                        ("individual__isnull", True),
                    ),
                    models.Q(
                        ("household__isnull", True),
                        ("individual__isnull", True),
                        ("recipient_kind", "tap-the"),
                    ),
                    models.Q(
                        ("collective__isnull", True),
                        ("household__isnull", True),
                        ("recipient_kind", "ca-nhan"),
                    ),
                    models.Q(
                        ("collective__isnull", True),
                        ("individual__isnull", True),
                        ("recipient_kind", "ho-gia-dinh"),
                    ),
                    _connector="OR",
                ),
                name="proposalline_one_recipient",
                violation_error_message="Mỗi dòng đề nghị có một đối tượng đúng loại.",
            ),
        ),
        migrations.AddConstraint(
            model_name="proposalline",
            constraint=models.CheckConstraint(
                condition=models.Q(("period_from__lte", models.F("period_to"))),
                name="proposalline_period_ordered",
                violation_error_message="Năm bắt đầu của thành tích không được sau năm kết thúc.",
            ),
        ),
        migrations.AddConstraint(
            model_name="proposalline",
            constraint=models.CheckConstraint(
                condition=models.Q(("period_from__gte", 1945), ("period_to__lte", 2100)),
                name="proposalline_period_range",
                violation_error_message="Năm thành tích phải trong khoảng 1945–2100.",
            ),
        ),
        migrations.AddConstraint(
            model_name="round",
            constraint=models.CheckConstraint(
                condition=models.Q(("year__gte", 1945), ("year__lte", 2100)),
                name="round_year_range",
                violation_error_message="Năm của đợt phải trong khoảng 1945–2100.",
            ),
        ),
        migrations.AddConstraint(
            model_name="round",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "chuyen-de"), _negated=True),
                    ("campaign__isnull", False),
                    _connector="OR",
                ),
                name="round_thematic_campaign",
                violation_error_message="Đợt chuyên đề phải chọn phong trào thi đua.",
            ),
        ),
        migrations.AddConstraint(
            model_name="round",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["mo", "dong"])), name="round_status_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="proposal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["nhap", "da-gui", "bi-tra-lai", "da-tiep-nhan"])
                ),
                name="proposal_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="proposal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "bi-tra-lai"), _negated=True),
                    models.Q(("return_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="proposal_return_has_reason",
                violation_error_message="Trả lại hồ sơ phải ghi lý do.",
            ),
        ),
        migrations.RunPython(guards_install, guards_uninstall),
        migrations.RunPython(groups_refresh, migrations.RunPython.noop),
    ]
