"""/suc-khoe/: the health answer a load balancer or a monitor asks for, no login.

200 and {"status": "ok", ...} when the database answers and a background worker
(manage.py db_worker) has beaten within WORKER_HEARTBEAT_MAX_AGE seconds; 503 when the database
does not answer. A stale or missing heartbeat alone answers 200 with "status": "degraded" and
"worker": "stale": a load balancer that took every app server out because the print worker
stopped would turn a late print batch into a site that is down. A monitor that should raise the
alarm for the worker asks /suc-khoe/?worker=1, which answers 503 then too.
"""

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from registry.models.workers import WorkerHeartbeat


@never_cache
@require_GET
def health(request):
    body = {"status": "ok", "database": "ok", "worker": "ok", "worker_seen_seconds_ago": None}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        last = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    except DatabaseError:
        body.update(status="fail", database="unreachable", worker="unknown")
        return JsonResponse(body, status=503)
    if last is not None:
        body["worker_seen_seconds_ago"] = max(0, int((timezone.now() - last).total_seconds()))
    if last is None or body["worker_seen_seconds_ago"] > settings.WORKER_HEARTBEAT_MAX_AGE:
        body.update(status="degraded", worker="stale")
        if request.GET.get("worker") == "1":
            return JsonResponse(body, status=503)
    return JsonResponse(body)
