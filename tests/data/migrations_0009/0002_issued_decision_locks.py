from django.db import migrations

from . import _dblocks as dblocks

# Every column of the two tables as of this migration; a later migration that adds a column
# to either table installs the triggers again with the longer list.
DECISION_COLUMNS = [
    "id", "authority_id", "number", "numbering_period", "signed_date", "place", "subject",
    "legal_bases", "proposing_unit_id", "proposing_authority_id", "proposal", "signer_prefix",
    "signer_title", "signer_name", "loai_hinh", "campaign_id", "status", "scan", "issued_at",
    "issued_by_id", "search_key", "created_at",
]  # fmt: skip
AWARD_COLUMNS = [
    "id", "decision_id", "authority_id", "line_no", "award_type_id", "loai_hinh",
    "collective_id", "individual_id", "household_id", "recipient_name", "recipient_position",
    "recipient_unit", "achievement", "period_from", "period_to", "campaign_id",
    "register_number", "verification_code", "cash_amount", "recipient_category",
    "revoked_by_id", "revocation_reason", "revoked_on",
]  # fmt: skip


def install(apps, schema_editor):
    dblocks.install(schema_editor, DECISION_COLUMNS, AWARD_COLUMNS)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS registry_award_lock ON registry_award;")
        schema_editor.execute("DROP TRIGGER IF EXISTS registry_decision_lock ON registry_decision;")
        schema_editor.execute("DROP FUNCTION IF EXISTS registry_award_lock();")
        schema_editor.execute("DROP FUNCTION IF EXISTS registry_decision_lock();")
    else:
        for name in (
            "registry_decision_lock_update",
            "registry_decision_lock_delete",
            "registry_award_lock_insert",
            "registry_award_lock_update",
            "registry_award_lock_delete",
        ):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
