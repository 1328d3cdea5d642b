"""Steps run against a throwaway database in a process of their own (settings_fixture).

    python -m tests.migrations.history migrate seed report:fixture "migrate registry zero" ...

Each argument is one step: ``migrate [app [target]]``, ``seed`` (a decision issued with two
award lines and a draft with one, written with the models of the migration state the database
is at, never today's models), ``report:LABEL`` (the seeded data, what the locks refuse or allow,
and the schema) or ``schema:LABEL`` (the schema alone). The reports go to stdout as one JSON
object on the last line.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date

import django

ISSUED = "15/QĐ-UBND"
DRAFT = "16/QĐ-UBND"
AUTHORITY = "lich-su-ubnd"
OTHER_COLLECTIVE = "UBND xã Tân Mỹ"


def _state_apps():
    """The models as the applied migrations define them; the database must be at the leaf."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    pending = executor.migration_plan(leaves)
    assert not pending, f"chưa chạy hết migration: {pending}"
    return executor.loader.project_state(leaves).apps


def seed() -> None:
    from django.db import transaction
    from django.utils import timezone

    apps = _state_apps()
    Authority = apps.get_model("registry", "Authority")
    AwardType = apps.get_model("registry", "AwardType")
    Collective = apps.get_model("registry", "Collective")
    Individual = apps.get_model("registry", "Individual")
    Decision = apps.get_model("registry", "Decision")
    Award = apps.get_model("registry", "Award")
    with transaction.atomic():
        authority = Authority.objects.create(
            code=AUTHORITY,
            name="Chủ tịch UBND huyện Văn Lãng",
            chain="nha-nuoc",
            level="huyen",
            place_name="Văn Lãng",
            header="CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN VĂN LÃNG",
        )
        giay_khen = AwardType.objects.create(
            code="lich-su-giay-khen",
            name="Giấy khen",
            certificate_title="GIẤY KHEN",
            family="hinh-thuc",
            level="co-so",
            for_collectives=True,
            for_individuals=True,
        )
        commune = Collective.objects.create(name="UBND xã Hoàng Việt", registered_by=authority)
        # Not on any line: an issued award's recipient must not move to it.
        Collective.objects.create(name=OTHER_COLLECTIVE, registered_by=authority)
        person = Individual.objects.create(
            full_name="Nguyễn Văn Hưởng", gender="nam", registered_by=authority
        )
        decisions = {}
        for number, day in ((ISSUED, date(2023, 1, 10)), (DRAFT, date(2023, 1, 12))):
            decisions[number] = Decision.objects.create(
                authority=authority,
                number=number,
                numbering_period=2023,
                signed_date=day,
                subject="Về việc tặng Giấy khen cho các tập thể, cá nhân",
                signer_title="CHỦ TỊCH",
                signer_name="Hoàng Văn Thử",
            )
        lines = [
            (decisions[ISSUED], {"collective": commune}, "Hoàn thành xuất sắc nhiệm vụ năm 2022"),
            (decisions[ISSUED], {"individual": person}, "Có thành tích xuất sắc năm 2022"),
            (decisions[DRAFT], {"collective": commune}, "Dẫn đầu phong trào thi đua năm 2022"),
        ]
        for line_no, (decision, recipient, achievement) in enumerate(lines, start=1):
            name = recipient.get("collective", recipient.get("individual"))
            Award.objects.create(
                decision=decision,
                authority=authority,
                line_no=line_no,
                award_type=giay_khen,
                recipient_name=getattr(name, "name", None) or name.full_name,
                achievement=achievement,
                period_from=2022,
                period_to=2022,
                **recipient,
            )
        # Issue as the service does: number the lines while still a draft, then flip the status.
        issued = decisions[ISSUED]
        for register_number, award in enumerate(issued.awards.order_by("line_no"), start=1):
            Award.objects.filter(pk=award.pk).update(
                register_number=register_number,
                verification_code=f"LICHSU{register_number:010d}",
                cash_amount=540_000,
            )
        Decision.objects.filter(pk=issued.pk).update(status="issued", issued_at=timezone.now())


def _rows(sql: str, params=()) -> list[list]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [list(row) for row in cursor.fetchall()]


def _attempt(sql: str, params=()) -> dict:
    """Run one write and roll it back; say whether the database refused it, and why."""
    from django.db import DatabaseError, connection, transaction

    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.rowcount
            transaction.set_rollback(True)
    except DatabaseError as exc:
        return {"refused": True, "message": str(exc)}
    return {"refused": False, "rows": rows}


def _data() -> dict | None:
    decisions = _rows(
        "SELECT d.id, d.number, d.status, d.issued_at, d.signed_date, a.code, a.name "
        "FROM registry_decision d JOIN registry_authority a ON a.id = d.authority_id "
        "WHERE a.code = %s ORDER BY d.number",
        [AUTHORITY],
    )
    if not decisions:
        return None
    awards = _rows(
        "SELECT d.number, w.line_no, w.recipient_name, w.achievement, w.register_number, "
        "w.verification_code, w.cash_amount, w.period_from, w.period_to, t.code, "
        "c.name, i.full_name "
        "FROM registry_award w JOIN registry_decision d ON d.id = w.decision_id "
        "JOIN registry_awardtype t ON t.id = w.award_type_id "
        "LEFT JOIN registry_collective c ON c.id = w.collective_id "
        "LEFT JOIN registry_individual i ON i.id = w.individual_id "
        "WHERE d.id IN (%s, %s) ORDER BY w.line_no",
        [decisions[0][0], decisions[1][0]],
    )
    return {"decisions": [row[1:] for row in decisions], "awards": awards}


def _locks() -> dict:
    (issued_id, issued_award, draft_award) = _rows(
        "SELECT d.id, MIN(w.id), (SELECT MIN(w2.id) FROM registry_award w2 "
        " JOIN registry_decision d2 ON d2.id = w2.decision_id WHERE d2.number = %s) "
        "FROM registry_decision d JOIN registry_award w ON w.decision_id = d.id "
        "WHERE d.number = %s GROUP BY d.id",
        [DRAFT, ISSUED],
    )[0]
    ((other_collective,),) = _rows(
        "SELECT id FROM registry_collective WHERE name = %s", [OTHER_COLLECTIVE]
    )
    return {
        "issued_award_achievement": _attempt(
            "UPDATE registry_award SET achievement = %s WHERE id = %s",
            ["Thành tích viết lại sau khi ký", issued_award],
        ),
        "issued_award_delete": _attempt("DELETE FROM registry_award WHERE id = %s", [issued_award]),
        "issued_award_recipient": _attempt(
            "UPDATE registry_award SET collective_id = %s WHERE id = %s",
            [other_collective, issued_award],
        ),
        "issued_decision_delete": _attempt(
            "DELETE FROM registry_decision WHERE id = %s", [issued_id]
        ),
        "issued_decision_subject": _attempt(
            "UPDATE registry_decision SET subject = %s WHERE id = %s",
            ["Trích yếu viết lại sau khi ký", issued_id],
        ),
        "issued_decision_scan": _attempt(
            "UPDATE registry_decision SET scan = %s WHERE id = %s",
            ["decisions/2023/qd-15.pdf", issued_id],
        ),
        "draft_award_achievement": _attempt(
            "UPDATE registry_award SET achievement = %s WHERE id = %s",
            ["Sửa khi còn dự thảo", draft_award],
        ),
    }


def _schema() -> dict:
    """Every object of the registry's tables, as the database itself prints it."""
    from django.db import connection

    if connection.vendor == "sqlite":
        rows = _rows(
            "SELECT type || ' ' || name, sql FROM sqlite_master "
            "WHERE tbl_name LIKE 'registry\\_%%' ESCAPE '\\'"
        )
        return {"objects": dict(rows)}
    like = "registry\\_%%"
    return {
        "columns": dict(
            (f"{t}.{c}", rest)
            for t, c, *rest in _rows(
                "SELECT table_name, column_name, ordinal_position, data_type, is_nullable, "
                "column_default, character_maximum_length, numeric_precision "
                "FROM information_schema.columns "
                f"WHERE table_schema = current_schema() AND table_name LIKE '{like}'"
            )
        ),
        "constraints": dict(
            _rows(
                "SELECT r.relname || '.' || c.conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
                f"WHERE r.relname LIKE '{like}' AND r.relnamespace = current_schema()::regnamespace"
            )
        ),
        "indexes": dict(
            _rows(
                "SELECT indexname, indexdef FROM pg_indexes "
                f"WHERE schemaname = current_schema() AND tablename LIKE '{like}'"
            )
        ),
        "triggers": dict(
            _rows(
                "SELECT r.relname || '.' || t.tgname, pg_get_triggerdef(t.oid) "
                "FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid "
                f"WHERE NOT t.tgisinternal AND r.relname LIKE '{like}'"
            )
        ),
        # Trigger functions outlive their tables unless a migration drops them. An extension's
        # own functions (pg_trgm's, for the search indexes) are PostgreSQL's, not the registry's.
        "functions": dict(
            _rows(
                "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
                "WHERE p.pronamespace = current_schema()::regnamespace AND NOT EXISTS ("
                "SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
                "AND d.objid = p.oid AND d.deptype = 'e')"
            )
        ),
    }


def report() -> dict:
    data = _data()
    return {
        "data": data,
        "locks": _locks() if data else None,
        "schema": _schema(),
    }


def main(steps: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.migrations.settings_fixture")
    django.setup()
    from django.core.management import call_command

    reports = {}
    for step in steps:
        name, _, label = step.partition(":")
        if name.startswith("migrate"):
            call_command(*step.split(), interactive=False, verbosity=0)
        elif name == "seed":
            seed()
        elif name == "report":
            reports[label] = report()
        elif name == "schema":
            reports[label] = {"schema": _schema()}
        else:
            raise SystemExit(f"bước không rõ: {step}")
    print(json.dumps(reports, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
