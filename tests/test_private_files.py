"""Scans and certificate batches are an office's own: no address serves MEDIA_ROOT, and the one
view that does checks login, office and role, whatever path is typed."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from registry.models import Decision
from registry.models.campaigns import Pledge
from registry.models.printing import PrintJob, PrintJobStatus
from registry.models.trust import AuthorityMembership
from tests.services.test_scope import two_offices

pytestmark = pytest.mark.django_db


def stored(row, field: str, filename: str, content: bytes) -> str:
    """Save a file as the app would and point the row at it (an issued decision's scan may
    change after signing; update() keeps the other columns untouched)."""
    name = getattr(row, field).storage.save(
        getattr(row, field).field.generate_filename(row, filename), ContentFile(content)
    )
    type(row).objects.filter(pk=row.pk).update(**{field: name})
    return name


@pytest.fixture
def files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    offices = two_offices()
    for tag in "AB":
        rows = offices[tag]
        rows["scan"] = stored(
            rows["issued"], "scan", f"qd-2-{tag}.pdf", b"%PDF scan " + tag.encode()
        )
        rows["pledge_scan"] = stored(rows["pledge"], "scan", f"gu-{tag}.pdf", b"%PDF pledge")
        rows["batch"] = stored(rows["printjob"], "file", f"giay-khen-2-{tag}.pdf", b"%PDF batch")
        PrintJob.objects.filter(pk=rows["printjob"].pk).update(status=PrintJobStatus.DONE)
    return offices


def logged_in(client, user):
    client.force_login(user)
    return client


def url(name: str) -> str:
    return f"/tep/{name}"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_no_file_is_reachable_by_its_path_or_without_login(client, files):
    for name in (files["A"]["scan"], files["A"]["batch"], files["A"]["pledge_scan"]):
        assert name.startswith(("decisions/", "print/", "pledges/"))
        assert client.get(f"/media/{name}").status_code == 404
        response = client.get(url(name))
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    job = files["A"]["printjob"]
    assert client.get(f"/admin/registry/printjob/{job.pk}/download/").status_code == 302


def test_another_office_is_refused_whatever_it_types(client, files):
    logged_in(client, files["clerk_b"])
    for name in (files["A"]["scan"], files["A"]["batch"], files["A"]["pledge_scan"]):
        assert client.get(url(name)).status_code == 404
    job = files["A"]["printjob"]
    assert client.get(f"/admin/registry/printjob/{job.pk}/download/").status_code == 404
    # Paths that no row holds, or that climb out of MEDIA_ROOT, are not files either.
    assert client.get(url("decisions/khong-co.pdf")).status_code == 404
    assert client.get(url("../registry.sqlite3")).status_code == 404
    # Its own office's files it gets.
    assert body(client.get(url(files["B"]["scan"]))) == b"%PDF scan B"


def test_the_owner_office_gets_its_files(client, files):
    logged_in(client, files["clerk"])
    scan = client.get(url(files["A"]["scan"]))
    assert scan.status_code == 200
    assert scan["Content-Type"] == "application/pdf"
    assert scan["Content-Disposition"].startswith("inline")
    assert body(scan) == b"%PDF scan A"
    assert body(client.get(url(files["A"]["pledge_scan"]))) == b"%PDF pledge"
    assert body(client.get(url(files["A"]["batch"]))) == b"%PDF batch"
    job = files["A"]["printjob"]
    download = client.get(f"/admin/registry/printjob/{job.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")
    assert body(download) == b"%PDF batch"


def test_a_member_of_the_office_without_the_role_is_refused(client, files):
    outsider = get_user_model().objects.create_user("khach.a", is_staff=True)
    AuthorityMembership.objects.create(user=outsider, authority=files["A"]["authority"])
    logged_in(client, outsider)
    assert client.get(url(files["A"]["scan"])).status_code == 404


def test_admin_links_to_scans_lead_to_the_checked_view(client, files):
    logged_in(client, files["clerk"])
    decision = files["A"]["issued"]
    page = client.get(f"/admin/registry/decision/{decision.pk}/change/").content.decode()
    assert f'href="/tep/{files["A"]["scan"]}"' in page
    assert "/media/" not in page
    pledge = files["A"]["pledge"]
    page = client.get(f"/admin/registry/pledge/{pledge.pk}/change/").content.decode()
    assert f'href="/tep/{files["A"]["pledge_scan"]}"' in page
    assert Decision.objects.get(pk=decision.pk).scan.url == f"/tep/{files['A']['scan']}"
    assert Pledge.objects.get(pk=pledge.pk).scan.url.startswith("/tep/pledges/")


def test_an_uploaded_page_is_downloaded_never_shown(client, files):
    name = stored(files["A"]["issued"], "scan", "ban-quet.html", b"<script>alert(1)</script>")
    response = logged_in(client, files["clerk"]).get(url(name))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_the_web_server_may_send_the_bytes_once_the_view_said_yes(client, files, settings):
    logged_in(client, files["clerk"])
    settings.REGISTRY_SENDFILE_HEADER = "X-Accel-Redirect"
    settings.REGISTRY_SENDFILE_PREFIX = "/_tep_rieng/"
    response = client.get(url(files["A"]["scan"]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_tep_rieng/{files['A']['scan']}"
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b""
    settings.REGISTRY_SENDFILE_HEADER = "X-Sendfile"
    response = client.get(url(files["A"]["batch"]))
    assert response["X-Sendfile"] == str(settings.MEDIA_ROOT / files["A"]["batch"])
    # Refusals stay refusals: nothing is handed to the web server.
    logged_in(client, files["clerk_b"])
    refused = client.get(url(files["A"]["scan"]))
    assert refused.status_code == 404
    assert "X-Sendfile" not in refused
