"""{% recipient_eligibility person as elig %}: streaks and the routes of awards held."""

from django import template

from registry.selectors.eligibility import recipient_award_routes, recipient_streaks

register = template.Library()


@register.simple_tag
def recipient_eligibility(recipient) -> dict:
    if recipient is None or recipient.pk is None:
        return {"streaks": [], "routes": []}
    return {
        "streaks": recipient_streaks(recipient=recipient),
        "routes": [
            held for held in recipient_award_routes(recipient=recipient) if held.answer is not None
        ],
    }
