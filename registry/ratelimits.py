"""Rate limits on the public pages, per client address (django-ratelimit).

One decorator for every public view:

    @limit_by_address("RATE_LIMIT_UPLOAD", method="POST")
    def verification_upload(request): ...

It counts the requests of one client address (registry.clientip.client_ip: X-Forwarded-For
only from TRUSTED_PROXIES; an IPv6 client by its /64, which one household or phone holds whole)
in the shared cache (settings.CACHES, see registry.cache) under the setting's rate, e.g.
"120/m"; past it the address gets HTTP 429 and a Vietnamese page until the window ends. An
empty setting turns the limit off. Each setting counts on its own.
"""

import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django.db import DatabaseError
from django.shortcuts import render
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from registry.clientip import client_ip

logger = logging.getLogger(__name__)


def address_key(group, request) -> str:
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def too_many_requests(request, *, retry_after: int | None = None):
    response = render(
        request,
        "registry/public/too_many_requests.html",
        {"retry_minutes": max(1, -(-(retry_after or 60) // 60))},
        status=429,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    response["X-Robots-Tag"] = "noindex"
    return response


def limit_by_address(setting: str, *, method=ALL):
    """Limit a view to settings.<setting> requests per client address (only `method`'s)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            rate = getattr(settings, setting, "") or None
            try:
                usage = get_usage(
                    request,
                    group=setting,
                    key=address_key,
                    rate=rate,
                    method=method,
                    increment=True,
                )
            except DatabaseError:
                # The counters' table is missing or the cache is down: the public page still
                # answers (unlimited) rather than fail for everyone; the log says why.
                logger.exception("Rate limit %s: the cache could not count", setting)
                usage = None
            if usage is not None and usage["should_limit"]:
                return too_many_requests(request, retry_after=max(1, usage["time_left"]))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
