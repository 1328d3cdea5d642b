"""The public verification page a certificate's QR code leads to: no login, nothing personal."""

import json
import re
from datetime import date
from types import SimpleNamespace

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from registry.clientip import client_ip
from registry.models import Award, Decision
from registry.models.awards import DecisionStatus
from registry.models.trust import AmendableField
from registry.ratelimits import limit_by_address
from registry.services.received_papers import decision_signed_summary, pdf_check, upload_read

# Codes are 16 symbols from A–Z and 2–9 without O and I; people may type them with spaces,
# dashes or in lower case.
_CODE = re.compile(r"^[A-HJ-NP-Z2-9]{16}$")


# What the page shows, in one plain query (a hall of people scans at once): the award, its type,
# its decision if issued and that decision's authority, the revoking decision and its authority
# if revoked, the name as last amended (the latest amendment of recipient_name, as
# registry.selectors.amendments.amended_value reads it), and whether the decision has signed
# papers at all (most have none: then they are not read).
# Subqueries, not joins: PostgreSQL plans this in a third of the time a four-table join takes,
# and planning was most of the query's cost.
_LOOKUP = """
SELECT a.recipient_name, a.period_from, a.period_to, a.revoked_by_id, a.revoked_on,
       (SELECT t.name FROM registry_awardtype t WHERE t.id = a.award_type_id),
       (SELECT CAST({json_array}(d.id, d.number, d.signed_date, d.authority_id,
                                  (SELECT au.name FROM registry_authority au
                                    WHERE au.id = d.authority_id)) AS text)
          FROM registry_decision d WHERE d.id = a.decision_id AND d.status = %s),
       (SELECT CAST({json_array}(r.id, r.number, r.signed_date, r.authority_id,
                                  (SELECT au.name FROM registry_authority au
                                    WHERE au.id = r.authority_id)) AS text)
          FROM registry_decision r WHERE r.id = a.revoked_by_id),
       (SELECT m.new_value FROM registry_amendment m
         WHERE m.award_id = a.id AND m.field = %s
         ORDER BY m.recorded_at DESC, m.id DESC LIMIT 1),
       EXISTS (SELECT 1 FROM registry_signedpaper s WHERE s.decision_id = a.decision_id)
  FROM registry_award a
 WHERE a.verification_code = %s
"""


def _prepared_cursor():
    """A cursor on PostgreSQL whose statements are prepared once per connection, then only
    executed: planning was three quarters of the lookup's time in the server (0.3 of 0.4 ms).
    Django's own cursors bind on the client and never prepare (connection poolers in
    transaction mode cannot keep a prepared statement); settings.DATABASE_PREPARED_STATEMENTS
    off turns this off for such a deployment."""
    if not settings.DATABASE_PREPARED_STATEMENTS:
        return connection.cursor()
    # What connection.cursor() does first: reconnect after a failed health check, same thread.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    raw.prepare_threshold = 0  # only server-side binding cursors, as this one, prepare
    cursor = psycopg.Cursor(raw)
    # Django's wrapper: the query is logged and counted like any other.
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def _award_shown(code: str) -> tuple[SimpleNamespace | None, bool]:
    """The issued award with this code as the page shows it, or None; and whether its decision
    has signed papers. Plain objects, not models: nothing here is saved, and building four
    model instances cost the page as much as its query."""
    postgresql = connection.vendor == "postgresql"
    with _prepared_cursor() if postgresql else connection.cursor() as cursor:
        cursor.execute(
            _LOOKUP.format(json_array="json_build_array" if postgresql else "json_array"),
            [DecisionStatus.ISSUED, AmendableField.NAME, code],
        )
        row = cursor.fetchone()
    if row is None or row[6] is None:  # unknown, or a draft's line
        return None, False
    (name, period_from, period_to, revoked_by_id, revoked_on, type_name, decided, revoking,
     amended, has_signed) = row  # fmt: skip
    award = SimpleNamespace(
        verification_code=code, recipient_name=name if amended is None else amended,
        period_from=period_from, period_to=period_to, revoked_by_id=revoked_by_id,
        revoked_on=revoked_on, award_type=SimpleNamespace(name=type_name),
        decision=_decision_shown(decided),
        revoked_by=None if revoking is None else _decision_shown(revoking),
    )  # fmt: skip
    award.period_label = Award.period_label.fget(award)
    return award, has_signed


def _decision_shown(found: str) -> SimpleNamespace:
    """A decision as the lookup gives it: [id, number, signed date, authority id, its name]."""
    decision_id, number, signed_date, authority_id, authority_name = json.loads(found)
    return SimpleNamespace(
        id=decision_id, pk=decision_id, number=number,
        signed_date=date.fromisoformat(signed_date), authority_id=authority_id,
        authority=SimpleNamespace(id=authority_id, name=authority_name),
    )  # fmt: skip


def _signed_summary(shown: SimpleNamespace):
    decision = Decision(
        id=shown.id, number=shown.number, signed_date=shown.signed_date,
        authority_id=shown.authority_id,
    )  # fmt: skip
    return decision_signed_summary(decision)


def normalise_code(raw: str) -> str:
    return re.sub(r"[\s\-.]", "", raw or "").upper()


@limit_by_address("RATE_LIMIT_VERIFICATION")
@require_GET
def verification(request, code: str):
    code = normalise_code(code)
    award, has_signed = None, False
    if _CODE.match(code):
        award, has_signed = _award_shown(code)
    if award is None:
        response = render(request, "registry/public/not_found.html", {"code": code}, status=404)
    else:
        response = render(
            request,
            "registry/public/verification.html",
            {
                "award": award,
                "signed": _signed_summary(award.decision) if has_signed else None,
            },
        )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
@limit_by_address("RATE_LIMIT_UPLOAD", method="POST")
def verification_upload(request):
    """Anyone brings a PDF: is it a genuine, unaltered paper of this registry, for which award,
    and does that award still stand? No login; the file is read and forgotten, never stored.
    A file over the limit is refused by its size before it is read into memory (the web server's
    body limit and the rate limit keep the rest out)."""
    check, error = None, ""
    if request.method == "POST":
        try:
            data = upload_read(request.FILES.get("file"))
            check = pdf_check(data=data)
        except ValidationError as problem:
            error = " ".join(problem.messages)
    response = render(
        request,
        "registry/public/upload.html",
        {
            "check": check,
            "error": error,
            "max_mb": settings.REGISTRY_VERIFY_UPLOAD_MAX_BYTES // (1024 * 1024),
        },
        status=400 if error else 200,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _client_ip(request) -> str | None:
    return client_ip(request) or None


@limit_by_address("RATE_LIMIT_COMMENT", method="POST")
def posting_public(request, posting_id: int):
    """Công khai: the posted lines and a comment form, no login."""
    from django.core.exceptions import ValidationError
    from django.http import Http404, HttpResponseRedirect

    from registry.models import Posting
    from registry.services.council import COMMENT_MAX_CHARS, posting_comment_add, posting_is_public

    posting = Posting.objects.select_related("round__authority").filter(pk=posting_id).first()
    if posting is None or not posting_is_public(posting):
        raise Http404
    errors: dict[str, list[str]] = {}
    values = {"name": "", "contact": "", "text": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "")[: COMMENT_MAX_CHARS + 100] for k in values}
        try:
            posting_comment_add(posting=posting, ip=_client_ip(request), **values)
        except ValidationError as error:
            errors = (
                error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            )
        else:
            return HttpResponseRedirect(f"{request.path}?da-gui=1")
    lines = posting.lines.select_related("award_type", "proposal__unit").order_by(
        "award_type__display_order", "proposal__unit__name", "line_no"
    )
    response = render(
        request,
        "registry/public/posting.html",
        {
            "posting": posting,
            "lines": lines,
            "errors": errors,
            "general_errors": errors.get("__all__", []),
            "values": values,
            "sent": request.GET.get("da-gui") == "1",
            "max_chars": COMMENT_MAX_CHARS,
        },
        status=400 if errors else 200,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
