"""Background tasks (django-tasks; the database backend's worker: manage.py db_worker)."""

from django_tasks import task


@task()
def print_job_run(job_id: int) -> str:
    """Print a large batch of certificates queued by print_job_start."""
    from registry.services.certificates import print_job_execute

    return print_job_execute(job_id=job_id)
