"""{{ text|printable_basis }}: a legal basis as papers and forms print it."""

from django import template

from registry.services.heading import without_unconfirmed

register = template.Library()


@register.filter
def printable_basis(text: str) -> str:
    """The catalogue's basis without its maintainers' "chưa đối chiếu" notes."""
    return without_unconfirmed(text)
