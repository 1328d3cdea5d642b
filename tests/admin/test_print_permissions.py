"""Printing and reprinting certificates is a clerk's right: a viewer reads and downloads reports
but prints no certificate, reprint or confirmation, on any path."""

import io
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse

from registry.models import Award
from registry.models.printing import PRINT_PERMISSION, PrintJobStatus, PrintLog
from registry.services.accounts import CLERK_GROUP, LEADER_GROUP, VIEWER_GROUP, groups_ensure
from registry.services.certificates import PRINT_REFUSED
from tests.services.test_scope import two_offices

pytestmark = pytest.mark.django_db

AWARDS = reverse("admin:registry_award_changelist")


@pytest.fixture
def offices():
    return two_offices()


def is_pdf(response) -> bool:
    return response.get("Content-Type", "").startswith("application/pdf")


def refused_with_reason(client, response) -> bool:
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    return (
        response.status_code in (302, 403)
        and not is_pdf(response)
        and (response.status_code == 403 or PRINT_REFUSED in shown)
    )


def test_the_shipped_groups_give_printing_to_clerks_and_leaders_only():
    groups = groups_ensure()
    holders = {
        name
        for name, group in groups.items()
        if group.permissions.filter(codename="print_certificate").exists()
    }
    assert CLERK_GROUP in holders and LEADER_GROUP in holders and VIEWER_GROUP not in holders


def test_a_viewer_cannot_print_or_reprint_from_the_award_list(client, offices):
    client.force_login(offices["viewer"])
    award = offices["A"]["award"]
    page = client.get(AWARDS).content.decode()
    assert "print_certificates" not in page and "reprint_certificates" not in page
    for action in ("print_certificates", "reprint_certificates", "print_records"):
        response = client.post(AWARDS, {"action": action, "_selected_action": [award.pk]})
        assert not is_pdf(response), action
        assert response.status_code in (200, 302, 403), action
    assert not PrintLog.objects.filter(printed_by=offices["viewer"]).exists()


def test_a_clerk_prints_and_reprints_from_the_award_list(client, offices):
    client.force_login(offices["clerk"])
    award = offices["A"]["award"]
    for action in ("print_certificates", "reprint_certificates", "print_records"):
        response = client.post(AWARDS, {"action": action, "_selected_action": [award.pk]})
        assert is_pdf(response), action
    kinds = set(PrintLog.objects.filter(printed_by=offices["clerk"]).values_list("kind", flat=True))
    assert kinds == {"in", "cap-lai"}


def test_a_viewer_is_refused_the_print_views_and_does_not_see_their_buttons(client, offices):
    client.force_login(offices["viewer"])
    a = offices["A"]
    decision_page = client.get(reverse("admin:registry_decision_change", args=[a["issued"].pk]))
    html = decision_page.content.decode()
    assert decision_page.status_code == 200
    assert "print-certificates" not in html and "print-overlay" not in html
    assert "print-decision" in html  # the decision itself is still there to read
    for name, query in (
        ("registry_decision_print_certificates", ""),
        ("registry_decision_print_certificates", "?mode=overlay"),
        ("registry_decision_print_certificates", "?reprint=1"),
        ("registry_decision_print_calibration", ""),
    ):
        response = client.get(reverse(f"admin:{name}", args=[a["issued"].pk]) + query)
        assert refused_with_reason(client, response), name
    job = a["printjob"]
    job.status = PrintJobStatus.FAILED
    job.save()
    status = client.get(reverse("admin:registry_printjob_status", args=[job.pk]))
    assert status.status_code == 200 and "Chạy lại lượt in" not in status.content.decode()
    retry = client.post(reverse("admin:registry_printjob_retry", args=[job.pk]))
    assert refused_with_reason(client, retry)
    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED
    job.status = PrintJobStatus.DONE
    job.save()
    download = client.get(reverse("admin:registry_printjob_download", args=[job.pk]))
    assert refused_with_reason(client, download)
    assert not PrintLog.objects.filter(printed_by=offices["viewer"]).exists()
    # Reports stay the viewer's to read and download.
    report = reverse("admin:registry_annual_report")
    assert client.get(report).status_code == 200
    paper = client.get(
        reverse("admin:registry_decision_print_paper", args=[a["issued"].pk, "decision.pdf"])
    )
    assert is_pdf(paper)


def test_a_clerk_prints_from_the_decision_page(client, offices):
    client.force_login(offices["clerk"])
    a = offices["A"]
    html = client.get(reverse("admin:registry_decision_change", args=[a["issued"].pk]))
    assert "print-certificates" in html.content.decode()
    for query in ("", "?reprint=1"):
        response = client.get(
            reverse("admin:registry_decision_print_certificates", args=[a["issued"].pk]) + query
        )
        assert is_pdf(response), query
    calibration = client.get(
        reverse("admin:registry_decision_print_calibration", args=[a["issued"].pk])
    )
    assert is_pdf(calibration)


def command(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_print_commands_refuse_a_viewer_and_serve_a_clerk(offices, tmp_path):
    a = offices["A"]
    out = tmp_path / "giay.pdf"
    certificates = ["print_certificates", "--decision", str(a["issued"].pk), "-o", str(out)]
    for extra in ([], ["--reprint"], ["--calibration"]):
        with pytest.raises(CommandError, match="không có quyền.*print_certificate"):
            command(*certificates, *extra, "--user", "xem.a")
        assert not out.exists()
    record = ["print_papers", "record", "--individual", str(a["individual"].pk), "-o", str(out)]
    with pytest.raises(CommandError, match="không có quyền"):
        command(*record, "--user", "xem.a")
    assert not out.exists()
    # The decision's own paper is reading, not printing a certificate.
    paper = ["print_papers", "decision", "--decision", str(a["issued"].pk), "-o", str(out)]
    command(*paper, "--user", "xem.a")
    assert out.read_bytes().startswith(b"%PDF")
    assert not PrintLog.objects.filter(printed_by=offices["viewer"]).exists()

    assert offices["clerk"].has_perm(PRINT_PERMISSION)
    command(*certificates, "--reprint", "--user", "canbo.a")
    assert Path(out).read_bytes().startswith(b"%PDF")
    assert PrintLog.objects.filter(printed_by=offices["clerk"], kind="cap-lai").count() == (
        Award.objects.filter(decision=a["issued"], revoked_by__isnull=True).count()
    )
    command(*record, "--user", "canbo.a")
    assert out.read_bytes().startswith(b"%PDF")
