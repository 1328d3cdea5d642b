"""Background tasks (django-tasks; the database backend's worker: manage.py db_worker)."""

from django_tasks import task


@task()
def print_job_run(job_id: int) -> str:
    """Print a large batch of certificates queued by print_job_start."""
    from registry.services.certificates import print_job_execute

    return print_job_execute(job_id=job_id)


@task()
def certificates_sign_run(award_ids: list[int], user_id: int | None, decision_id: int | None):
    """Sign a large batch of certificates queued by certificates_sign_start into a zip.

    The result is {"file": stored name, "error": ""}, or the Vietnamese reason in "error" when
    the batch is refused (revoked line, draft decision, signing not configured).
    """
    from django.core.exceptions import ValidationError

    from registry.services.signed_papers import certificates_sign_execute

    try:
        name = certificates_sign_execute(
            award_ids=award_ids, user_id=user_id, decision_id=decision_id
        )
    except ValidationError as error:
        return {"file": "", "error": "\n".join(error.messages)}
    return {"file": name, "error": ""}
