"""Printing becomes a permission of its own (clerks and leaders, not viewers), and a print job
keeps a heartbeat and a run count so that a job whose worker died can be found and retried."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def groups_refresh(apps, schema_editor):
    from registry.services.accounts import groups_ensure

    # As in 0008 and 0012: permissions are made after all migrations; the groups need the new
    # one now.
    for label in ("auth", "registry"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    groups_ensure(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0012_law_history_guards_groups"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="printjob",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    ("print_certificate", "In, in lại giấy khen và giấy xác nhận"),
                ],
                "verbose_name": "lượt in giấy khen",
                "verbose_name_plural": "lượt in giấy khen",
            },
        ),
        migrations.AddField(
            model_name="printjob",
            name="attempts",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="số lần chạy"
            ),
        ),
        migrations.AddField(
            model_name="printjob",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="tiến triển lần cuối"),
        ),
        migrations.RunPython(groups_refresh, migrations.RunPython.noop),
    ]
