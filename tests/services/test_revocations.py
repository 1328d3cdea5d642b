"""Revocation and amendment by a later decision: the award stays, marked, and leaves the totals."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from registry.models import Award
from registry.models.trust import Amendment, Revocation
from registry.selectors.reports import annual_summary
from registry.services.decisions import decision_issue
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
