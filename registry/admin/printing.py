"""Printing in the admin: layouts for blanks, the print log, background jobs, and the print
buttons of a decision page. Every view here calls registry.services.certificates or .papers."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from registry.models import Authority, AwardType, Decision
from registry.models.printing import (
    CALIBRATE_PERMISSION,
    LAYOUT_AXES,
    LAYOUT_BLOCKS,
    CertificateLayout,
    LayoutCalibration,
    PrintJob,
    PrintJobStatus,
    PrintLog,
    PrintMode,
)
from registry.selectors.scope import authorities_for
from registry.services import certificates, papers
from registry.templatetags.vi_format import number_vi
from registry.text import fold
from registry.views.files import file_response

from .base import OfficeScopedAdmin, RecordOnlyAdmin


def pdf_response(data: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def certificates_response(request, *, awards, mode, reprint, decision=None, stem="giay-khen"):
    """The one way the admin prints certificates: a PDF now, or a background job when large."""
    certificates.print_permission_require(user=request.user)
    count = len(certificates._award_ids(awards))
    if certificates.print_needs_background(count):
        job = certificates.print_job_start(
            awards=awards, mode=mode, reprint=reprint, user=request.user, decision=decision
        )
        messages.info(
            request,
            f"Đợt in {count} giấy khen đang chạy nền; trang này tự cập nhật và có nút tải về khi xong.",
        )
        return HttpResponseRedirect(reverse("admin:registry_printjob_status", args=[job.pk]))
    data = certificates.certificates_render(
        awards=awards, mode=mode, reprint=reprint, user=request.user
    )
    suffix = "-phoi" if mode == PrintMode.OVERLAY else ""
    suffix += "-cap-lai" if reprint else ""
    return pdf_response(data, f"{stem}{suffix}.pdf")


def print_refused(request, back: str) -> HttpResponseRedirect:
    """A reader who follows a print link is sent back with the reason, in Vietnamese."""
    messages.error(request, certificates.PRINT_REFUSED)
    return HttpResponseRedirect(back)


def _layout_fieldsets():
    sets = [(None, {"fields": ["authority", "award_type", ("page_size", "orientation"), "note"]})]
    for block, label in LAYOUT_BLOCKS.items():
        sets.append(
            (
                f"Vị trí: {label} (mm, để trống = như mẫu đầy đủ)",
                {
                    "fields": [tuple(f"{block}_{axis}" for axis in LAYOUT_AXES)],
                    "classes": ["collapse"],
                },
            )
        )
    return sets


class CalibrationForm(forms.Form):
    authority = forms.ModelChoiceField(
        Authority.objects.none(), label="Cấp khen (máy in của cơ quan)"
    )
    award_type = forms.ModelChoiceField(
        AwardType.objects.order_by("display_order", "name"), label="Danh hiệu, hình thức (mẫu phôi)"
    )
    shift_x = forms.DecimalField(
        label="Dịch sang phải (mm)",
        max_digits=4,
        decimal_places=1,
        initial=0,
        localize=True,  # 2,5 as a Vietnamese clerk types it (2.5 is read too)
        help_text="Chữ in ra nằm lệch sang trái so với ô trên phôi bao nhiêu mi-li-mét thì ghi "
        "bấy nhiêu; lệch sang phải thì ghi số âm.",
    )
    shift_y = forms.DecimalField(
        label="Dịch xuống dưới (mm)",
        max_digits=4,
        decimal_places=1,
        initial=0,
        localize=True,
        help_text="Chữ in ra nằm cao hơn ô trên phôi bao nhiêu mi-li-mét thì ghi bấy nhiêu; "
        "thấp hơn thì ghi số âm.",
    )
    note = forms.CharField(label="Ghi chú", required=False, max_length=255)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities_for(user).order_by("name")
        for name in ("shift_x", "shift_y"):
            self.fields[name].widget.attrs.update({"style": "width:6em", "inputmode": "decimal"})


@admin.register(CertificateLayout)
class CertificateLayoutAdmin(OfficeScopedAdmin, admin.ModelAdmin):
    scope = "authority"
    scope_shared_null = True  # a layout for every authority: read by all, changed by admins
    list_display = [
        "award_type",
        "authority",
        "page_size",
        "orientation",
        "shift_shown",
        "updated_at",
    ]
    list_filter = ["award_type", "page_size", "orientation"]
    list_select_related = ["award_type", "authority"]
    autocomplete_fields = ["authority", "award_type"]
    fieldsets = _layout_fieldsets()
    readonly_fields = ["shift_x", "shift_y"]
    actions = ["print_calibration"]
    change_list_template = "admin/registry/certificatelayout/change_list.html"

    def has_print_permission(self, request):
        return certificates.print_allowed(request.user)

    def get_fieldsets(self, request, obj=None):
        return [
            *super().get_fieldsets(request, obj),
            (
                "Căn chỉnh máy in (nhập ở trang Căn chỉnh in trên phôi)",
                {"fields": [("shift_x", "shift_y")]},
            ),
        ]

    @admin.display(description="dịch khi in trên phôi")
    def shift_shown(self, obj):
        if not (obj.shift_x or obj.shift_y):
            return "–"
        return f"phải {number_vi(obj.shift_x)} mm, xuống {number_vi(obj.shift_y)} mm"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("can-chinh/", view(self.calibrate_view), name="registry_layout_calibrate"),
            path(
                "can-chinh/pdf/",
                view(self.calibration_pdf_view),
                name="registry_layout_calibration",
            ),
        ] + super().get_urls()

    def _pair(self, request, data):
        """(authority, award type) asked for, each None when absent or out of the user's sight."""
        authority = authorities_for(request.user).filter(pk=data.get("authority") or 0).first()
        award_type = AwardType.objects.filter(pk=data.get("award_type") or 0).first()
        return authority, award_type

    def calibrate_view(self, request):
        can_calibrate = request.user.has_perm(CALIBRATE_PERMISSION)
        if not (can_calibrate or certificates.print_allowed(request.user)):
            raise PermissionDenied
        if not self.has_view_permission(request):
            raise PermissionDenied
        authority, award_type = self._pair(request, request.POST or request.GET)
        if authority is None:
            authority = authorities_for(request.user).order_by("name").first()
        layout = certificates.layout_for_pair(authority=authority, award_type=award_type)
        own = (
            layout
            if layout is not None and layout.authority_id == getattr(authority, "pk", None)
            else None
        )
        initial = {
            "authority": authority,
            "award_type": award_type,
            "shift_x": own.shift_x if own else 0,
            "shift_y": own.shift_y if own else 0,
        }
        form = CalibrationForm(request.POST or None, initial=initial, user=request.user)
        if request.method == "POST":
            if not can_calibrate:
                raise PermissionDenied(certificates.CALIBRATE_REFUSED)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    certificates.layout_calibrate(
                        authority=data["authority"],
                        award_type=data["award_type"],
                        shift_x=data["shift_x"],
                        shift_y=data["shift_y"],
                        note=data["note"],
                        user=request.user,
                    )
                except ValidationError as error:
                    for field_name, errors in error.message_dict.items():
                        for message in errors:
                            form.add_error(
                                field_name if field_name in form.fields else None, message
                            )
                else:
                    self.message_user(
                        request,
                        f"Đã lưu: phần in trên phôi {data['award_type']} của {data['authority']} "
                        f"dịch sang phải {number_vi(data['shift_x'])} mm, xuống dưới "
                        f"{number_vi(data['shift_y'])} mm. Hãy in lại trang căn chỉnh để kiểm tra.",
                        messages.SUCCESS,
                    )
                    query = f"?authority={data['authority'].pk}&award_type={data['award_type'].pk}"
                    return HttpResponseRedirect(reverse("admin:registry_layout_calibrate") + query)
        # The history is read here, for the offices in sight; it has no admin list of its own.
        history = LayoutCalibration.objects.none()
        if authority is not None:
            history = (
                LayoutCalibration.objects.filter(layout__authority=authority)
                .select_related("layout__award_type", "recorded_by")
                .order_by("-recorded_at", "-id")[:20]
            )
        pdf_url = None
        if award_type is not None and authority is not None:
            pdf_url = (
                reverse("admin:registry_layout_calibration")
                + f"?authority={authority.pk}&award_type={award_type.pk}"
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Căn chỉnh in trên phôi",
            "form": form,
            "can_calibrate": can_calibrate,
            "can_print": certificates.print_allowed(request.user),
            "layout": layout,
            "own": own,
            "pdf_url": pdf_url,
            "history": history,
        }
        return TemplateResponse(request, "admin/registry/certificatelayout/calibrate.html", context)

    def calibration_pdf_view(self, request):
        back = reverse("admin:registry_layout_calibrate")
        if not certificates.print_allowed(request.user):
            return print_refused(request, back)
        authority, award_type = self._pair(request, request.GET)
        if authority is None or award_type is None:
            raise Http404("Chưa chọn cấp khen và danh hiệu.")
        data = certificates.certificates_calibration(authority=authority, award_type=award_type)
        return pdf_response(data, "can-chinh.pdf")

    @admin.action(description="In trang thước căn chỉnh cho mẫu đã chọn", permissions=["print"])
    def print_calibration(self, request, queryset):
        layout = queryset.select_related("authority", "award_type").first()
        data = certificates.certificates_calibration(
            authority=layout.authority, award_type=layout.award_type
        )
        return pdf_response(data, "can-chinh.pdf")


@admin.register(PrintLog)
class PrintLogAdmin(RecordOnlyAdmin, OfficeScopedAdmin, admin.ModelAdmin):
    scope = "award__authority"
    list_display = ["printed_at", "award", "kind", "mode", "printed_by", "job"]
    list_filter = ["kind", "mode", ("printed_at", admin.DateFieldListFilter)]
    list_select_related = ["award__award_type", "printed_by", "job__decision"]
    date_hierarchy = "printed_at"


class RegisterForm(forms.Form):
    authority = forms.ModelChoiceField(Authority.objects.all(), label="Cấp khen")
    year = forms.IntegerField(label="Năm", min_value=1945, max_value=2100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities_for(user)


@admin.register(PrintJob)
class PrintJobAdmin(OfficeScopedAdmin, admin.ModelAdmin):
    scope = "decision__authority"
    list_display = ["created_at", "__str__", "status", "progress", "created_by", "download"]
    list_filter = ["status"]
    list_select_related = ["decision", "created_by"]
    actions = ["retry_jobs"]

    def scope_q(self, request, ids):
        # A batch printed from selected award lines (no decision) is its requester's.
        return super().scope_q(request, ids) | Q(decision__isnull=True, created_by=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_print_permission(self, request):
        return certificates.print_allowed(request.user)

    def changelist_view(self, request, extra_context=None):
        # The list is where people look for a job that stopped: say so there.
        certificates.print_jobs_sweep()
        return super().changelist_view(request, extra_context)

    @admin.action(description="Chạy lại các lượt in bị lỗi đã chọn", permissions=["print"])
    def retry_jobs(self, request, queryset):
        retried = 0
        for job in queryset.select_related("decision"):
            try:
                certificates.print_job_retry(job=job, user=request.user)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                retried += 1
        if retried:
            messages.success(request, f"Đã xếp lại {retried} lượt in vào hàng chờ in nền.")

    @admin.display(description="tiến độ")
    def progress(self, obj):
        return f"{obj.done}/{obj.total} ({obj.percent}%)"

    @admin.display(description="tệp")
    def download(self, obj):
        if obj.status == PrintJobStatus.DONE and obj.file:
            return format_html(
                '<a href="{}">Tải về</a>',
                reverse("admin:registry_printjob_download", args=[obj.pk]),
            )
        return format_html(
            '<a href="{}">Xem</a>', reverse("admin:registry_printjob_status", args=[obj.pk])
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/status/", view(self.status_view), name="registry_printjob_status"),
            path("<int:pk>/download/", view(self.download_view), name="registry_printjob_download"),
            path("<int:pk>/retry/", view(self.retry_view), name="registry_printjob_retry"),
            path(
                "decision/<int:pk>/certificates/",
                view(self.decision_certificates_view),
                name="registry_decision_print_certificates",
            ),
            path(
                "decision/<int:pk>/calibration/",
                view(self.decision_calibration_view),
                name="registry_decision_print_calibration",
            ),
            path(
                "decision/<int:pk>/paper/<str:paper>/",
                view(self.decision_paper_view),
                name="registry_decision_print_paper",
            ),
            path("register/", view(self.register_view), name="registry_print_register"),
        ] + super().get_urls()

    # --- background jobs ---

    def _job(self, request, pk) -> PrintJob:
        job = self.scoped_object_or_404(request, pk, PrintJob.objects.select_related("decision"))
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        return job

    def status_view(self, request, pk):
        certificates.print_jobs_sweep()
        job = self._job(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "job": job,
            "title": str(job),
            "running": job.status in (PrintJobStatus.QUEUED, PrintJobStatus.RUNNING),
            "download_url": reverse("admin:registry_printjob_download", args=[job.pk]),
            "can_print": certificates.print_allowed(request.user),
            "retry_url": reverse("admin:registry_printjob_retry", args=[job.pk]),
        }
        return TemplateResponse(request, "registry/certificates/job_status.html", context)

    def retry_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self._job(request, pk)
        back = reverse("admin:registry_printjob_status", args=[job.pk])
        if not certificates.print_allowed(request.user):
            return print_refused(request, back)
        try:
            certificates.print_job_retry(job=job, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.info(request, "Đã xếp lại lượt in vào hàng chờ; trang này tự cập nhật.")
        return HttpResponseRedirect(back)

    def download_view(self, request, pk):
        job = self._job(request, pk)
        # The file is the certificates themselves: taking it is printing them.
        if not certificates.print_allowed(request.user):
            return print_refused(request, reverse("admin:registry_printjob_status", args=[job.pk]))
        if job.status != PrintJobStatus.DONE or not job.file:
            raise Http404("Tệp chưa in xong.")
        return file_response(job.file, as_attachment=True)

    # --- a decision's papers ---

    def _decision(self, request, pk) -> Decision:
        if not request.user.has_perm("registry.view_decision"):
            raise PermissionDenied
        decisions = self.admin_site._registry[Decision]
        decision = decisions.scoped_object_or_404(
            request, pk, Decision.objects.select_related("authority")
        )
        return decision

    def _back(self, request, decision, error: ValidationError):
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(self._decision_url(decision))

    def _decision_url(self, decision) -> str:
        return reverse("admin:registry_decision_change", args=[decision.pk])

    def decision_certificates_view(self, request, pk):
        decision = self._decision(request, pk)
        if not certificates.print_allowed(request.user):
            return print_refused(request, self._decision_url(decision))
        mode = request.GET.get("mode", PrintMode.FULL)
        reprint = request.GET.get("reprint") == "1"
        try:
            return certificates_response(
                request,
                awards=certificates.decision_certificate_awards(decision),
                mode=mode,
                reprint=reprint,
                decision=decision,
                stem=_stem("giay-khen", decision),
            )
        except ValidationError as error:
            return self._back(request, decision, error)

    def decision_calibration_view(self, request, pk):
        decision = self._decision(request, pk)
        if not certificates.print_allowed(request.user):
            return print_refused(request, self._decision_url(decision))
        first = certificates.decision_certificate_awards(decision).select_related("award_type")
        award = first.first()
        data = certificates.certificates_calibration(
            authority=decision.authority, award_type=award.award_type if award else None
        )
        return pdf_response(data, "can-chinh.pdf")

    def decision_paper_view(self, request, pk, paper):
        decision = self._decision(request, pk)
        stem = _stem("quyet-dinh", decision)
        if paper == "decision.pdf":
            return pdf_response(papers.decision_pdf(decision=decision), f"{stem}.pdf")
        if paper == "decision.docx":
            response = HttpResponse(
                papers.decision_docx(decision=decision),
                content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
            response["Content-Disposition"] = f'attachment; filename="{stem}.docx"'
            return response
        if paper == "payout.pdf":
            return pdf_response(
                papers.payout_sheet_pdf(decision=decision), f"{_stem('bang-ke-tien', decision)}.pdf"
            )
        raise Http404("Không có loại giấy tờ này.")

    def register_view(self, request):
        if not request.user.has_perm("registry.view_award"):
            raise PermissionDenied
        form = RegisterForm(
            request.GET or None, initial={"year": timezone.localdate().year}, user=request.user
        )
        if form.is_bound and form.is_valid():
            authority, year = form.cleaned_data["authority"], form.cleaned_data["year"]
            return pdf_response(
                papers.register_pdf(authority=authority, year=year),
                f"so-vang-{authority.code}-{year}.pdf",
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": "In sổ vàng khen thưởng",
        }
        return TemplateResponse(request, "registry/papers/register_form.html", context)


def _stem(prefix: str, decision: Decision) -> str:
    number = "".join(
        c if c.isalnum() else "-" for c in (decision.number or f"du-thao-{decision.pk}")
    )
    return f"{prefix}-{fold(number).replace(' ', '-')}"
