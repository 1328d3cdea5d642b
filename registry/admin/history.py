"""Read-only histories on a record's page (a person's awards and ratings), written as Django's
tabular inline shows them, without its formset.

An inline builds a form per row and renders each row's hidden inputs, the management form and the
widgets through templates: a third of a person's page, for rows nobody edits there (award lines
change through their decision, ratings through their import). The cells are the inline's own
(label_for_field, lookup_field, display_for_field, links to the related records' pages), as
AdminReadonlyField writes them; tests/admin/test_history_tables.py holds them to Django's.
"""

from django.contrib.admin.templatetags.admin_list import _boolean_icon
from django.contrib.admin.utils import (
    display_for_field,
    flatten_fieldsets,
    help_text_for_field,
    label_for_field,
    lookup_field,
    quote,
)
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import ForeignObjectRel, ManyToManyRel, OneToOneField
from django.forms.models import _get_foreign_key
from django.template.defaultfilters import capfirst, linebreaksbr
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext


class HistoryTablesMixin:
    """A ModelAdmin showing ``history_inlines`` (ReadOnlyInline classes) as tables on a record's
    page, below its inlines ({{ history_tables }} in admin/registry/change_form.html)."""

    history_inlines: list = []

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            tables = (
                history_table(inline(self.model, self.admin_site), request, obj)
                for inline in self.history_inlines
            )
            context["history_tables"] = mark_safe("".join(tables))
        return super().render_change_form(request, context, add, change, form_url, obj)


def _change_url(model, pk, site_name: str) -> str | None:
    opts = model._meta
    try:
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[quote(pk)],
            current_app=site_name,
        )
    except NoReverseMatch:
        return None


def _link(model, obj, site_name: str) -> str:
    """get_admin_url of AdminReadonlyField: the related record's page, or its name."""
    url = _change_url(model, obj.pk, site_name)
    if url is None:
        return escape(str(obj))
    return f'<a href="{escape(url)}">{escape(str(obj))}</a>'


def _contents(name: str, obj, inline, empty: str) -> str:
    """AdminReadonlyField.contents, for a row that has no form."""
    try:
        f, attr, value = lookup_field(name, obj, inline)
    except (AttributeError, ValueError, ObjectDoesNotExist):
        return conditional_escape(empty)
    if f is None:
        if getattr(attr, "boolean", False):
            return _boolean_icon(value)
        return conditional_escape(value if hasattr(value, "__html__") else linebreaksbr(value))
    if isinstance(f.remote_field, ManyToManyRel) and value is not None:
        shown = ", ".join(map(str, value.all()))
    elif isinstance(f.remote_field, (ForeignObjectRel, OneToOneField)) and value is not None:
        shown = mark_safe(_link(f.remote_field.model, value, inline.admin_site.name))
    else:
        shown = display_for_field(value, f, empty)
    return conditional_escape(linebreaksbr(shown))


def history_table(inline, request, parent) -> str:
    """The inline's rows of ``parent`` as Django's edit_inline/tabular.html lays them out, with
    no inputs: nothing on it is sent back when the record is saved."""
    if not inline.has_view_permission(request, parent):
        return ""
    fk = _get_foreign_key(type(parent), inline.model, fk_name=inline.fk_name)
    prefix = escape(fk.remote_field.get_accessor_name(model=inline.model).replace("+", ""))
    names = [
        name for name in flatten_fieldsets(inline.get_fieldsets(request, parent)) if name != fk.name
    ]
    rows = inline.get_queryset(request).filter(**{fk.name: parent})
    if not rows.ordered:
        rows = rows.order_by(inline.model._meta.pk.name)
    empty = inline.get_empty_value_display()
    heading = escape(capfirst(inline.verbose_name_plural))
    out = [
        f'<div class="inline-group" id="{prefix}-group">'
        '<div class="tabular inline-related last-related">'
        f'<fieldset class="module" aria-labelledby="{prefix}-heading">'
        f'<h2 id="{prefix}-heading" class="inline-heading">{heading}</h2>'
        '<table><thead><tr><th class="original"></th>'
    ]
    for name in names:
        label = escape(capfirst(label_for_field(name, inline.model, inline)))
        help_text = help_text_for_field(name, inline.model)
        icon = ""
        if help_text:
            tip = escape(strip_tags(help_text))
            icon = (
                f'<img src="{escape(static("admin/img/icon-unknown.svg"))}" class="help '
                f'help-tooltip" width="10" height="10" alt="({tip})" title="{tip}">'
            )
        out.append(f'<th class="column-{escape(name)}">{label}{icon}</th>')
    out.append("<th></th></tr></thead><tbody>")
    linked = inline.show_change_link and inline.admin_site.is_registered(inline.model)
    view = escape(gettext("View"))
    for index, obj in enumerate(rows):
        original = escape(str(obj))
        if linked:
            url = _change_url(inline.model, obj.pk, inline.admin_site.name)
            original += f' <a href="{escape(url)}" class="inlineviewlink">{view}</a>'
        out.append(
            f'<tr class="form-row has_original" id="{prefix}-{index}">'
            f'<td class="original"><p>{original}</p></td>'
        )
        for name in names:
            out.append(
                f'<td class="field-{escape(name)}"><p>{_contents(name, obj, inline, empty)}</p></td>'
            )
        out.append('<td class="delete"></td></tr>')
    out.append("</tbody></table></fieldset></div></div>")
    return "".join(out)
