"""{% nav_sidebar %}: the admin's side menu, rendered once per process for each menu and page.

The menu (RegistryAdminSite.get_app_list) is the same for every user with the same permissions,
and only the rows matching the current address are marked; rendering its sixty rows through the
template engine cost every admin page about five milliseconds.
"""

from django import template
from django.template.defaultfilters import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

TEMPLATE = "admin/registry/nav_sidebar.html"
_rendered: dict[tuple, str] = {}


def _current(url, path: str) -> bool:
    """The template's own test ({% if url in request.path|urlencode %}) for a set address."""
    return bool(url) and url in path


@register.simple_tag(takes_context=True)
def nav_sidebar(context):
    request = context["request"]
    menu = getattr(request, "registry_menu_key", None)
    path = urlencode(request.path)
    marks = tuple(
        (
            _current(app["app_url"], path),
            tuple(_current(m.get("admin_url"), path) for m in app["models"]),
        )
        for app in context.get("available_apps") or []
    )
    key = (menu, marks, get_language())
    html = _rendered.get(key) if menu is not None else None
    if html is None:
        html = context.template.engine.get_template(TEMPLATE).render(context)
        if menu is not None:
            if len(_rendered) >= 512:
                _rendered.clear()
            _rendered[key] = html
    return mark_safe(html)
