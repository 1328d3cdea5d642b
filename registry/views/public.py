"""The public verification page a certificate's QR code leads to: no login, nothing personal."""

import re

from django.shortcuts import render
from django.views.decorators.http import require_GET

from registry.models import Award
from registry.models.awards import DecisionStatus
from registry.selectors.amendments import award_show_amended, with_amended_text

# Codes are 16 symbols from A–Z and 2–9 without O and I; people may type them with spaces,
# dashes or in lower case.
_CODE = re.compile(r"^[A-HJ-NP-Z2-9]{16}$")


def normalise_code(raw: str) -> str:
    return re.sub(r"[\s\-.]", "", raw or "").upper()


@require_GET
def verification(request, code: str):
    code = normalise_code(code)
    award = None
    if _CODE.match(code):
        award = (
            with_amended_text(
                Award.objects.select_related(
                    "award_type", "decision__authority", "revoked_by__authority"
                )
            )
            .filter(verification_code=code, decision__status=DecisionStatus.ISSUED)
            .first()
        )
    if award is None:
        response = render(request, "registry/public/not_found.html", {"code": code}, status=404)
    else:
        award_show_amended(award)  # the name as corrected by an amendment decision
        response = render(request, "registry/public/verification.html", {"award": award})
    response["X-Robots-Tag"] = "noindex"
    return response
