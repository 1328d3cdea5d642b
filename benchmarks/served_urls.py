"""The registry's URLs and the served benchmark's floor: a constant page through the same
middleware and gunicorn, no database, no template (benchmarks only, never in registry.urls)."""

from django.http import HttpResponse
from django.urls import path

from registry.urls import urlpatterns as registry_urlpatterns

FLOOR_BODY = b"<!doctype html><title>floor</title><p>ok</p>"


def floor(request):
    return HttpResponse(FLOOR_BODY)


urlpatterns = [path("bench-floor/", floor, name="bench_floor"), *registry_urlpatterns]
