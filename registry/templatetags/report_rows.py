"""{{ item.rows|report_rows }}: a report table's body, written directly.

A commune's annual report shows a few hundred rows of eight or more figures; through the template
engine, cell by cell, they were a third of the page. The markup is the loop's own
(tests/admin/test_screen_formats.py compares them).
"""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

EMPTY = "<tr><td>Không có số liệu.</td></tr>"
FIRST, NUMBER = "<td>", '<td class="n">'


@register.filter
def report_rows(rows) -> str:
    if not rows:
        return mark_safe(EMPTY)
    lines = []
    # Most cells are the same few small numbers; each is localized and escaped once.
    written: dict[tuple[type, object], str] = {}

    def text(cell) -> str:
        try:
            return written[type(cell), cell]
        except KeyError:
            found = written[type(cell), cell] = conditional_escape(localize(cell))
            return found
        except TypeError:  # not hashable
            return conditional_escape(localize(cell))

    for row in rows:
        cells = "".join(
            f"{NUMBER if n else FIRST}{text(cell)}</td>" for n, cell in enumerate(row["cells"])
        )
        lines.append(f'<tr class="{"strong" if row.get("strong") else ""}">{cells}</tr>')
    return mark_safe("\n".join(lines))
