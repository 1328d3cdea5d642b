"""What every screen must be at 1366x768: no sideways scrolling, and no English.

`assert_fits_and_vietnamese(page)` checks the page a Playwright test has open; `admin_pages(user)`
lists the pages of the admin a user may open (every list, add page and one change page per model),
for crawling. Any browser test can use both:

    from tests.screens import SCREEN, assert_fits_and_vietnamese
    context = browser.new_context(viewport=SCREEN, locale="vi-VN")
    ...
    assert_fits_and_vietnamese(page)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The common office laptop.
SCREEN = {"width": 1366, "height": 768}

# Words of Django's and its apps' English that a clerk must never meet, as whole words.
ENGLISH_WORDS = [
    "Show",
    "View",
    "Changed",
    "Object",
    "None",
    "Please",
    "Toggle",
    "Skip",
    "entries",
    "Add",
    "Delete",
    "Save",
    "Search",
    "History",
    "Filter",
    "Action",
    "Go",
    "Yes",
    "No",
]
_ENGLISH = re.compile(r"(?<!\w)(" + "|".join(ENGLISH_WORDS) + r")(?!\w)")

_MEASURE = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    text: document.body ? document.body.innerText : "",
})"""


def english_words(text: str) -> list[str]:
    """Each forbidden English word found in text, with a few characters around it."""
    found = []
    for match in _ENGLISH.finditer(text):
        start, end = max(0, match.start() - 30), min(len(text), match.end() + 30)
        context = " ".join(text[start:end].split())
        found.append(f"{match.group(1)!r} in “{context}”")
    return found


def screen_problems(page) -> list[str]:
    """What is wrong with the page open in `page`: too wide, or English words. Empty if none."""
    measure = page.evaluate(_MEASURE)
    problems = []
    if measure["scrollWidth"] > measure["innerWidth"]:
        problems.append(
            f"scrolls sideways: {measure['scrollWidth']} px wide in a "
            f"{measure['innerWidth']} px window"
        )
    problems += [f"English {word}" for word in english_words(measure["text"])]
    return problems


def assert_fits_and_vietnamese(page) -> None:
    problems = screen_problems(page)
    assert not problems, f"{page.url}:\n  " + "\n  ".join(problems)


@dataclass(frozen=True)
class AdminPage:
    model: str  # app_label.ModelName
    kind: str  # "list", "add" or "change"
    url: str


def admin_pages(user) -> list[AdminPage]:
    """Every registered model's list, its add page where the user may add, and the change (or
    view) page of the first row the user can see, as the admin itself decides."""
    from django.contrib import admin
    from django.test import RequestFactory
    from django.urls import reverse

    request = RequestFactory().get("/admin/")
    request.user = user
    pages = []
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    ):
        label = model._meta.label
        info = (model._meta.app_label, model._meta.model_name)
        if not model_admin.has_view_or_change_permission(request):
            continue
        pages.append(AdminPage(label, "list", reverse("admin:{}_{}_changelist".format(*info))))
        if model_admin.has_add_permission(request):
            pages.append(AdminPage(label, "add", reverse("admin:{}_{}_add".format(*info))))
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            url = reverse("admin:{}_{}_change".format(*info), args=[first.pk])
            pages.append(AdminPage(label, "change", url))
    return pages
