"""Recording and issuing a decision: register numbers, codes, cash and the lock."""

from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from registry.models import Award, CashRounding, Decision
from registry.services.awards import award_add, awards_add
from registry.services.decisions import decision_issue
from tests import factories

pytestmark = pytest.mark.django_db


def test_issue_numbers_every_line_gapless_in_issue_order_and_locks():
    first = factories.decision_with_lines("15/QĐ-UBND", collectives=2, individuals=3)
    second = factories.decision_with_lines("16/QĐ-UBND", collectives=1, individuals=1)
    decision_issue(decision=second)
    decision_issue(decision=first)
    numbers = list(
        Award.objects.filter(authority=first.authority)
        .order_by("register_number")
        .values_list("decision__number", "register_number")
    )
    assert [n for _, n in numbers] == list(range(1, 8))
    # Issued first, numbered first.
    assert [d for d, _ in numbers] == ["16/QĐ-UBND"] * 2 + ["15/QĐ-UBND"] * 5
    codes = list(Award.objects.values_list("verification_code", flat=True))
    assert len(set(codes)) == 7 and all(len(c) == 16 for c in codes)
    assert Decision.objects.get(pk=first.pk).status == "issued"


def test_register_numbers_are_per_authority():
    a = factories.decision_with_lines("1/QĐ-UBND", collectives=1, individuals=0)
    other = factories.authority(
        "honglinh-ubnd", name="Chủ tịch UBND thị xã Hồng Lĩnh", place_name="Hồng Lĩnh"
    )
    b = factories.decision_with_lines("1/QĐ-UBND", collectives=1, individuals=0, authority=other)
    decision_issue(decision=a)
    decision_issue(decision=b)
    assert sorted(Award.objects.values_list("register_number", flat=True)) == [1, 1]


def test_cash_follows_the_base_salary_on_the_decision_date():
    # The shipped rounding rows (Nghị định 91/2017, 98/2023): up to 10.000 đ.
    january = factories.decision_with_lines("1/QĐ-UBND", collectives=1, individuals=1)
    decision_issue(decision=january)
    cash = {
        ("cá nhân" if individual else "tập thể"): amount
        for individual, amount in Award.objects.filter(decision=january).values_list(
            "individual_id", "cash_amount"
        )
    }
    # 1.490.000 × 0,3 = 447.000 → 450.000; × 0,6 = 894.000 → 900.000 (rounded up to 10.000 đ)
    assert cash == {"cá nhân": 450_000, "tập thể": 900_000}

    CashRounding.objects.all().delete()  # no row in force: the exact product
    august = factories.decision_with_lines(
        "2/QĐ-UBND", collectives=0, individuals=1, signed_date=date(2023, 8, 1)
    )
    decision_issue(decision=august)
    assert Award.objects.get(decision=august).cash_amount == 540_000


def test_cash_unknown_stays_empty_not_zero():
    decision = factories.decision_with_lines(
        "1/QĐ-UBND", collectives=0, individuals=1, signed_date=date(2017, 5, 1), period=2016
    )
    decision_issue(decision=decision)
    assert Award.objects.get(decision=decision).cash_amount is None


def test_award_type_the_authority_may_not_give_is_refused():
    cat = factories.catalogue()
    decision = factories.draft_decision()
    with pytest.raises(ValidationError) as error:
        award_add(
            decision=decision,
            award_type=cat["bang_khen"],
            recipient=factories.individual(),
            period_from=2022,
            period_to=2022,
        )
    assert "không có thẩm quyền tặng Bằng khen" in str(error.value)
    assert not Award.objects.exists()


def test_same_award_for_same_period_twice_is_refused():
    decision = factories.decision_with_lines("1/QĐ-UBND", collectives=0, individuals=1)
    decision_issue(decision=decision)
    person = Award.objects.get().individual
    later = factories.draft_decision(number="2/QĐ-UBND")
    with pytest.raises(ValidationError, match="Một thành tích không khen hai lần"):
        award_add(
            decision=later,
            award_type=factories.award_type(),
            recipient=person,
            period_from=2022,
            period_to=2022,
        )


def test_issue_refuses_an_empty_decision_and_a_second_issue():
    empty = factories.draft_decision()
    with pytest.raises(ValidationError, match="chưa có dòng khen thưởng"):
        decision_issue(decision=empty)
    decision = factories.decision_with_lines("2/QĐ-UBND")
    decision_issue(decision=decision)
    with pytest.raises(ValidationError, match="đã ban hành"):
        decision_issue(decision=decision)


def test_service_refuses_changes_to_an_issued_decision_in_vietnamese():
    decision = factories.decision_with_lines("1/QĐ-UBND")
    decision_issue(decision=decision)
    award = Award.objects.filter(decision=decision).first()
    award.achievement = "Sửa sau khi ký"
    with pytest.raises(ValidationError, match="đã ban hành nên không sửa được"):
        awards_add(decision=decision, awards=[award])
    with pytest.raises(ValidationError, match="đã ban hành nên không sửa được"):
        award_add(
            decision=decision, award_type=factories.award_type(),
            recipient=factories.individual("Người Mới"), period_from=2022, period_to=2022,
        )  # fmt: skip


def database_refuses(callable_):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        callable_()
    assert "đã ban hành" in str(error.value)


def test_database_refuses_every_change_to_an_issued_decision_and_its_awards():
    decision = factories.decision_with_lines("1/QĐ-UBND", collectives=1, individuals=1)
    decision_issue(decision=decision)
    awards = Award.objects.filter(decision=decision)
    decisions = Decision.objects.filter(pk=decision.pk)

    database_refuses(lambda: decisions.update(subject="Sửa trích yếu"))
    database_refuses(lambda: decisions.update(status="draft"))
    database_refuses(lambda: decisions.delete())
    database_refuses(lambda: awards.update(achievement="Sửa thành tích"))
    database_refuses(lambda: awards.update(register_number=99))
    database_refuses(lambda: awards.delete())
    database_refuses(
        lambda: Award.objects.create(
            decision=decision,
            authority=decision.authority,
            award_type=factories.award_type(),
            individual=factories.individual("Người Chen Vào"),
            period_from=2022,
            period_to=2022,
        )  # fmt: skip
    )
    # Moving a draft line into the issued decision is adding to it.
    draft = factories.decision_with_lines("2/QĐ-UBND", collectives=0, individuals=1)
    database_refuses(lambda: Award.objects.filter(decision=draft).update(decision=decision))
    with connection.cursor() as cursor, pytest.raises(DatabaseError), transaction.atomic():
        cursor.execute(
            "UPDATE registry_award SET achievement = 'raw' WHERE decision_id = %s", [decision.pk]
        )
    assert Award.objects.filter(decision=decision, achievement="").count() == 2
    assert Decision.objects.get(pk=decision.pk).subject.startswith("Về việc")


def test_database_allows_the_scan_and_drafts_to_change():
    decision = factories.decision_with_lines("1/QĐ-UBND")
    Award.objects.filter(decision=decision).update(achievement="Sửa khi còn dự thảo")
    decision_issue(decision=decision)
    Decision.objects.filter(pk=decision.pk).update(scan="decisions/2023/qd-15.pdf")
    assert Decision.objects.get(pk=decision.pk).scan.name == "decisions/2023/qd-15.pdf"
    draft = factories.decision_with_lines("2/QĐ-UBND")
    draft.delete()
    assert not Decision.objects.filter(number="2/QĐ-UBND").exists()


# Columns the lock triggers let change after issue: the scan comes after signing; revocation is
# recorded by a later decision; the recipient moves only along a recorded merge.
DECISION_MUTABLE = ("scan",)
AWARD_MUTABLE = ("revoked_by_id", "revocation_reason", "revoked_on")


def test_sqlite_triggers_cover_every_column():
    """A column added later must be added to the SQLite triggers too."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL compares whole rows")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = dict(cursor.fetchall())
    guarded = [
        (Decision, "registry_decision_lock_update", DECISION_MUTABLE),
        (Award, "registry_award_lock_update", AWARD_MUTABLE),
    ]
    for model in apps.get_app_config("registry").get_models():
        if model.__name__.startswith("Historical"):
            table = model._meta.db_table
            guarded.append((model, f"{table}_append_only_update", ("history_user_id",)))
    for table, trigger, mutable in guarded:
        for field in table._meta.concrete_fields:
            if field.column not in mutable:
                assert f'NEW."{field.column}"' in triggers[trigger], (trigger, field.column)


def test_next_number_follows_the_authority_pattern_and_numbering_period():
    from registry.services.decisions import decision_next_number

    authority = factories.catalogue()["authority"]
    assert decision_next_number(authority=authority, day=date(2023, 3, 1)) == "1/QĐ-UBND"
    factories.draft_decision(number="15/QĐ-UBND", signed_date=date(2023, 1, 10))
    factories.draft_decision(number="9/QĐ-UBND", signed_date=date(2023, 1, 5))
    assert decision_next_number(authority=authority, day=date(2023, 3, 1)) == "16/QĐ-UBND"
    # A state body starts again at 1 each year.
    assert decision_next_number(authority=authority, day=date(2024, 1, 2)) == "1/QĐ-UBND"
    party = factories.authority(
        "vanlang-hu", name="Ban Thường vụ Huyện ủy Văn Lãng", chain="dang", numbering="nhiem-ky",
        term_start=date(2020, 8, 1), number_pattern="{n}-QĐ/HU",
    )  # fmt: skip
    factories.draft_decision(number="312-QĐ/HU", signed_date=date(2022, 12, 30), authority=party)
    assert decision_next_number(authority=party, day=date(2023, 1, 12)) == "313-QĐ/HU"
