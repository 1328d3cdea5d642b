"""The public verification page a certificate's QR code leads to: no login, nothing personal."""

import re

from django.shortcuts import render
from django.views.decorators.http import require_GET

from registry.models import Award
from registry.models.awards import DecisionStatus
from registry.selectors.amendments import award_apply_amendments

# Codes are 16 symbols from A–Z and 2–9 without O and I; people may type them with spaces,
# dashes or in lower case.
_CODE = re.compile(r"^[A-HJ-NP-Z2-9]{16}$")


# The fields the verification page reads (templates/registry/public/verification.html).
_SHOWN = (
    "verification_code",
    "recipient_name",
    "period_from",
    "period_to",
    "revoked_by_id",
    "revoked_on",
    "award_type__name",
    "decision__number",
    "decision__signed_date",
    "decision__status",
    "decision__authority_id",
    "decision__authority__name",
)


def normalise_code(raw: str) -> str:
    return re.sub(r"[\s\-.]", "", raw or "").upper()


@require_GET
def verification(request, code: str):
    code = normalise_code(code)
    award = None
    if _CODE.match(code):
        # Only what the page shows (a crowd asks for it): the award, its type, its decision and
        # that decision's authority in one small query; a revoking decision, rare, on demand.
        award = (
            Award.objects.select_related("award_type", "decision__authority")
            .only(*_SHOWN)
            .filter(verification_code=code, decision__status=DecisionStatus.ISSUED)
            .order_by()
            .first()
        )
    if award is None:
        response = render(request, "registry/public/not_found.html", {"code": code}, status=404)
    else:
        award_apply_amendments(award)  # the name as corrected by an amendment decision
        response = render(request, "registry/public/verification.html", {"award": award})
    response["X-Robots-Tag"] = "noindex"
    return response


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


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
