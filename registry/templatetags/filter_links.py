"""{{ choices|filter_links }}: a list filter's choices, written directly (admin/filter.html).

A province's clerk filters the decision list by any of two hundred authorities; Django's template
renders each choice's link through the engine, a tenth of the list's time. The markup is the
template's own, space for space (tests/admin/test_decision_list.py compares them).
"""

from django import template
from django.template.defaultfilters import iriencode
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

register = template.Library()

SELECTED = ' class="selected"'


@register.filter
def filter_links(choices) -> str:
    return mark_safe(
        "".join(
            f"\n    <li{SELECTED if choice['selected'] else ''}>\n    "
            f'<a href="{escape(iriencode(choice["query_string"]))}">'
            f"{conditional_escape(localize(choice['display']))}</a></li>\n  "
            for choice in choices
        )
    )
