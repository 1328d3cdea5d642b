import importlib

from django.db import migrations

from registry import dblocks

_locks = importlib.import_module("registry.migrations.0002_issued_decision_locks")
_0003 = importlib.import_module("registry.migrations.0003_imports_scoring_override")


def reinstall_locks(apps, schema_editor):
    # An issued award may now change recipient along a recorded merge of duplicate records.
    dblocks.install(schema_editor, _locks.DECISION_COLUMNS, _0003.AWARD_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_printing")]

    operations = [migrations.RunPython(reinstall_locks, reinstall_locks)]
