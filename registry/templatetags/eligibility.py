"""{% recipient_eligibility person as elig %}: streaks and the routes of awards held."""

from django import template

from registry.selectors import eligibility

register = template.Library()


@register.simple_tag
def recipient_eligibility(recipient) -> dict:
    if recipient is None or recipient.pk is None:
        return {"streaks": [], "routes": []}
    found = eligibility.recipient_eligibility(recipient=recipient)
    return {
        "streaks": found.streaks,
        "routes": [held for held in found.held if held.answer is not None],
    }
