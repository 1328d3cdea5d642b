"""The law rows of 0011 get the guards of 0010 (append-only history, no TRUNCATE) and the
shipped groups see them. The SQL is frozen here as this migration means it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

HISTORY_LOCKED = "Lịch sử thay đổi chỉ được ghi thêm: không sửa hoặc xóa được."

# The columns of each new history table at this migration, history_user_id apart.
HISTORY_COLUMNS = {
    "registry_historicalblocawardrule": (
        "id", "valid_from", "valid_to", "chain", "authority_level", "legal_basis", "confirmed",
        "history_id", "history_date", "history_change_reason", "history_type",
        "leader_award_type_id", "runner_up_award_type_id",
    ),
    "registry_historicalcashrounding": (
        "id", "valid_from", "valid_to", "step", "legal_basis", "confirmed", "history_id",
        "history_date", "history_change_reason", "history_type",
    ),
    "registry_historicalcountedloaihinh": (
        "id", "valid_from", "valid_to", "loai_hinh", "legal_basis", "confirmed", "history_id",
        "history_date", "history_change_reason", "history_type",
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


def install(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[0]:
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[1]:
        schema_editor.execute(statement)


def groups_refresh(apps, schema_editor):
    from registry.services.accounts import groups_ensure

    # As in 0008: permissions are made after all migrations; the groups need the new ones now.
    for label in ("auth", "registry"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    groups_ensure(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_law_as_data"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
        migrations.RunPython(groups_refresh, migrations.RunPython.noop),
    ]
