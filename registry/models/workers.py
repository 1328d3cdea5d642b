"""The background workers' heartbeats, read by the health endpoint (registry.views.health)."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per worker process (manage.py db_worker), touched every WORKER_HEARTBEAT_SECONDS
    by a thread beside the worker's loop, so a worker busy with a long print batch still beats."""

    worker_id = models.CharField("mã tiến trình", max_length=64, primary_key=True)
    host = models.CharField("máy", max_length=255)
    pid = models.PositiveIntegerField("số tiến trình")
    seen_at = models.DateTimeField("lần cuối báo còn chạy", db_index=True)

    class Meta:
        verbose_name = "nhịp báo của tiến trình nền"
        verbose_name_plural = "nhịp báo của tiến trình nền"

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
