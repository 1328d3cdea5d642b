"""Form widgets of the registry's own pages."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from registry.markup import escaped


class QuickSelect(forms.Select):
    """A plain <select> written in one pass. Django renders every <option> through a template
    of its own; for a province's few hundred authorities that was a fifth of a report page's
    time. Same markup and attributes; option groups are left to Django's own rendering."""

    def __init__(self, attrs=None, choices=(), label_field: str | None = None):
        super().__init__(attrs, choices)
        # A model's field its label is (its __str__): the choices are then read as values, not
        # as model instances, which took most of the widget's time for two hundred authorities.
        self.label_field = label_field

    def use_required_attribute(self, initial):
        """Select's answer without reading a choice: it asks whether the first choice is empty,
        which for a field with no empty label (required, with an initial value) read every
        authority as a model instance. A model's choices start empty exactly when the field
        has an empty label."""
        choices = self.choices
        if isinstance(choices, ModelChoiceIterator) and not self.allow_multiple_selected:
            return not self.is_hidden and choices.field.empty_label is not None
        return super().use_required_attribute(initial)

    def _rows(self) -> list:
        choices = self.choices
        if self.label_field and isinstance(choices, ModelChoiceIterator):
            field = choices.field
            rows = [] if field.empty_label is None else [("", field.empty_label)]
            key = field.to_field_name or "pk"
            return rows + list(choices.queryset.values_list(key, self.label_field))
        return list(iter(choices))  # list() would ask len(): a COUNT query

    def render(self, name, value, attrs=None, renderer=None):
        choices = self._rows()
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
        # format_html per option took half the widget's time; the same escaping, in one join.
        options = "\n".join(
            f'<option value="{escaped(value)}"{selected}>{escaped(label)}</option>'
            for value, selected, label in rows
        )
        return format_html("<select{}>\n{}\n</select>", flatatt(final_attrs), mark_safe(options))
