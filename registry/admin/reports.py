"""The annual report page of the admin: choose a year, an authority (with those below it or
not) and the year basis; see the summary and the chart; download it as Excel or PDF.

The page is a plain admin view (no model behind it). It is added to the admin site's URLs and to
the "Thi đua, khen thưởng" box of the index from here, so the admin site class stays untouched.
"""

import tempfile
from datetime import date

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.template.response import TemplateResponse

from registry.adminsite import Page
from registry.models import Authority
from registry.selectors.reports import ACHIEVEMENT, BASES, BASIS_SHORT, annual_summary
from registry.selectors.scope import authorities_for, user_authority_ids
from registry.services.report_exports import MONEY, report_context, report_pdf, report_xlsx
from registry.widgets import QuickSelect

from .base import OFFICE_CHOICE_ERRORS, YEAR_ERRORS

URL_NAME = "registry_annual_report"
PERMISSION = "registry.view_award"
TITLE = "Báo cáo khen thưởng hằng năm"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AnnualReportForm(forms.Form):
    year = forms.IntegerField(
        label="Năm", min_value=1945, max_value=2100, error_messages=YEAR_ERRORS
    )
    authority = forms.ModelChoiceField(
        widget=QuickSelect(label_field="name"),
        label="Cấp khen",
        queryset=Authority.objects.order_by("name"),
        required=False,
        empty_label="Toàn bộ sổ khen thưởng",
        to_field_name="code",
        error_messages=OFFICE_CHOICE_ERRORS,
    )
    subtree = forms.BooleanField(label="Gồm cả các cấp trực thuộc", required=False)
    with_predecessors = forms.BooleanField(
        label="Gồm cả cấp tiền nhiệm đã chấm dứt",
        required=False,
        help_text="Ví dụ: xã mới từ 01/7/2025 gồm cả khen thưởng của huyện trước đó.",
    )
    basis = forms.ChoiceField(
        label="Tính năm theo",
        choices=[(b, BASIS_SHORT[b].capitalize()) for b in BASES],
        initial=ACHIEVEMENT,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Hãy chọn cách tính năm trong ô “Tính năm theo”.",
            "invalid_choice": "Cách tính năm này không có trong ô “Tính năm theo”: "
            "hãy chọn một trong hai cách.",
        },
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["authority"]
        field.queryset = authorities_for(user).order_by("name")
        if user_authority_ids(user) is not None:
            # A user limited to some offices reports on one of them, never the whole registry.
            field.required = True
            field.empty_label = None
            field.help_text = "Chỉ các cấp khen của cơ quan mình và các cấp trực thuộc."


def _filename(summary, ext: str) -> str:
    scope = summary.authority.code if summary.authority else "toan-bo"
    if summary.subtree:
        scope += "-va-truc-thuoc"
    if summary.with_predecessors:
        scope += "-va-tien-nhiem"
    return f"bao-cao-khen-thuong-{summary.year}-{scope}-{summary.basis}.{ext}"


def annual_report_view(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    data = request.GET if "year" in request.GET else None
    form = AnnualReportForm(
        data,
        initial={"year": date.today().year - 1, "basis": ACHIEVEMENT},
        user=request.user,
    )
    summary = None
    if form.is_valid():
        summary = annual_summary(
            year=form.cleaned_data["year"],
            authority=form.cleaned_data["authority"],
            subtree=form.cleaned_data["subtree"],
            basis=form.cleaned_data["basis"],
            with_predecessors=form.cleaned_data["with_predecessors"],
        )
        fmt = request.GET.get("format")
        if fmt == "xlsx":
            # The full list may be long: spooled to disk, closed by FileResponse once sent.
            spool = tempfile.TemporaryFile()  # noqa: SIM115
            report_xlsx(summary, spool)
            spool.seek(0)
            return FileResponse(
                spool,
                as_attachment=True,
                filename=_filename(summary, "xlsx"),
                content_type=XLSX_TYPE,
            )
        if fmt == "pdf":
            response = HttpResponse(report_pdf(summary), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{_filename(summary, "pdf")}"'
            return response
    context = {
        **admin.site.each_context(request),
        "title": TITLE,
        "form": form,
        "query": request.GET.urlencode() if summary else "",
    }
    if summary is not None:
        context.update(report_context(summary, for_print=True))
        context["tables"] = screen_tables(context["tables"], summary.year)
    return TemplateResponse(request, "admin/registry/reports/annual.html", context)


def screen_tables(tables: list[dict], year: int) -> list[dict]:
    """The report's tables as the screen shows them: grouped headers that fit a laptop.

    "Năm 2021: tập thể" becomes "Tập thể" under a "Năm 2021" group; a form's "Huân chương Lao
    động: cá nhân" becomes "Cá nhân" under its award. The figures are the files' own.
    """
    previous = f"Năm {year - 1}: "
    shown = []
    for item in tables:
        table = item["table"]
        headers = [column.header for column in table.columns]
        groups = list(table.groups or [])
        if not groups and any(h.startswith(previous) for h in headers):
            spans = [1, 4, 4, len(headers) - 9]
            groups = list(zip(["", f"Năm {year}", f"Năm {year - 1}", ""], spans, strict=True))
        short = []
        if groups:
            start = 0
            for label, span in groups:
                for header in headers[start : start + span]:
                    head, _, tail = header.partition(": ")
                    named = label and tail and (head == label or header.startswith(previous))
                    short.append(tail[:1].upper() + tail[1:] if named else header)
                start += span
        else:
            short = headers
        # Money as every screen writes it: 64.800.000 đ ("chưa xác định" stays as it is).
        money = {n for n, column in enumerate(table.columns) if column.kind == MONEY}
        short = [h.replace(" (đồng)", "") if n in money else h for n, h in enumerate(short)]
        rows = [
            {
                **row,
                "cells": [
                    f"{cell} đ" if n in money and cell[:1].isdigit() else cell
                    for n, cell in enumerate(row["cells"])
                ],
            }
            for row in item["rows"]
        ]
        shown.append(
            {
                **item,
                "rows": rows,
                "groups": [(label, span) for label, span in groups],
                "headers": short,
                "long": len(rows) > 12,
            }
        )
    return shown


admin.site.register_page(
    Page(
        route="registry/bao-cao-nam/",
        view=annual_report_view,
        name=URL_NAME,
        title=TITLE,
        permission=PERMISSION,
    )
)
