"""Revocation and amendment by a later decision: the award stays, marked, and leaves the totals."""

from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from registry.models import Award
from registry.models.trust import Amendment, Revocation
from registry.selectors.reports import LIST_FIELDS, annual_summary
from registry.services import revocations
from registry.services.decisions import decision_issue
from registry.services.report_exports import awards_list_xlsx
from registry.services.revocations import (
    award_amend,
    awards_revoke,
    decision_revoke,
    revocation_record_recovery,
)
from tests import factories

pytestmark = pytest.mark.django_db


def issued(number="15/QĐ-UBND", **fields):
    decision = factories.decision_with_lines(number, collectives=1, individuals=2, **fields)
    return decision_issue(decision=decision)


def later(kind, number, signed_date=date(2023, 6, 1), authority=None):
    decision = factories.draft_decision(
        number=number, signed_date=signed_date, kind=kind,
        subject="Về việc hủy bỏ quyết định khen thưởng", **({"authority": authority} if authority else {}),
    )  # fmt: skip
    return decision_issue(decision=decision)


def test_revoking_marks_the_award_keeps_it_and_takes_it_out_of_the_totals(client):
    decision = issued()
    before = annual_summary(year=2022, authority=decision.authority)
    by = later("huy-bo", "90/QĐ-UBND")
    victim = Award.objects.filter(decision=decision, individual__isnull=False).first()

    awards_revoke(awards=[victim], by=by, reason="khai-man", note="Kê khai sai năm công tác")

    victim.refresh_from_db()
    assert (victim.revoked_by, victim.revoked_on) == (by, date(2023, 6, 1))
    assert victim.revocation_reason.startswith("Kê khai không trung thực")
    assert Award.objects.filter(decision=decision).count() == 3  # nothing deleted
    after = annual_summary(year=2022, authority=decision.authority)
    assert after.totals.individuals == before.totals.individuals - 1
    assert after.totals.revoked == before.totals.revoked + 1
    page = client.get(reverse("registry_verification", args=[victim.verification_code]))
    assert "đã bị hủy" in page.content.decode() and "90/QĐ-UBND" in page.content.decode()


def test_revocation_rules_are_enforced_and_change_nothing_when_refused():
    decision = issued()
    award = Award.objects.filter(decision=decision).first()
    draft = factories.draft_decision(
        number="91/QĐ-UBND", kind="huy-bo", signed_date=date(2023, 6, 1)
    )
    with pytest.raises(ValidationError, match="chưa ban hành"):
        awards_revoke(awards=[award], by=draft, reason="gia-mao")
    not_a_revocation = issued("92/QĐ-UBND")
    with pytest.raises(ValidationError, match="không phải là quyết định hủy bỏ"):
        awards_revoke(awards=[award], by=not_a_revocation, reason="gia-mao")
    elsewhere = factories.authority(
        "honglinh-ubnd", name="Chủ tịch UBND thị xã Hồng Lĩnh", place_name="Hồng Lĩnh"
    )
    foreign = later("huy-bo", "1/QĐ-UBND", authority=elsewhere)
    with pytest.raises(ValidationError, match="không phải cấp đã khen"):
        awards_revoke(awards=[award], by=foreign, reason="gia-mao")
    with pytest.raises(ValidationError, match="Căn cứ hủy bỏ không hợp lệ"):
        awards_revoke(awards=[award], by=later("huy-bo", "93/QĐ-UBND"), reason="vi-ly-do-khac")
    assert not Award.objects.filter(revoked_by__isnull=False).exists()
    assert not Revocation.objects.exists()


def test_whole_decision_revoked_once_then_recovery_recorded():
    decision = issued()
    by = later("huy-bo", "90/QĐ-UBND")
    done = decision_revoke(decision=decision, by=by, reason="khong-du-tieu-chuan")
    assert len(done) == 3
    with pytest.raises(ValidationError, match="đã bị hủy bỏ"):
        decision_revoke(decision=decision, by=by, reason="khong-du-tieu-chuan")
    revocation = Revocation.objects.filter(award__individual__isnull=False).first()
    revocation_record_recovery(
        revocation=revocation, certificate_recovered_on=date(2023, 6, 10),
        cash_recovered=450_000, cash_recovered_on=date(2023, 6, 15),
    )  # fmt: skip
    revocation.refresh_from_db()
    assert (revocation.cash_recovered, revocation.certificate_recovered_on) == (
        450_000,
        date(2023, 6, 10),
    )
    assert revocation.history.count() == 2  # created, then the recovery


def test_database_still_refuses_any_other_change_to_a_revoked_award():
    decision = issued()
    decision_revoke(decision=decision, by=later("huy-bo", "90/QĐ-UBND"), reason="gia-mao")
    with pytest.raises(IntegrityError, match="đã ban hành"), transaction.atomic():
        Award.objects.filter(decision=decision).update(achievement="Sửa lén")


def test_amendment_is_recorded_by_a_later_decision_and_the_line_is_untouched():
    decision = issued()
    award = Award.objects.filter(decision=decision, individual__isnull=False).first()
    by = later("dinh-chinh", "95/QĐ-UBND")
    first = award_amend(
        award=award,
        by=by,
        field="recipient_name",
        new_value="Người Thử Đúng Tên",
        reason="Sai chính tả",
    )
    second = award_amend(
        award=award,
        by=by,
        field="recipient_name",
        new_value="Người Thử Đúng Tên Hơn",
        reason="Sai lần nữa",
    )
    assert (first.old_value, second.old_value) == (award.recipient_name, "Người Thử Đúng Tên")
    award.refresh_from_db()
    assert award.recipient_name.startswith("Người Thử")  # the signed line is never rewritten
    assert Amendment.objects.count() == 2
    with pytest.raises(ValidationError, match="không phải là quyết định đính chính"):
        award_amend(
            award=award,
            by=later("huy-bo", "96/QĐ-UBND"),
            field="achievement",
            new_value="x",
            reason="y",
        )


def test_a_revocation_decision_issues_without_lines_but_an_award_decision_needs_them():
    later("huy-bo", "90/QĐ-UBND")
    with pytest.raises(ValidationError, match="chưa có dòng khen thưởng"):
        decision_issue(decision=factories.draft_decision(number="97/QĐ-UBND"))


def test_revoke_command_does_what_the_admin_does(capsys):
    decision = issued()
    by = later("huy-bo", "90/QĐ-UBND")
    one = Award.objects.filter(decision=decision).order_by("line_no").first()
    call_command(
        "revoke", "--decision", decision.pk, "--award", one.pk, "--by", by.pk, "--reason", "gia-mao"
    )
    assert "Đã hủy bỏ 1 khen thưởng" in capsys.readouterr().out
    assert list(Award.objects.filter(revoked_by=by)) == [one]
    with pytest.raises(CommandError, match="đã bị hủy"):
        call_command(
            "revoke",
            "--decision",
            decision.pk,
            "--award",
            one.pk,
            "--by",
            by.pk,
            "--reason",
            "gia-mao",
        )
    call_command("revoke", "--decision", decision.pk, "--by", by.pk, "--reason", "gia-mao")
    assert Award.objects.filter(revoked_by=by).count() == 3


def test_admin_revokes_selected_awards_only_for_leaders(admin_client, client, django_user_model):
    decision = issued()
    by = later("huy-bo", "90/QĐ-UBND")
    url = reverse("admin:registry_revocation_revoke") + f"?decision={decision.pk}"
    clerk = django_user_model.objects.create_user("canbo", password="x", is_staff=True)
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    page = admin_client.get(url)
    assert page.status_code == 200 and "Hủy bỏ các khen thưởng trên" in page.content.decode()
    response = admin_client.post(
        url.split("?")[0], {"decision": decision.pk, "by": by.pk, "reason": "gia-mao", "note": ""}
    )
    assert response.status_code == 302
    assert Award.objects.filter(decision=decision, revoked_by=by).count() == 3


# ------------------------------------------------------------------ history, recovery, amendment


def signed_text(award) -> tuple:
    return (award.recipient_name, award.recipient_position, award.recipient_unit, award.achievement)


def test_revoking_writes_the_revocations_first_then_award_history_naming_the_user(
    django_user_model, monkeypatch
):
    decision = issued()
    by = later("huy-bo", "90/QĐ-UBND")
    leader = django_user_model.objects.create_user("lanhdao", password="x")
    awards = list(Award.objects.filter(decision=decision))
    before = {a.pk: a.history.count() for a in awards}
    rows_when_updating = []
    original = revocations.bulk_update_with_history

    def update_checked(objs, model, fields, **kwargs):
        # What the database trigger demands: each award's revocation row is there already.
        rows_when_updating.append(Revocation.objects.filter(award__in=objs, decision=by).count())
        return original(objs, model, fields, **kwargs)

    monkeypatch.setattr(revocations, "bulk_update_with_history", update_checked)
    awards_revoke(awards=awards, by=by, reason="gia-mao", user=leader)

    assert rows_when_updating == [3]
    for award in awards:
        assert award.history.count() == before[award.pk] + 1
        latest = award.history.first()
        assert (latest.history_type, latest.history_user) == ("~", leader)
        assert (latest.revoked_by_id, latest.revoked_on) == (by.pk, date(2023, 6, 1))
        assert latest.revocation_reason.startswith("Làm giả hồ sơ")
    assert {r.history.first().history_user for r in Revocation.objects.all()} == {leader}


def test_recovery_rules_refuse_bad_combinations_and_change_nothing(django_user_model):
    decision = issued()
    by = later("huy-bo", "90/QĐ-UBND")  # signed 01/06/2023
    decision_revoke(decision=decision, by=by, reason="khai-man")
    revocation = Revocation.objects.select_related("award").get(
        award__individual__isnull=False, award__line_no=2
    )
    cash = revocation.award.cash_amount
    assert cash  # known from the dated tables
    refused = [
        ({"cash_recovered": 1000}, "Ghi ngày thu hồi tiền thưởng"),
        ({"cash_recovered_on": date(2023, 6, 15)}, "Ghi số tiền thưởng đã thu hồi"),
        ({"certificate_recovered_on": date(2023, 5, 31)}, "trước ngày ký quyết định hủy bỏ 90/QĐ"),
        ({"cash_recovered": 1000, "cash_recovered_on": date(2023, 1, 1)}, "Ngày thu hồi tiền"),
        ({"cash_recovered": cash + 1, "cash_recovered_on": date(2023, 6, 15)}, "lớn hơn tiền"),
    ]
    for values, message in refused:
        with pytest.raises(ValidationError, match=message):
            revocation_record_recovery(revocation=revocation, **values)
    revocation.refresh_from_db()
    assert (
        revocation.certificate_recovered_on,
        revocation.cash_recovered,
        revocation.cash_recovered_on,
    ) == (None, None, None)
    assert revocation.history.count() == 1

    leader = django_user_model.objects.create_user("lanhdao", password="x")
    revocation_record_recovery(
        revocation=revocation, cash_recovered=cash, cash_recovered_on=date(2023, 6, 15), user=leader
    )
    # Later the certificate alone: what was recorded stays.
    revocation_record_recovery(
        revocation=revocation, certificate_recovered_on=date(2023, 6, 20), user=leader
    )
    revocation.refresh_from_db()
    assert (
        revocation.certificate_recovered_on,
        revocation.cash_recovered,
        revocation.cash_recovered_on,
    ) == (date(2023, 6, 20), cash, date(2023, 6, 15))
    assert [h.history_user for h in revocation.history.all()] == [leader, leader, None]


def test_amendment_names_its_user_and_refuses_what_is_not_a_correction(django_user_model):
    decision = issued()
    award = Award.objects.filter(decision=decision, individual__isnull=False).first()
    by = later("dinh-chinh", "95/QĐ-UBND")
    leader = django_user_model.objects.create_user("lanhdao", password="x")
    amendment = award_amend(
        award=award, by=by, field="achievement", new_value="Thành tích đúng", reason="Ghi thiếu",
        user=leader,
    )  # fmt: skip
    assert amendment.recorded_by == leader
    with pytest.raises(ValidationError, match="giống nội dung hiện tại"):
        award_amend(
            award=award, by=by, field="achievement", new_value="Thành tích đúng", reason="x"
        )
    with pytest.raises(ValidationError, match="Ghi nội dung mới"):
        award_amend(award=award, by=by, field="recipient_unit", new_value="  ", reason="x")
    with pytest.raises(ValidationError, match="dài quá 255"):
        award_amend(award=award, by=by, field="recipient_name", new_value="x" * 256, reason="x")
    decision_revoke(decision=decision, by=later("huy-bo", "90/QĐ-UBND"), reason="gia-mao")
    with pytest.raises(ValidationError, match="đã bị hủy bỏ"):
        award_amend(award=award, by=by, field="recipient_name", new_value="Tên khác", reason="x")
    assert Amendment.objects.count() == 1


def test_amend_command_the_verification_page_and_reports_show_the_amended_text(client, capsys):
    decision = issued()
    award = Award.objects.filter(decision=decision, individual__isnull=False).first()
    signed = signed_text(award)
    by = later("dinh-chinh", "95/QĐ-UBND")
    new = {
        "recipient_name": "Nguyễn Thị Đúng Tên",
        "recipient_position": "Trưởng phòng",
        "recipient_unit": "Phòng Nội vụ huyện Văn Lãng",
    }
    for field, value in new.items():
        call_command(
            "amend", "--award", award.pk, "--by", by.pk, "--field", field, "--value", value,
            "--reason", "Ghi sai khi lập danh sách",
        )  # fmt: skip
    assert capsys.readouterr().out.count("Đã ghi đính chính") == 3
    assert Amendment.objects.filter(award=award, decision=by).count() == 3

    award.refresh_from_db()
    assert signed_text(award) == signed  # the signed line is never rewritten
    page = client.get(reverse("registry_verification", args=[award.verification_code]))
    assert new["recipient_name"] in page.content.decode()
    assert signed[0] not in page.content.decode()

    summary = annual_summary(year=2022, authority=decision.authority)
    rows = [dict(zip(LIST_FIELDS, row, strict=True)) for row in summary.awards()]
    row = next(r for r in rows if r["register_number"] == award.register_number)
    assert {f: row[f] for f in new} == new
    units = {line.label: line.current.individuals for line in summary.by_unit}
    assert units.get(new["recipient_unit"]) == 1
    out = BytesIO()
    awards_list_xlsx(summary, out)
    cells = {c for r in load_workbook(out).active.iter_rows(values_only=True) for c in r}
    assert new["recipient_name"] in cells and signed[0] not in cells


def test_amend_command_refuses_in_vietnamese(django_user_model):
    decision = issued()
    award = Award.objects.filter(decision=decision).first()
    revoking = later("huy-bo", "90/QĐ-UBND")
    with pytest.raises(CommandError, match="không phải là quyết định đính chính"):
        call_command(
            "amend", "--award", award.pk, "--by", revoking.pk, "--field", "achievement",
            "--value", "Mới", "--reason", "Lý do",
        )  # fmt: skip
    django_user_model.objects.create_user("canbo", password="x")
    with pytest.raises(CommandError, match="không có quyền"):
        call_command(
            "amend", "--award", award.pk, "--by", later("dinh-chinh", "95/QĐ-UBND").pk,
            "--field", "achievement", "--value", "Mới", "--reason", "Lý do", "--user", "canbo",
        )  # fmt: skip
    with pytest.raises(CommandError, match="Không có khen thưởng mã 999999"):
        call_command(
            "amend", "--award", 999999, "--by", revoking.pk, "--field", "achievement",
            "--value", "Mới", "--reason", "Lý do",
        )  # fmt: skip
    assert not Amendment.objects.exists()


def test_revoke_command_records_recovery_with_or_without_a_new_revocation(django_user_model):
    decision = issued()
    by = later("huy-bo", "90/QĐ-UBND")
    leader = django_user_model.objects.create_superuser("lanhdao", password="x")
    first, second, _ = Award.objects.filter(decision=decision).order_by("line_no")
    assert first.cash_amount
    call_command(
        "revoke", "--decision", decision.pk, "--award", first.pk, "--by", by.pk,
        "--reason", "gia-mao", "--recovered-certificate", "10/06/2023", "--user", "lanhdao",
    )  # fmt: skip
    revocation = Revocation.objects.get(award=first)
    assert (revocation.certificate_recovered_on, revocation.cash_recovered) == (
        date(2023, 6, 10),
        None,
    )
    assert revocation.history.first().history_user == leader

    # A refused recovery undoes the revocation asked for in the same call.
    with pytest.raises(CommandError, match="trước ngày ký quyết định hủy bỏ 90/QĐ"):
        call_command(
            "revoke", "--decision", decision.pk, "--award", second.pk, "--by", by.pk,
            "--reason", "gia-mao", "--recovered-cash", "2023-05-01",
        )  # fmt: skip
    second.refresh_from_db()
    assert second.revoked_by_id is None and not Revocation.objects.filter(award=second).exists()

    # Recovery alone, on the lines already revoked; the amount defaults to the award's cash.
    call_command("revoke", "--decision", decision.pk, "--recovered-cash", "15/06/2023")
    revocation.refresh_from_db()
    assert (revocation.cash_recovered, revocation.cash_recovered_on) == (
        first.cash_amount,
        date(2023, 6, 15),
    )
    assert revocation.certificate_recovered_on == date(2023, 6, 10)

    refused = [
        (["--award", str(first.pk), "--recovered-cash", "15/06/2023",
          "--cash-amount", str(first.cash_amount + 1)], "lớn hơn tiền thưởng"),
        (["--award", str(second.pk), "--recovered-certificate", "10/06/2023"], "chưa bị hủy bỏ"),
        (["--recovered-certificate", "31/02/2023"], "không đọc được ngày"),
        (["--cash-amount", "1000"], "đi cùng --recovered-cash"),
        ([], "Không có việc gì để làm"),
    ]  # fmt: skip
    for extra, message in refused:
        with pytest.raises(CommandError, match=message):
            call_command("revoke", "--decision", decision.pk, *extra)
    revocation.refresh_from_db()
    assert revocation.cash_recovered == first.cash_amount
    assert revocation.history.count() == 3  # created, certificate, cash
