import importlib

from django.db import migrations

from . import _dblocks as dblocks

_locks = importlib.import_module(".0002_issued_decision_locks", __package__)
_0003 = importlib.import_module(".0003_imports_scoring_override", __package__)


def reinstall_locks(apps, schema_editor):
    # An issued award may now change recipient along a recorded merge of duplicate records.
    dblocks.install(schema_editor, _locks.DECISION_COLUMNS, _0003.AWARD_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_printing")]

    operations = [migrations.RunPython(reinstall_locks, reinstall_locks)]
