"""The clerk's pages for signed papers, inside the admin's look: attaching a decision's PDF signed
elsewhere, and uploading the pledge after each unit's head signed it. The rules are in
registry.services.received_papers; these pages only show the form and the service's answer."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from registry.models import Decision, Pledge
from registry.services.received_papers import (
    SIGNED_PAPER_MAX_BYTES,
    decision_signed_attach,
    decision_signed_papers,
    decision_signed_valid,
    pledge_signed_upload,
    pledge_signing_rows,
    upload_read,
)


class DecisionSignedForm(forms.Form):
    file = forms.FileField(
        label="Tệp PDF đã ký số",
        required=False,
        help_text="Bản quyết định đã được ký số trên thiết bị ký của người ký (USB token hoặc "
        "dịch vụ ký từ xa).",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    confirmed_number = forms.CharField(
        label="Số quyết định trên tệp",
        required=False,
        max_length=60,
        help_text="Chỉ ghi khi tệp là ảnh chụp, không đọc được chữ: số đọc trên tệp.",
    )
    confirmed_date = forms.DateField(
        label="Ngày ký trên tệp",
        required=False,
        input_formats=["%d/%m/%Y"],
        help_text="Chỉ ghi khi tệp là ảnh chụp: ngày/tháng/năm đọc trên tệp.",
        error_messages={"invalid": "Ghi ngày theo dạng ngày/tháng/năm, ví dụ 05/01/2024."},
    )


class PledgeSignedForm(forms.Form):
    unit = forms.ChoiceField(label="Đơn vị vừa ký", choices=())
    file = forms.FileField(
        label="Tệp PDF giao ước sau chữ ký mới",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "— chọn đơn vị —")] + [
            (str(u.pk), str(u)) for u in units
        ]


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, found in error.message_dict.items():
            form.add_error(name if name in form.fields else None, found)
    else:
        form.add_error(None, error.messages)


def _may_upload(request) -> bool:
    return request.user.has_perm("registry.add_signedpaper")


def decision_signed_view(model_admin, request, decision_id):
    decision_admin = model_admin.admin_site._registry[Decision]
    decision = decision_admin.scoped_object_or_404(
        request, decision_id, Decision.objects.select_related("authority")
    )
    if not decision_admin.has_view_permission(request, decision):
        raise PermissionDenied
    may_upload = _may_upload(request)
    form = DecisionSignedForm()
    if request.method == "POST":
        if not may_upload:
            raise PermissionDenied
        form = DecisionSignedForm(request.POST, request.FILES)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                data = upload_read(uploaded, max_bytes=SIGNED_PAPER_MAX_BYTES)
                paper = decision_signed_attach(
                    decision=decision,
                    data=data,
                    filename=uploaded.name,
                    user=request.user,
                    confirmed_number=form.cleaned_data["confirmed_number"] or "",
                    confirmed_date=form.cleaned_data["confirmed_date"],
                )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                level = messages.SUCCESS if paper.is_valid else messages.WARNING
                messages.add_message(
                    request,
                    level,
                    f"Đã đính kèm bản ký số của quyết định {decision.number}: "
                    f"{paper.get_status_display().lower()}.",
                )
                return HttpResponseRedirect(request.path)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Decision._meta,
        "title": f"Bản ký số của quyết định {decision.number}",
        "decision": decision,
        "change_url": reverse("admin:registry_decision_change", args=[decision.pk]),
        "papers": decision_signed_papers(decision),
        "valid_paper": decision_signed_valid(decision),
        "form": form,
        "may_upload": may_upload,
    }
    return TemplateResponse(
        request,
        "admin/registry/signedpaper/decision.html",
        context,
        status=400 if form.errors else 200,
    )


def pledge_signed_view(model_admin, request, pledge_id):
    pledge_admin = model_admin.admin_site._registry[Pledge]
    pledge = pledge_admin.scoped_object_or_404(
        request, pledge_id, Pledge.objects.select_related("authority", "bloc")
    )
    if not pledge_admin.has_view_permission(request, pledge):
        raise PermissionDenied
    rows = pledge_signing_rows(pledge=pledge)
    waiting = [row.unit for row in rows if not row.signed]
    may_upload = _may_upload(request)
    form = PledgeSignedForm(units=waiting)
    if request.method == "POST":
        if not may_upload:
            raise PermissionDenied
        form = PledgeSignedForm(request.POST, request.FILES, units=waiting)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            unit = next(u for u in waiting if str(u.pk) == form.cleaned_data["unit"])
            try:
                data = upload_read(uploaded, max_bytes=SIGNED_PAPER_MAX_BYTES)
                pledge_signed_upload(
                    pledge=pledge, data=data, unit=unit, filename=uploaded.name, user=request.user
                )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, f"Đã ghi nhận chữ ký số của {unit}.")
                return HttpResponseRedirect(request.path)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Pledge._meta,
        "title": f"Ký số giao ước «{pledge.title}»",
        "pledge": pledge,
        "change_url": reverse("admin:registry_pledge_change", args=[pledge.pk]),
        "rows": rows,
        "signed_count": sum(1 for row in rows if row.signed),
        "form": form,
        "may_upload": may_upload and bool(waiting),
        "latest": pledge.signed_papers.order_by("-revision").first(),
    }
    return TemplateResponse(
        request,
        "admin/registry/signedpaper/pledge.html",
        context,
        status=400 if form.errors else 200,
    )
