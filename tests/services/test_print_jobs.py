"""A print job whose worker died is marked failed with the reason, and can be run again."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from registry.models.printing import PrintJob, PrintJobStatus, PrintLog
from registry.services import certificates
from registry.services.certificates import (
    decision_certificate_awards,
    print_job_execute,
    print_job_retry,
    print_job_start,
    print_jobs_sweep,
)
from registry.services.decisions import decision_issue
from tests import factories
from tests.services.test_scope import two_offices

pytestmark = pytest.mark.django_db

STALE = 600


@pytest.fixture(autouse=True)
def limits(settings, tmp_path):
    settings.PRINT_STALE_SECONDS = STALE
    settings.MEDIA_ROOT = tmp_path


def ago(seconds: int):
    return timezone.now() - timedelta(seconds=seconds)


def killed_job(decision=None, **fields) -> PrintJob:
    """A 3,000-page job whose worker was killed at page 600, longer ago than the limit."""
    values = {
        "decision": decision,
        "award_ids": [],
        "total": 3000,
        "done": 600,
        "status": PrintJobStatus.RUNNING,
        "started_at": ago(STALE * 3),
        "heartbeat_at": ago(STALE + 5),
        "attempts": 1,
    }
    values.update(fields)
    return PrintJob.objects.create(**values)


def issued(number="40/QĐ-UBND", lines=3):
    return decision_issue(decision=factories.decision_with_lines(number, 1, lines - 1))


def test_a_killed_running_job_is_marked_failed_with_its_reason_when_its_page_is_opened(client):
    offices = two_offices()
    job = killed_job(offices["A"]["issued"])
    client.force_login(offices["clerk"])
    page = client.get(reverse("admin:registry_printjob_status", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED and job.finished_at
    assert "dừng giữa chừng" in job.error and "600/3000" in job.error
    assert "dừng giữa chừng" in page and "Chạy lại lượt in" in page
    assert 'http-equiv="refresh"' not in page


def test_the_job_list_sweeps_too(client):
    offices = two_offices()
    job = killed_job(offices["A"]["issued"])
    client.force_login(offices["clerk"])
    assert client.get(reverse("admin:registry_printjob_changelist")).status_code == 200
    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED


def test_the_sweep_spares_moving_jobs_and_queued_jobs_behind_a_busy_worker():
    decision = issued()
    moving = killed_job(decision, heartbeat_at=ago(STALE - 60))
    waiting = PrintJob.objects.create(decision=decision, total=5, award_ids=[])
    PrintJob.objects.filter(pk=waiting.pk).update(created_at=ago(STALE * 2))
    dead = killed_job(decision)
    assert print_jobs_sweep() == 1
    statuses = dict(PrintJob.objects.values_list("pk", "status"))
    assert statuses == {
        moving.pk: PrintJobStatus.RUNNING,
        waiting.pk: PrintJobStatus.QUEUED,
        dead.pk: PrintJobStatus.FAILED,
    }
    # Once nothing moves, a long wait means no worker is there.
    PrintJob.objects.filter(pk=moving.pk).update(status=PrintJobStatus.DONE)
    out = call_command_out("print_jobs_sweep")
    assert "Đã đánh dấu lỗi 1 lượt in" in out
    waiting.refresh_from_db()
    assert waiting.status == PrintJobStatus.FAILED
    assert "chưa có tiến trình in nền" in waiting.error and "db_worker" in waiting.error
    assert "Không có lượt in nào" in call_command_out("print_jobs_sweep")


def call_command_out(*args) -> str:
    import io

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_new_worker_gives_up_on_the_dead_job_then_prints_its_own():
    decision = issued()
    dead = killed_job(decision)
    job = print_job_start(awards=decision_certificate_awards(decision), decision=decision)
    PrintJob.objects.filter(pk=job.pk).update(created_at=ago(STALE * 2))  # waited for a worker
    assert print_job_execute(job_id=job.pk)
    dead.refresh_from_db()
    job.refresh_from_db()
    assert dead.status == PrintJobStatus.FAILED and "600/3000" in dead.error
    assert job.status == PrintJobStatus.DONE and job.done == 3 and job.attempts == 1
    assert job.heartbeat_at >= job.started_at
    # The same task delivered twice does not print twice.
    assert print_job_execute(job_id=job.pk) == ""
    assert PrintLog.objects.filter(job=job).count() == 3


def test_retry_requeues_a_failed_job_and_the_worker_finishes_it(
    django_capture_on_commit_callbacks,
):
    decision = issued()
    ids = list(decision_certificate_awards(decision).values_list("pk", flat=True))
    job = killed_job(decision, award_ids=ids, total=len(ids), done=1)
    assert print_jobs_sweep() == 1
    job.refresh_from_db()
    with pytest.raises(ValidationError, match="chỉ chạy lại"):
        print_job_retry(job=PrintJob.objects.create(decision=decision, total=1))
    with django_capture_on_commit_callbacks(execute=True):
        job = print_job_retry(job=job)
    assert job.status == PrintJobStatus.QUEUED and job.done == 0 and not job.error
    job.refresh_from_db()
    assert job.task_id  # queued for the worker again, once committed
    with pytest.raises(ValidationError):
        print_job_retry(job=job)
    assert print_job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE and job.done == len(ids) and job.attempts == 2
    assert PrintLog.objects.filter(job=job).count() == len(ids)


def test_a_run_given_up_on_stops_and_leaves_the_job_to_the_next_run(settings, monkeypatch):
    settings.PRINT_CHUNK_SIZE = 1
    decision = issued()
    job = print_job_start(awards=decision_certificate_awards(decision), decision=decision)
    render = certificates.pages_pdf
    calls = []

    def slow_then_swept(pages):
        calls.append(1)
        if len(calls) == 2:  # meanwhile the worker was taken for dead
            PrintJob.objects.filter(pk=job.pk).update(heartbeat_at=ago(STALE + 1))
            assert print_jobs_sweep() == 1
        return render(pages)

    monkeypatch.setattr(certificates, "pages_pdf", slow_then_swept)
    assert print_job_execute(job_id=job.pk) == ""
    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED and not job.file
    assert len(calls) == 2 and not PrintLog.objects.filter(job=job).exists()


def test_the_admin_retry_button_and_action(client, django_capture_on_commit_callbacks):
    offices = two_offices()
    job = killed_job(offices["A"]["issued"])
    client.force_login(offices["clerk"])
    status = reverse("admin:registry_printjob_status", args=[job.pk])
    assert "Chạy lại lượt in" in client.get(status).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:registry_printjob_retry", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == status
    job.refresh_from_db()
    assert job.status == PrintJobStatus.QUEUED and job.task_id

    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.FAILED, error="Lỗi")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:registry_printjob_changelist"),
            {"action": "retry_jobs", "_selected_action": [job.pk]},
        )
    job.refresh_from_db()
    assert job.status == PrintJobStatus.QUEUED
