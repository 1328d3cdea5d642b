"""The four groups that ship with the registry: clerk, leader, viewer, administrator."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def groups_create(apps, schema_editor):
    from registry.services.accounts import groups_ensure

    # Permissions are made after all migrations by post_migrate; the groups need them now.
    for label in ("auth", "registry"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    groups_ensure(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_trust_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(groups_create, migrations.RunPython.noop)]
