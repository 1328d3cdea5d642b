"""A change list's rows written directly: the same markup as the admin's ``result_list``.

The admin builds each cell with up to three ``format_html`` calls, each escaping its arguments
through a lazy-text check; on a list of fifty decisions that was a third of the page's time.
Here each column's constant parts (its class, whether it links) are worked out once per list
and a cell is joined from escaped strings. Values are looked up and displayed by the admin's
own ``lookup_field``, ``display_for_field`` and ``display_for_value``. Lists with editable
fields or opened as a popup keep the admin's own tag.
"""

import datetime

from django import template
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
    result_list,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.safestring import mark_safe

from registry.markup import escaped

register = template.Library()


def _columns(cl) -> list[tuple]:
    links = cl.list_display_links
    columns = []
    first = True
    for index, name in enumerate(cl.list_display):
        link = links is not None and ((first and not links) or name in links)
        columns.append((name, f"field-{_coerce_field_name(name, index)}", link, first and link))
        if link:
            first = False
    return columns


def _cells(cl, result, columns, empty_default):
    """items_for_result for a list without a formset, cell for cell."""
    for name, field_class, link, is_th in columns:
        empty_value_display = empty_default
        row_classes = [field_class]
        try:
            f, attr, value = lookup_field(name, result, cl.model_admin)
        except ObjectDoesNotExist:
            result_repr = empty_value_display
        else:
            empty_value_display = getattr(attr, "empty_value_display", empty_value_display)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if f is None or f.auto_created:
                if name == "action_checkbox":
                    row_classes = ["action-checkbox"]
                boolean = getattr(attr, "boolean", False)
                if isinstance(attr, property) and hasattr(attr, "fget"):
                    boolean = getattr(attr.fget, "boolean", False)
                result_repr = display_for_value(value, empty_value_display, boolean)
                if isinstance(value, (datetime.date, datetime.time)):
                    row_classes.append("nowrap")
            else:
                if isinstance(f.remote_field, models.ManyToOneRel):
                    field_value = getattr(result, f.name)
                    result_repr = empty_value_display if field_value is None else field_value
                else:
                    result_repr = display_for_field(value, f, empty_value_display, avoid_link=link)
                if isinstance(f, (models.DateField, models.TimeField, models.ForeignKey)):
                    row_classes.append("nowrap")
        row_class = f' class="{" ".join(row_classes)}"'
        if link:
            tag = "th" if is_th else "td"
            try:
                url = cl.url_for_result(result)
            except NoReverseMatch:
                inner = escaped(result_repr)
            else:
                url = add_preserved_filters(
                    {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
                )
                inner = f'<a href="{escaped(url)}">{escaped(result_repr)}</a>'
            yield mark_safe(f"<{tag}{row_class}>{inner}</{tag}>")
        else:
            yield mark_safe(f"<td{row_class}>{escaped(result_repr)}</td>")


def fast_result_list(cl):
    """result_list's context, its rows built by _cells."""
    if cl.formset or cl.is_popup or cl.to_field:
        return result_list(cl)
    headers = list(result_headers(cl))
    columns = _columns(cl)
    empty = cl.model_admin.get_empty_value_display()
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": [
            ResultList(None, _cells(cl, result, columns, empty)) for result in cl.result_list
        ],
    }


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=fast_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
