"""Form widgets of the registry's own pages."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A plain <select> written in one pass. Django renders every <option> through a template
    of its own; for a province's few hundred authorities that was a fifth of a report page's
    time. Same markup and attributes; option groups are left to Django's own rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(iter(self.choices))  # list() would ask len(): a COUNT query
        if any(isinstance(label, (list, tuple)) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        wanted = {str(v) for v in self.format_value(value)}
        rows, chosen = [], False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            selected = text in wanted and (self.allow_multiple_selected or not chosen)
            chosen = chosen or selected
            rows.append((text, " selected" if selected else "", label))
        options = format_html_join("\n", '<option value="{}"{}>{}</option>', rows)
        return format_html("<select{}>\n{}\n</select>", flatatt(final_attrs), options)
