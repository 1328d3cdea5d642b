"""The quick <select> gives the markup Django's own Select gives."""

import pytest
from django import forms
from django.test.html import parse_html

from registry.models import Authority
from registry.widgets import QuickSelect
from tests import factories

pytestmark = pytest.mark.django_db


def both(field_kwargs: dict, data: dict | None, label_field: str | None = None):
    class Quick(forms.Form):
        choice = forms.ModelChoiceField(widget=QuickSelect(label_field=label_field), **field_kwargs)

    class Plain(forms.Form):
        choice = forms.ModelChoiceField(**field_kwargs)

    return str(Quick(data)["choice"]), str(Plain(data)["choice"])


@pytest.mark.parametrize("label_field", [None, "name"])
@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize("chosen", [None, "first", "unknown"])
def test_a_model_choice_renders_as_djangos_select(required, chosen, label_field):
    for n, name in enumerate(["Xã <Một>", "Xã Hai & Ba", "Huyện Bốn", "Xã \"Năm\" 'Sáu'"]):
        factories.authority(code=f"w-{n}", name=name)
    queryset = Authority.objects.filter(code__startswith="w-").order_by("name")
    data = None
    if chosen == "first":
        data = {"choice": "w-1"}
    elif chosen == "unknown":
        data = {"choice": "khong-co"}
    kwargs = {"queryset": queryset, "required": required, "to_field_name": "code"}
    quick, plain = both(kwargs, data, label_field)
    assert parse_html(quick) == parse_html(plain)
    assert "&lt;Một&gt;" in quick and "<Một>" not in quick
    assert "Xã &quot;Năm&quot; &#x27;Sáu&#x27;</option>" in quick  # as Django escapes them
    if chosen == "first":
        assert '<option value="w-1" selected>' in quick


def test_grouped_choices_fall_back_to_djangos_rendering():
    widget = QuickSelect(choices=[("Nhóm", [("a", "A"), ("b", "B")])])
    assert parse_html(widget.render("x", "b")) == parse_html(
        forms.Select(choices=[("Nhóm", [("a", "A"), ("b", "B")])]).render("x", "b")
    )


def test_a_model_choice_is_read_in_one_query_without_a_count(django_assert_num_queries):
    for n in range(3):
        factories.authority(code=f"q-{n}", name=f"Xã {n}")

    class Quick(forms.Form):
        choice = forms.ModelChoiceField(
            widget=QuickSelect, queryset=Authority.objects.filter(code__startswith="q-")
        )

    with django_assert_num_queries(1) as captured:
        html = str(Quick()["choice"])
    assert "COUNT" not in captured.captured_queries[0]["sql"]
    assert html.count("<option") == 4  # the empty choice and three authorities


def test_labelled_by_a_field_the_choices_are_read_as_values_with_distinct_and_ordering(
    django_assert_num_queries,
):
    from registry.models import AwardType

    factories.award_type("w-giay-khen", name="Giấy khen <mẫu>", display_order=2)
    factories.award_type("w-bang-khen", name="Bằng khen & cờ", display_order=1)
    queryset = AwardType.objects.filter(code__startswith="w-").distinct()
    quick, plain = both({"queryset": queryset}, None, "name")
    assert parse_html(quick) == parse_html(plain)
    assert quick.index("Bằng khen &amp; cờ") < quick.index("Giấy khen &lt;mẫu&gt;")

    class Quick(forms.Form):
        choice = forms.ModelChoiceField(widget=QuickSelect(label_field="name"), queryset=queryset)

    with django_assert_num_queries(1) as captured:
        str(Quick()["choice"])
    assert "certificate_title" not in captured.captured_queries[0]["sql"]  # not whole rows


def test_whether_required_is_written_is_djangos_answer_without_a_query(django_assert_num_queries):
    first = factories.authority(code="r-0", name="Xã Không")
    factories.authority(code="r-1", name="Xã Một")
    queryset = Authority.objects.filter(code__startswith="r-")
    cases = [
        {"required": True},
        {"required": False},
        {"required": True, "initial": first.pk},  # no empty label: Select read the first row
        {"required": True, "initial": first.pk, "queryset": queryset.none()},
    ]
    for kwargs in cases:
        kwargs = {"queryset": queryset, **kwargs}
        quick = forms.ModelChoiceField(widget=QuickSelect(label_field="name"), **kwargs)
        plain = forms.ModelChoiceField(**kwargs)
        with django_assert_num_queries(0):
            answer = quick.widget.use_required_attribute(kwargs.get("initial"))
        assert answer == plain.widget.use_required_attribute(kwargs.get("initial")), kwargs
