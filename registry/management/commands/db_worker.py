"""django-tasks-db's worker, with a heartbeat for the health endpoint (/suc-khoe/).

A thread beside the worker's loop writes this process's WorkerHeartbeat row every
WORKER_HEARTBEAT_SECONDS, so a worker rendering a long print batch still counts as alive; a
worker that died (or hangs so hard the thread cannot run) stops beating. Under --reload only the
child that runs the tasks beats, not the process watching the files.
"""

import contextlib
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import autoreload, timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from registry.models.workers import WorkerHeartbeat

# Rows of workers gone this long are removed by the next beat of any worker.
_FORGET_AFTER = 24 * 60 * 60


def beat(*, worker_id: str, now=None) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "seen_at": now},
    )
    WorkerHeartbeat.objects.filter(
        seen_at__lt=now - timezone.timedelta(seconds=_FORGET_AFTER)
    ).delete()


def _beat_safely(worker_id: str) -> None:
    # The database is away: no beat, which is what the health endpoint should see.
    with contextlib.suppress(DatabaseError):
        beat(worker_id=worker_id)


def _beat_forever(worker_id: str, stop: threading.Event) -> None:
    while not stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
        try:
            _beat_safely(worker_id)
        finally:
            connection.close()  # this thread's own connection; not held between beats


class Command(DatabaseWorkerCommand):
    def handle(self, *args, **options):
        reloading = options.get("reload") and not options.get("batch")
        thread = None
        stop = threading.Event()
        if not reloading or os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV) == "true":
            _beat_safely(options["worker_id"])  # at once: a worker that starts is seen at once
            thread = threading.Thread(
                target=_beat_forever,
                args=(options["worker_id"], stop),
                name="registry-heartbeat",
                daemon=True,
            )
            thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=5)
