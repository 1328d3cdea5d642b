"""HTML escaping for the pages that join their markup themselves."""

from html import escape

from django.utils.functional import Promise


def escaped(value) -> str:
    """conditional_escape() as plain text: no lazy-argument wrapper and no SafeString per call,
    which on a list of fifty rows or two hundred options cost a good part of the page."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))
