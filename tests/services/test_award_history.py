"""Every write of an award line, an issue, a revocation and a merge leaves history naming the
user; the database refuses what no service does, whoever asks."""

import itertools
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from registry.models import Award, Individual, Rating
from registry.models.awards import DecisionKind
from registry.models.printing import PrintKind, PrintLog, PrintMode
from registry.models.trust import RevocationReason
from registry.selectors.eligibility import all_rules
from registry.services.awards import awards_add, recipient_fields
from registry.services.decisions import decision_create, decision_issue
from registry.services.imports import import_confirm, import_preview
from registry.services.recipients import recipients_merge, recipients_merge_many
from registry.services.revocations import awards_revoke
from tests import factories
from tests.data.books import xlsx

pytestmark = pytest.mark.django_db

_numbers = itertools.count(700)


@pytest.fixture
def clerk():
    return get_user_model().objects.create_superuser("thu-ky", "thu-ky@example.vn", "mat-khau-1")


def revocation_decision(authority):
    return decision_issue(
        decision=decision_create(
            authority=authority, kind=DecisionKind.REVOCATION,
            number=f"{next(_numbers)}/QĐ-UBND", signed_date=date(2023, 6, 1),
            subject="Về việc hủy bỏ khen thưởng", signer_title="CHỦ TỊCH", signer_name="Người Ký",
        )
    )  # fmt: skip


# --- Bounded work ---------------------------------------------------------------------------------


def _queries_for(n: int) -> list[str]:
    decision = factories.draft_decision(number=f"{next(_numbers)}/QĐ-UBND")
    people = [factories.individual(f"Người Đếm {n} {i}") for i in range(n)]
    lines = [
        Award(
            award_type=factories.award_type(), period_from=2022, period_to=2022,
            **recipient_fields(p),
        )
        for p in people
    ]  # fmt: skip
    all_rules()  # read once per process while they do not change: not what is counted here
    with CaptureQueriesContext(connection) as queries:
        awards_add(decision=decision, awards=lines)
    assert decision.awards.count() == n
    assert all(a.history.filter(history_type="+").exists() for a in decision.awards.all()[:3])
    return [q["sql"] for q in queries.captured_queries]


def test_adding_200_lines_takes_as_many_queries_as_10():
    few, many = _queries_for(10), _queries_for(200)
    if connection.vendor == "postgresql":
        assert len(few) == len(many)
    else:
        # SQLite binds at most 999 values a statement (Django's limit there): only the inserts
        # of lines and their history rows are split into more statements.
        def reads(queries):
            return [q for q in queries if not q.startswith("INSERT")]

        assert len(reads(few)) == len(reads(many))
        assert sum(q.startswith("INSERT") for q in many) <= 2 * (1 + 200 * 32 // 999)


# --- History on every path ----------------------------------------------------------------------


def test_import_issue_revoke_and_merge_leave_history_naming_the_user(clerk):
    decision = factories.draft_decision(number=f"{next(_numbers)}/QĐ-UBND")
    rows = [["STT", "Họ và tên", "Năm sinh", "Đơn vị công tác", "Thành tích"]] + [
        [i, f"Người Nhập {i}", 1980 + i, "UBND xã Hoàng Việt", "Năm 2022"] for i in range(1, 6)
    ]
    batch = import_preview(
        kind="danh-sach", data=xlsx(rows), file_name="ds.xlsx", decision=decision,
        award_type=factories.award_type(), user=clerk,
    )  # fmt: skip
    import_confirm(batch=batch, user=clerk)
    people = list(Individual.objects.filter(full_name__startswith="Người Nhập"))
    awards = list(decision.awards.all())
    assert len(people) == len(awards) == 5
    for obj in people + awards:
        assert obj.history.filter(history_type="+", history_user=clerk).exists(), obj

    decision_issue(decision=decision, user=clerk)
    for award in awards:
        row = award.history.latest()
        assert row.history_user == clerk and row.register_number is not None
    assert decision.history.latest().history_user == clerk

    revoking = revocation_decision(decision.authority)
    awards_revoke(awards=[awards[0]], by=revoking, reason=RevocationReason.FALSE_DECLARATION, user=clerk)  # fmt: skip
    row = awards[0].history.latest()
    assert row.history_user == clerk and row.revoked_by_id == revoking.pk

    kept, removed = people[1], people[2]
    moved = Award.objects.get(individual=removed)
    recipients_merge(kind="ca-nhan", kept=kept, removed=removed, user=clerk)
    row = moved.history.latest()
    assert row.history_user == clerk and row.individual_id == kept.pk
    assert Individual.history.filter(id=removed.pk, history_type="-", history_user=clerk).exists()


def test_merging_several_records_is_all_or_nothing():
    kept = factories.individual("Nguyễn Gộp")
    first, second = factories.individual("Nguyễn Gộp"), factories.individual("Nguyễn Gộp")
    Rating.objects.create(individual=kept, year=2022, grade="HTXSNV")
    Rating.objects.create(individual=second, year=2022, grade="HTTNV")  # clashes: refused
    with pytest.raises(ValidationError, match="năm 2022"):
        recipients_merge_many(kind="ca-nhan", kept=kept, removed=[first, second])
    assert Individual.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


# --- What the database refuses whoever asks ---------------------------------------------------------


def refused(sql: str, params=()):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_history_rows_and_print_logs_cannot_be_deleted_or_rewritten():
    decision = decision_issue(decision=factories.decision_with_lines(f"{next(_numbers)}/QĐ-UBND"))
    award = decision.awards.first()
    row = award.history.latest()
    with pytest.raises(DatabaseError), transaction.atomic():
        row.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Award.history.filter(id=award.pk).update(achievement="Viết lại")
    with pytest.raises(DatabaseError), transaction.atomic():
        Award.history.all().delete()
    log = PrintLog.objects.create(award=award, kind=PrintKind.PRINT, mode=PrintMode.FULL)
    with pytest.raises(DatabaseError), transaction.atomic():
        log.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        PrintLog.objects.all().delete()
    assert PrintLog.objects.filter(pk=log.pk).exists() and award.history.filter(pk=row.pk).exists()


def test_every_history_table_is_append_only():
    tables = {
        t for t in connection.introspection.table_names() if t.startswith("registry_historical")
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'registry_append_only'"
            )
            guarded = {name for (name,) in cursor.fetchall()}
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            names = set(cursor.fetchall())
            guarded = {
                t for t in tables
                if {(t, f"{t}_append_only_update"), (t, f"{t}_append_only_delete")} <= names
            }  # fmt: skip
    assert len(tables) >= 24
    assert tables == guarded, sorted(tables - guarded)


def test_revocation_fields_change_only_with_a_recorded_revocation():
    decision = decision_issue(decision=factories.decision_with_lines(f"{next(_numbers)}/QĐ-UBND"))
    other = revocation_decision(decision.authority)
    with pytest.raises(DatabaseError), transaction.atomic():
        Award.objects.filter(decision=decision).update(
            revoked_by=other, revoked_on=date(2023, 6, 1), revocation_reason="Không ghi nhận"
        )
    assert not Award.objects.filter(decision=decision, revoked_by__isnull=False).exists()
    [award, *_] = decision.awards.all()
    awards_revoke(awards=[award], by=other, reason=RevocationReason.FALSE_DECLARATION)
    with pytest.raises(DatabaseError), transaction.atomic():
        Award.objects.filter(pk=award.pk).update(revoked_by=None, revoked_on=None)


def test_truncating_the_register_is_refused_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    factories.decision_with_lines(f"{next(_numbers)}/QĐ-UBND")
    for table in ("registry_award", "registry_decision", "registry_historicalaward"):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL registry.allow_truncate = 'off'")
            refused(f"TRUNCATE {table} CASCADE")
    assert Award.objects.exists()


def test_a_reason_column_is_kept_only_on_lines_the_rule_warns_about():
    decision = factories.draft_decision(number=f"{next(_numbers)}/QĐ-UBND")
    rows = [
        ["STT", "Họ và tên", "Năm sinh", "Đơn vị công tác", "Thành tích", "Lý do vẫn đề nghị"],
        [1, "Người Đủ Chuẩn", 1980, "UBND xã Hoàng Việt", "Năm 2022", "Không cần lý do"],
    ]
    batch = import_preview(
        kind="danh-sach", data=xlsx(rows), file_name="ds.xlsx", decision=decision,
        award_type=factories.award_type(),
    )  # fmt: skip
    import_confirm(batch=batch)
    assert decision.awards.get().eligibility_override == ""
