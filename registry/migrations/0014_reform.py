"""Two-level local government: a Party committee has several numbered terms, an authority or a
unit that ended has one or several recorded successors, and the cash principles carry the
household factor and the highest-title-only rule. The old single columns are copied over
before they go. The history guards of 0010 are laid again on the history tables this
migration remakes or adds; the SQL is frozen here as this migration means it."""

import datetime

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def copy_terms_and_successors(apps, schema_editor):
    Authority = apps.get_model("registry", "Authority")
    AuthorityTerm = apps.get_model("registry", "AuthorityTerm")
    AuthoritySuccession = apps.get_model("registry", "AuthoritySuccession")
    Unit = apps.get_model("registry", "Unit")
    UnitSuccession = apps.get_model("registry", "UnitSuccession")
    for authority in Authority.objects.exclude(term_start=None):
        start = authority.term_start
        AuthorityTerm.objects.get_or_create(
            authority=authority,
            start=start,
            defaults={"name": f"{start.year}–{start.year + 5}", "legal_basis": ""},
        )
    for model, succession in ((Authority, AuthoritySuccession), (Unit, UnitSuccession)):
        for old in model.objects.exclude(successor=None):
            since = (
                (old.valid_to + datetime.timedelta(days=1))
                if old.valid_to
                else datetime.date.today()
            )
            succession.objects.get_or_create(
                predecessor=old,
                successor_id=old.successor_id,
                defaults={"since": since, "legal_basis": ""},
            )


def copy_back(apps, schema_editor):
    """Going back: the first term's start and the first successor, as the old columns held."""
    Authority = apps.get_model("registry", "Authority")
    AuthorityTerm = apps.get_model("registry", "AuthorityTerm")
    AuthoritySuccession = apps.get_model("registry", "AuthoritySuccession")
    Unit = apps.get_model("registry", "Unit")
    UnitSuccession = apps.get_model("registry", "UnitSuccession")
    for term in AuthorityTerm.objects.order_by("-start"):
        Authority.objects.filter(pk=term.authority_id).update(term_start=term.start)
    # A term-numbered authority without a term would break the old constraint: number yearly.
    Authority.objects.filter(numbering="nhiem-ky", term_start=None).update(numbering="nam")
    for model, succession in ((Authority, AuthoritySuccession), (Unit, UnitSuccession)):
        for row in succession.objects.order_by("-successor_id"):
            model.objects.filter(pk=row.predecessor_id).update(successor_id=row.successor_id)


HISTORY_LOCKED = "Lịch sử thay đổi chỉ được ghi thêm: không sửa hoặc xóa được."

# The columns of each history table this migration remakes or adds, history_user_id apart.
HISTORY_COLUMNS = {
    "registry_historicalauthority": (
        "id", "valid_from", "valid_to", "code", "name", "organ", "chain", "level", "place_name", "header", "numbering", "number_pattern", "history_id", "history_date", "history_change_reason", "history_type", "parent_id", "unit_id",
    ),
    "registry_historicalunit": (
        "id", "valid_from", "valid_to", "code", "name", "history_id", "history_date", "history_change_reason", "history_type", "parent_id",
    ),
    "registry_historicalcashrounding": (
        "id", "valid_from", "valid_to", "step", "legal_basis", "confirmed", "history_id", "history_date", "history_change_reason", "history_type", "highest_title_only", "household_factor",
    ),
    "registry_historicalauthoritysuccession": (
        "id", "since", "legal_basis", "history_id", "history_date", "history_change_reason", "history_type", "predecessor_id", "successor_id",
    ),
    "registry_historicalauthorityterm": (
        "id", "name", "start", "end", "legal_basis", "history_id", "history_date", "history_change_reason", "history_type", "authority_id",
    ),
    "registry_historicalunitsuccession": (
        "id", "since", "legal_basis", "history_id", "history_date", "history_change_reason", "history_type", "predecessor_id", "successor_id",
    ),
}  # fmt: skip
NEW_TABLES = (
    "registry_historicalauthoritysuccession",
    "registry_historicalauthorityterm",
    "registry_historicalunitsuccession",
)


def _statements(vendor: str) -> tuple[list[str], list[str]]:
    forward, backward = [], []
    if vendor == "postgresql":
        # PostgreSQL compares whole rows, so only the new tables need the triggers of 0010.
        for table in NEW_TABLES:
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
        return forward, backward
    if vendor != "sqlite":
        raise NotImplementedError(f"Chưa hỗ trợ cơ sở dữ liệu {vendor}.")
    # SQLite names the columns, and a remade table loses its triggers: lay them all again.
    for table, columns in HISTORY_COLUMNS.items():
        same = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns)
        forward += [
            f"DROP TRIGGER IF EXISTS {table}_append_only_update;",
            f"DROP TRIGGER IF EXISTS {table}_append_only_delete;",
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
    return forward, backward


def guards_install(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[0]:
        schema_editor.execute(statement)


def guards_uninstall(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0013_print_permission"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuthoritySuccession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("since", models.DateField(verbose_name="từ ngày")),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ")),
            ],
            options={
                "verbose_name": "cấp kế thừa",
                "verbose_name_plural": "cấp kế thừa",
                "ordering": ["predecessor", "successor"],
            },
        ),
        migrations.CreateModel(
            name="AuthorityTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="Ví dụ: 2025–2030.", max_length=40, verbose_name="nhiệm kỳ"
                    ),
                ),
                (
                    "start",
                    models.DateField(
                        help_text="Ngày bế mạc đại hội hoặc ngày ra quyết định.",
                        verbose_name="bắt đầu",
                    ),
                ),
                ("end", models.DateField(blank=True, null=True, verbose_name="kết thúc")),
                (
                    "legal_basis",
                    models.CharField(blank=True, max_length=500, verbose_name="căn cứ"),
                ),
            ],
            options={
                "verbose_name": "nhiệm kỳ",
                "verbose_name_plural": "nhiệm kỳ",
                "ordering": ["authority", "start"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalAuthoritySuccession",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("since", models.DateField(verbose_name="từ ngày")),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
            ],
            options={
                "verbose_name": "historical cấp kế thừa",
                "verbose_name_plural": "historical cấp kế thừa",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAuthorityTerm",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="Ví dụ: 2025–2030.", max_length=40, verbose_name="nhiệm kỳ"
                    ),
                ),
                (
                    "start",
                    models.DateField(
                        help_text="Ngày bế mạc đại hội hoặc ngày ra quyết định.",
                        verbose_name="bắt đầu",
                    ),
                ),
                ("end", models.DateField(blank=True, null=True, verbose_name="kết thúc")),
                (
                    "legal_basis",
                    models.CharField(blank=True, max_length=500, verbose_name="căn cứ"),
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
            ],
            options={
                "verbose_name": "historical nhiệm kỳ",
                "verbose_name_plural": "historical nhiệm kỳ",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalUnitSuccession",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("since", models.DateField(verbose_name="từ ngày")),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
            ],
            options={
                "verbose_name": "historical đơn vị kế thừa",
                "verbose_name_plural": "historical đơn vị kế thừa",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="UnitSuccession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("since", models.DateField(verbose_name="từ ngày")),
                ("legal_basis", models.CharField(max_length=500, verbose_name="căn cứ")),
            ],
            options={
                "verbose_name": "đơn vị kế thừa",
                "verbose_name_plural": "đơn vị kế thừa",
                "ordering": ["predecessor", "successor"],
            },
        ),
        migrations.AlterModelOptions(
            name="cashrounding",
            options={
                "ordering": ["-valid_from"],
                "verbose_name": "nguyên tắc tính tiền thưởng",
                "verbose_name_plural": "nguyên tắc tính tiền thưởng",
            },
        ),
        migrations.AlterModelOptions(
            name="historicalcashrounding",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical nguyên tắc tính tiền thưởng",
                "verbose_name_plural": "historical nguyên tắc tính tiền thưởng",
            },
        ),
        migrations.AddField(
            model_name="cashrounding",
            name="highest_title_only",
            field=models.BooleanField(
                default=False,
                help_text="Cùng một thời gian, một đối tượng đạt nhiều danh hiệu thi đua thì chỉ nhận tiền thưởng của danh hiệu có mức cao nhất.",
                verbose_name="nhiều danh hiệu cùng thời gian chỉ nhận mức cao nhất",
            ),
        ),
        migrations.AddField(
            model_name="cashrounding",
            name="household_factor",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="1.5: hộ gia đình được thưởng gấp 1,5 lần mức tiền thưởng đối với cá nhân. Để trống khi chưa có quy định (tiền thưởng hộ gia đình là chưa xác định).",
                max_digits=4,
                null=True,
                verbose_name="hộ gia đình nhận gấp (lần mức cá nhân)",
            ),
        ),
        migrations.AddField(
            model_name="historicalcashrounding",
            name="highest_title_only",
            field=models.BooleanField(
                default=False,
                help_text="Cùng một thời gian, một đối tượng đạt nhiều danh hiệu thi đua thì chỉ nhận tiền thưởng của danh hiệu có mức cao nhất.",
                verbose_name="nhiều danh hiệu cùng thời gian chỉ nhận mức cao nhất",
            ),
        ),
        migrations.AddField(
            model_name="historicalcashrounding",
            name="household_factor",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="1.5: hộ gia đình được thưởng gấp 1,5 lần mức tiền thưởng đối với cá nhân. Để trống khi chưa có quy định (tiền thưởng hộ gia đình là chưa xác định).",
                max_digits=4,
                null=True,
                verbose_name="hộ gia đình nhận gấp (lần mức cá nhân)",
            ),
        ),
        migrations.AddConstraint(
            model_name="cashrounding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("household_factor__isnull", True), ("household_factor__gt", 0), _connector="OR"
                ),
                name="cashrounding_household_factor_positive",
            ),
        ),
        migrations.AddField(
            model_name="authoritysuccession",
            name="predecessor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="succeeded_by",
                to="registry.authority",
                verbose_name="cấp đã chấm dứt",
            ),
        ),
        migrations.AddField(
            model_name="authoritysuccession",
            name="successor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="succeeds",
                to="registry.authority",
                verbose_name="cấp kế thừa",
            ),
        ),
        migrations.AddField(
            model_name="authority",
            name="successors",
            field=models.ManyToManyField(
                blank=True,
                related_name="predecessors",
                through="registry.AuthoritySuccession",
                to="registry.authority",
                verbose_name="cấp kế thừa",
            ),
        ),
        migrations.AddField(
            model_name="authorityterm",
            name="authority",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="terms",
                to="registry.authority",
                verbose_name="cấp khen thưởng",
            ),
        ),
        migrations.AddField(
            model_name="historicalauthoritysuccession",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalauthoritysuccession",
            name="predecessor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="registry.authority",
                verbose_name="cấp đã chấm dứt",
            ),
        ),
        migrations.AddField(
            model_name="historicalauthoritysuccession",
            name="successor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="registry.authority",
                verbose_name="cấp kế thừa",
            ),
        ),
        migrations.AddField(
            model_name="historicalauthorityterm",
            name="authority",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="registry.authority",
                verbose_name="cấp khen thưởng",
            ),
        ),
        migrations.AddField(
            model_name="historicalauthorityterm",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalunitsuccession",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalunitsuccession",
            name="predecessor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="registry.unit",
                verbose_name="đơn vị cũ",
            ),
        ),
        migrations.AddField(
            model_name="historicalunitsuccession",
            name="successor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="registry.unit",
                verbose_name="đơn vị kế thừa",
            ),
        ),
        migrations.AddField(
            model_name="unitsuccession",
            name="predecessor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="succeeded_by",
                to="registry.unit",
                verbose_name="đơn vị cũ",
            ),
        ),
        migrations.AddField(
            model_name="unitsuccession",
            name="successor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="succeeds",
                to="registry.unit",
                verbose_name="đơn vị kế thừa",
            ),
        ),
        migrations.AddField(
            model_name="unit",
            name="successors",
            field=models.ManyToManyField(
                blank=True,
                help_text="Khi đơn vị sáp nhập, chia tách hoặc giải thể: các đơn vị tiếp nhận.",
                related_name="predecessors",
                through="registry.UnitSuccession",
                to="registry.unit",
                verbose_name="đơn vị kế thừa",
            ),
        ),
        migrations.AddConstraint(
            model_name="authoritysuccession",
            constraint=models.UniqueConstraint(
                fields=("predecessor", "successor"), name="authoritysuccession_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="authoritysuccession",
            constraint=models.CheckConstraint(
                condition=models.Q(("predecessor", models.F("successor")), _negated=True),
                name="authoritysuccession_not_self",
            ),
        ),
        migrations.AddConstraint(
            model_name="authorityterm",
            constraint=models.UniqueConstraint(
                fields=("authority", "start"), name="authorityterm_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="authorityterm",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("end__isnull", True), ("end__gte", models.F("start")), _connector="OR"
                ),
                name="authorityterm_ordered",
                violation_error_message="Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.",
            ),
        ),
        migrations.AddConstraint(
            model_name="unitsuccession",
            constraint=models.UniqueConstraint(
                fields=("predecessor", "successor"), name="unitsuccession_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="unitsuccession",
            constraint=models.CheckConstraint(
                condition=models.Q(("predecessor", models.F("successor")), _negated=True),
                name="unitsuccession_not_self",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="authority",
            name="authority_term_numbering_has_start",
        ),
        migrations.RemoveConstraint(
            model_name="unit",
            name="unit_not_own_successor",
        ),
        migrations.RunPython(copy_terms_and_successors, copy_back),
        migrations.RemoveField(
            model_name="authority",
            name="successor",
        ),
        migrations.RemoveField(
            model_name="authority",
            name="term_start",
        ),
        migrations.RemoveField(
            model_name="historicalauthority",
            name="successor",
        ),
        migrations.RemoveField(
            model_name="historicalauthority",
            name="term_start",
        ),
        migrations.RemoveField(
            model_name="historicalunit",
            name="successor",
        ),
        migrations.RemoveField(
            model_name="unit",
            name="successor",
        ),
        migrations.RunPython(guards_install, guards_uninstall),
    ]
