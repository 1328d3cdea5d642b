"""One log line per request on the `registry.requests` logger (settings.LOGGING).

    user=admin method=GET path=/admin/registry/decision/ status=200 duration_ms=41.2

The user is the login name, or "-" for a visitor; the path leaves out the query string. Static
files answered by WhiteNoise (before this middleware) are not logged.
"""

import logging
import time
from urllib.parse import quote

logger = logging.getLogger("registry.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            duration_ms = (time.perf_counter() - started) * 1000
            user = getattr(request, "user", None)
            name = user.get_username() if user is not None and user.is_authenticated else "-"
            logger.info(
                "user=%s method=%s path=%s status=%s duration_ms=%.1f",
                name or "-",
                request.method,
                _printable(request.path),
                response.status_code,
                duration_ms,
            )
        return response


def _printable(path: str) -> str:
    """A path on one line: a space, newline or other control character as its %-escape."""
    return "".join(c if c.isprintable() and c != " " else quote(c) for c in path)
