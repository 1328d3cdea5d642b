"""Numbers as a Vietnamese reader writes them, on every screen.

``{% load vi_format %}`` then ``{{ amount|money_vnd }}`` gives "1.410.000 đ", ``{{ value|number_vi }}``
"2,5" and ``{{ value|points:"-" }}`` "−2,5". The admin's display methods call the same functions,
so a list column and a template print an amount alike (the papers use papers.money).
"""

from decimal import Decimal

from django import template

from registry.selectors.targets import number_vi as _number_vi
from registry.services.papers import money

register = template.Library()

MINUS = "−"  # U+2212, as printed forms write a minus sign


@register.filter
def money_vnd(amount) -> str:
    """1410000 -> '1.410.000 đ'; None or '' -> 'chưa xác định'."""
    if amount is None or amount == "":
        return money(None)
    return f"{money(int(amount))} đ"


@register.filter
def number_vi(value) -> str:
    """10.00 -> '10'; 2.50 -> '2,5'; 27910 -> '27.910'; -0.00 -> '0'; None -> '–'."""
    if value is None or value == "":
        return _number_vi(None)
    value = Decimal(value)
    if value == 0:
        value = Decimal(0)  # never a negative zero
    return _number_vi(value).replace("-", MINUS)


@register.filter
def points(value, sign: str = "+") -> str:
    """A bloc's scale: points(10) -> '+10', points(2.5, '-') -> '−2,5', points(0, '-') -> '0'."""
    if value is None or value == "":
        return _number_vi(None)
    value = Decimal(value)
    if value == 0:
        return "0"
    shown = number_vi(abs(value))
    negative = (value < 0) != (sign == "-")
    return f"{MINUS if negative else '+'}{shown}"
