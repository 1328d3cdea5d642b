"""Append-only history and print logs, revocation only with a recorded revocation, no TRUNCATE.

The SQL is frozen here, as this migration means it: a later change of the models does not
rewrite what an existing database was given.
"""

from django.db import migrations

HISTORY_LOCKED = "Lịch sử thay đổi chỉ được ghi thêm: không sửa hoặc xóa được."
KEPT_LOCKED = "Nhật ký in, hủy bỏ và đính chính được lưu giữ: không xóa được."
REVOCATION_LOCKED = (
    "Chỉ hủy bỏ khen thưởng bằng một quyết định hủy bỏ đã ghi nhận; "
    "khen thưởng đã hủy bỏ không đổi lại được."
)
TRUNCATE_LOCKED = "Không được xóa trắng (TRUNCATE) sổ khen thưởng và lịch sử của nó."

# The history tables as they are at this migration; a later model with history adds its own.
HISTORY_TABLES = (
    "registry_historicalauthority",
    "registry_historicalaward",
    "registry_historicalawardpower",
    "registry_historicalawardtype",
    "registry_historicalbasesalary",
    "registry_historicalcampaign",
    "registry_historicalcashmultiple",
    "registry_historicalcollective",
    "registry_historicaldecision",
    "registry_historicaldiscipline",
    "registry_historicaleligibilitycondition",
    "registry_historicaleligibilityroute",
    "registry_historicaleligibilityrule",
    "registry_historicalhousehold",
    "registry_historicalindividual",
    "registry_historicalinitiative",
    "registry_historicalpledge",
    "registry_historicalpledgesignatory",
    "registry_historicalrating",
    "registry_historicalrevocation",
    "registry_historicaltarget",
    "registry_historicaltargetresult",
    "registry_historicaltargetset",
    "registry_historicalunit",
)
KEPT_TABLES = ("registry_printlog", "registry_revocation", "registry_amendment")
REGISTER_TABLES = (
    "registry_decision",
    "registry_award",
    "registry_recipientmerge",
    *KEPT_TABLES,
    *HISTORY_TABLES,
)
# SQLite compares columns by name: the columns of each history table at this migration.
HISTORY_COLUMNS = {
    "registry_historicalauthority": (
        "id",
        "valid_from",
        "valid_to",
        "code",
        "name",
        "organ",
        "chain",
        "level",
        "place_name",
        "header",
        "numbering",
        "term_start",
        "number_pattern",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "parent_id",
        "successor_id",
        "unit_id",
    ),
    "registry_historicalaward": (
        "id",
        "line_no",
        "loai_hinh",
        "recipient_name",
        "recipient_position",
        "recipient_unit",
        "achievement",
        "period_from",
        "period_to",
        "register_number",
        "verification_code",
        "cash_amount",
        "recipient_category",
        "eligibility_override",
        "revocation_reason",
        "revoked_on",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "authority_id",
        "award_type_id",
        "campaign_id",
        "collective_id",
        "decision_id",
        "household_id",
        "individual_id",
        "revoked_by_id",
    ),
    "registry_historicalawardpower": (
        "id",
        "valid_from",
        "valid_to",
        "chain",
        "level",
        "legal_basis",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "award_type_id",
    ),
    "registry_historicalawardtype": (
        "id",
        "valid_from",
        "valid_to",
        "code",
        "name",
        "certificate_title",
        "family",
        "level",
        "for_collectives",
        "for_individuals",
        "for_households",
        "legal_basis",
        "display_order",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
    ),
    "registry_historicalbasesalary": (
        "id",
        "amount",
        "valid_from",
        "legal_basis",
        "confirmed",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
    ),
    "registry_historicalcampaign": (
        "id",
        "name",
        "theme",
        "form",
        "scope",
        "goals",
        "criteria",
        "legal_basis",
        "launched_on",
        "start_date",
        "end_date",
        "midterm_review_date",
        "final_review_date",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "authority_id",
    ),
    "registry_historicalcashmultiple": (
        "id",
        "valid_from",
        "valid_to",
        "recipient_kind",
        "chain",
        "level",
        "multiple",
        "legal_basis",
        "confirmed",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "award_type_id",
    ),
    "registry_historicalcollective": (
        "id",
        "note",
        "created_at",
        "name",
        "parent_name",
        "category",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "registered_by_id",
        "unit_id",
    ),
    "registry_historicaldecision": (
        "id",
        "kind",
        "number",
        "numbering_period",
        "signed_date",
        "place",
        "subject",
        "legal_bases",
        "proposal",
        "signer_prefix",
        "signer_title",
        "signer_name",
        "loai_hinh",
        "status",
        "scan",
        "issued_at",
        "created_at",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "authority_id",
        "campaign_id",
        "issued_by_id",
        "proposing_authority_id",
        "proposing_unit_id",
    ),
    "registry_historicaldiscipline": (
        "id",
        "form",
        "start_date",
        "end_date",
        "reason",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "collective_id",
        "individual_id",
    ),
    "registry_historicaleligibilitycondition": (
        "id",
        "order",
        "kind",
        "years",
        "count",
        "grade",
        "other_grade",
        "initiative_level",
        "share",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "award_type_id",
        "award_type_alt_id",
        "other_award_type_id",
        "route_id",
    ),
    "registry_historicaleligibilityroute": (
        "id",
        "order",
        "name",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "rule_id",
    ),
    "registry_historicaleligibilityrule": (
        "id",
        "valid_from",
        "valid_to",
        "code",
        "name",
        "recipient_kind",
        "loai_hinh",
        "chain",
        "authority_level",
        "legal_basis",
        "confirmed",
        "note",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "award_type_id",
    ),
    "registry_historicalhousehold": (
        "id",
        "note",
        "created_at",
        "head_name",
        "address",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "registered_by_id",
        "unit_id",
    ),
    "registry_historicalindividual": (
        "id",
        "note",
        "created_at",
        "full_name",
        "gender",
        "birth_date",
        "birth_year",
        "position",
        "workplace",
        "citizen_id",
        "category",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "registered_by_id",
        "unit_id",
    ),
    "registry_historicalinitiative": (
        "id",
        "title",
        "level",
        "year",
        "recognised_by",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "collective_id",
        "individual_id",
    ),
    "registry_historicalpledge": (
        "id",
        "year",
        "title",
        "ceremony_date",
        "place",
        "scan",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "authority_id",
        "bloc_id",
        "campaign_id",
    ),
    "registry_historicalpledgesignatory": (
        "id",
        "signer_name",
        "signer_title",
        "signed",
        "signed_on",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "pledge_id",
        "unit_id",
    ),
    "registry_historicalrating": (
        "id",
        "year",
        "school_year",
        "grade",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "collective_id",
        "individual_id",
        "rated_by_id",
        "unit_id",
    ),
    "registry_historicalrevocation": (
        "id",
        "reason",
        "note",
        "certificate_recovered_on",
        "cash_recovered",
        "cash_recovered_on",
        "recorded_at",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "award_id",
        "decision_id",
        "recorded_by_id",
    ),
    "registry_historicaltarget": (
        "id",
        "order",
        "text",
        "measure",
        "planned_value",
        "higher_is_better",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "target_set_id",
    ),
    "registry_historicaltargetresult": (
        "id",
        "as_of",
        "achieved_value",
        "grade",
        "note",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "target_id",
        "unit_id",
    ),
    "registry_historicaltargetset": (
        "id",
        "kind",
        "title",
        "year",
        "set_by",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "authority_id",
        "pledge_id",
        "unit_id",
    ),
    "registry_historicalunit": (
        "id",
        "valid_from",
        "valid_to",
        "code",
        "name",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "parent_id",
        "successor_id",
    ),
}


def _postgresql(tables: tuple[str, ...]) -> tuple[list[str], list[str]]:
    forward = [
        f"""
CREATE OR REPLACE FUNCTION registry_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The one change let through: the user named is deleted (history_user SET_NULL).
    IF TG_OP = 'UPDATE' AND NEW.history_user_id IS NULL
        AND (to_jsonb(NEW) - 'history_user_id') = (to_jsonb(OLD) - 'history_user_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{HISTORY_LOCKED}';
END $$;
""",
        f"""
CREATE OR REPLACE FUNCTION registry_kept_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{KEPT_LOCKED}';
END $$;
""",
        f"""
CREATE OR REPLACE FUNCTION registry_revocation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.revoked_by_id, NEW.revoked_on, NEW.revocation_reason)
        IS DISTINCT FROM (OLD.revoked_by_id, OLD.revoked_on, OLD.revocation_reason)
        AND (OLD.revoked_by_id IS NOT NULL OR NEW.revoked_by_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM registry_revocation r
            WHERE r.award_id = NEW.id AND r.decision_id = NEW.revoked_by_id)) THEN
        RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{REVOCATION_LOCKED}';
    END IF;
    RETURN NEW;
END $$;
""",
        # Row triggers do not fire on TRUNCATE. A maintenance session that means it (the test
        # suite emptying its database between tests) says so with SET registry.allow_truncate.
        f"""
CREATE OR REPLACE FUNCTION registry_truncate_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('registry.allow_truncate', true), '') <> 'on' THEN
        RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{TRUNCATE_LOCKED}';
    END IF;
    RETURN NULL;
END $$;
""",
        """CREATE TRIGGER registry_revocation_guard BEFORE UPDATE ON registry_award
           FOR EACH ROW EXECUTE FUNCTION registry_revocation_guard();""",
    ]
    backward = [
        "DROP TRIGGER IF EXISTS registry_revocation_guard ON registry_award;",
    ]
    for table in tables:
        forward.append(
            f"CREATE TRIGGER registry_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION registry_history_append_only();"
        )
        backward.append(f"DROP TRIGGER IF EXISTS registry_append_only ON {table};")
    for table in KEPT_TABLES:
        forward.append(
            f"CREATE TRIGGER registry_kept_rows BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION registry_kept_rows();"
        )
        backward.append(f"DROP TRIGGER IF EXISTS registry_kept_rows ON {table};")
    for table in REGISTER_TABLES:
        forward.append(
            f"CREATE TRIGGER registry_truncate_guard BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION registry_truncate_guard();"
        )
        backward.append(f"DROP TRIGGER IF EXISTS registry_truncate_guard ON {table};")
    backward += [
        "DROP FUNCTION IF EXISTS registry_truncate_guard();",
        "DROP FUNCTION IF EXISTS registry_revocation_guard();",
        "DROP FUNCTION IF EXISTS registry_kept_rows();",
        "DROP FUNCTION IF EXISTS registry_history_append_only();",
    ]
    return forward, backward


def _sqlite(tables: tuple[str, ...]) -> tuple[list[str], list[str]]:
    changed = (
        'NEW."revoked_by_id" IS NOT OLD."revoked_by_id" OR NEW."revoked_on" IS NOT OLD."revoked_on" '
        'OR NEW."revocation_reason" IS NOT OLD."revocation_reason"'
    )
    forward = [
        f"""CREATE TRIGGER registry_revocation_guard BEFORE UPDATE ON registry_award
FOR EACH ROW WHEN ({changed}) AND (OLD."revoked_by_id" IS NOT NULL OR NEW."revoked_by_id" IS NULL
    OR NOT EXISTS (SELECT 1 FROM registry_revocation r
                   WHERE r.award_id = NEW."id" AND r.decision_id = NEW."revoked_by_id"))
BEGIN SELECT RAISE(ABORT, '{REVOCATION_LOCKED}'); END;"""
    ]
    backward = ["DROP TRIGGER IF EXISTS registry_revocation_guard;"]
    for table in tables:
        same = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in HISTORY_COLUMNS[table])
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
    for table in KEPT_TABLES:
        forward.append(
            f"""CREATE TRIGGER {table}_kept_rows BEFORE DELETE ON {table}
FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{KEPT_LOCKED}'); END;"""
        )
        backward.append(f"DROP TRIGGER IF EXISTS {table}_kept_rows;")
    return forward, backward


def _statements(schema_editor, reverse: bool) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        forward, backward = _postgresql(HISTORY_TABLES)
    elif vendor == "sqlite":
        forward, backward = _sqlite(HISTORY_TABLES)
    else:
        raise NotImplementedError(f"Chưa hỗ trợ cơ sở dữ liệu {vendor}.")
    return backward if reverse else forward


def install(apps, schema_editor):
    for statement in _statements(schema_editor, reverse=False):
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    for statement in _statements(schema_editor, reverse=True):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_report_indexes"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
