"""Uploading spreadsheets: a preview, then confirm; the template workbook; merging duplicates.

Thin views over registry.services.imports; the same functions serve the commands and tests.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from registry.models import (
    Authority,
    AwardType,
    Decision,
    ImportBatch,
    ImportKind,
    ImportStatus,
    RecipientMerge,
)
from registry.selectors.scope import authorities_for, office_q, recipient_scope_q
from registry.services.imports import (
    KIND_MODELS,
    FileProblem,
    batch_lines,
    check_upload_size,
    import_confirm,
    import_discard,
    import_preview,
    problems_as_text,
    template_workbook,
)
from registry.services.recipients import recipients_merge_many
from registry.text import fold

from .base import OfficeScopedAdmin, RecordOnlyAdmin

_PERMS = {
    ImportKind.HONOREES: ["registry.change_decision", "registry.add_award"],
    ImportKind.HISTORY: ["registry.add_decision", "registry.add_award"],
    ImportKind.RATINGS: ["registry.add_rating"],
}
_TITLES = {
    ImportKind.HONOREES: "Nhập danh sách khen thưởng từ Excel",
    ImportKind.HISTORY: "Nhập khen thưởng các năm trước từ Excel",
    ImportKind.RATINGS: "Nhập xếp loại hằng năm từ Excel",
}
_KIND_LABELS = {"tap-the": "Tập thể", "ca-nhan": "Cá nhân", "ho-gia-dinh": "Hộ gia đình"}
_SUMMARY_LABELS = {
    "lines": "số dòng",
    "created_lines": "dòng đã nhập",
    "unchanged": "dòng đã có từ trước",
    "collectives": "tập thể",
    "individuals": "cá nhân",
    "households": "hộ gia đình",
    "created_recipients": "hồ sơ mới",
    "matched_recipients": "hồ sơ đã có",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Tệp danh sách (.xlsx)",
        help_text="Tệp Excel .xlsx; dòng tiêu đề có thể nằm dưới các dòng tên văn bản.",
    )
    award_type = forms.ModelChoiceField(
        AwardType.objects.all(),
        required=False,
        label="Hình thức khen thưởng chung",
        help_text="Dùng cho các dòng không ghi hình thức khen thưởng.",
    )
    authority = forms.ModelChoiceField(Authority.objects.all(), label="Cấp khen thưởng")

    def __init__(self, *args, kind, decision=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities_for(user).order_by("name")
        if kind == ImportKind.HONOREES:
            del self.fields["authority"]
        if kind == ImportKind.RATINGS:
            del self.fields["award_type"]
            self.fields["authority"].label = "Cấp đánh giá"


@admin.register(ImportBatch)
class ImportBatchAdmin(OfficeScopedAdmin, admin.ModelAdmin):
    scope = "authority"
    list_display = [
        "file_name",
        "kind",
        "decision",
        "authority",
        "status",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["decision", "authority", "created_by"]
    readonly_fields = [
        "kind",
        "decision",
        "authority",
        "award_type",
        "file_name",
        "file_sha256",
        "status",
        "legacy_encoding",
        "summary_shown",
        "created_by",
        "created_at",
        "imported_at",
    ]
    exclude = ["payload", "summary"]
    change_list_template = "admin/registry/import/change_list.html"

    def scope_q(self, request, ids):
        return super().scope_q(request, ids) | office_q("decision__authority_id", ids)

    @admin.display(description="kết quả nhập")
    def summary_shown(self, obj):
        found = obj.summary or {}
        if not found:
            return "–"
        parts = [(label, found.get(key)) for key, label in _SUMMARY_LABELS.items()]
        return "; ".join(f"{label}: {value}" for label, value in parts if value is not None)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/<str:kind>/", view(self.upload_view), name="registry_importbatch_upload"),
            path("<int:pk>/preview/", view(self.preview_view), name="registry_importbatch_preview"),
            path(
                "template/<str:kind>/",
                view(self.template_view),
                name="registry_importbatch_template",
            ),
            path("merge/", view(self.merge_view), name="registry_importbatch_merge"),
        ] + super().get_urls()

    def _check(self, request, kind):
        if kind not in _PERMS:
            raise PermissionDenied
        if not request.user.has_perms(_PERMS[kind]):
            raise PermissionDenied

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, **extra}

    def upload_view(self, request, kind):
        self._check(request, kind)
        decision = None
        if kind == ImportKind.HONOREES:
            decisions = self.admin_site._registry[Decision]
            decision = decisions.scoped_object_or_404(
                request,
                request.GET.get("decision") or 0,
                Decision.objects.select_related("authority"),
            )
        form = UploadForm(request.POST or None, request.FILES or None, kind=kind, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            # Refused by its size before it is read into memory.
            try:
                check_upload_size(upload.size)
            except FileProblem as problem:
                form.add_error("file", f"Tệp {upload.name}: {problem}")
        if request.method == "POST" and form.is_valid():
            batch = import_preview(
                kind=kind,
                data=upload.read(),
                file_name=upload.name,
                decision=decision,
                authority=form.cleaned_data.get("authority"),
                award_type=form.cleaned_data.get("award_type"),
                user=request.user,
            )
            if batch.pk:
                return HttpResponseRedirect(
                    reverse("admin:registry_importbatch_preview", args=[batch.pk])
                )
            return self._render_preview(request, batch)
        return TemplateResponse(
            request,
            "admin/registry/import/upload.html",
            self._context(
                request,
                title=_TITLES[kind],
                form=form,
                kind=kind,
                decision=decision,
                template_url=reverse("admin:registry_importbatch_template", args=[kind]),
            ),
        )

    def _render_preview(self, request, batch, choices=None, reasons=None):
        reasons = reasons or {}
        rows = [
            {"index": index, "line": line, "reason": reasons.get(str(index), "")}
            for index, line in enumerate(batch_lines(batch))
        ]
        noticed = [row for row in rows if row["line"].notices]
        back = (
            reverse("admin:registry_decision_change", args=[batch.decision_id])
            if batch.decision_id
            else reverse("admin:registry_importbatch_changelist")
        )
        return TemplateResponse(
            request,
            "admin/registry/import/preview.html",
            self._context(
                request,
                title=f"Xem trước: {batch.file_name}",
                batch=batch,
                rows=rows,
                noticed=noticed,
                # Lists of awards have an achievement; ratings do not.
                show_achievement=batch.kind != ImportKind.RATINGS,
                counts=batch.payload.get("counts", {}),
                problems=problems_as_text(batch.payload.get("problems", [])),
                problem_rows=batch.payload.get("problems", []),
                notes=batch.payload.get("notes", []),
                can_confirm=bool(batch.pk)
                and batch.status == ImportStatus.PREVIEW
                and not batch.payload.get("problems"),
                back_url=back,
                upload_again=reverse("admin:registry_importbatch_upload", args=[batch.kind])
                + (f"?decision={batch.decision_id}" if batch.decision_id else ""),
                choices=choices or {},
            ),
        )

    def preview_view(self, request, pk):
        batch = self.scoped_object_or_404(
            request, pk, ImportBatch.objects.select_related("decision")
        )
        self._check(request, batch.kind)
        if request.method == "POST":
            if "discard" in request.POST:
                import_discard(batch=batch)
                self.message_user(request, "Đã bỏ bản xem trước; không có gì được nhập.")
                return HttpResponseRedirect(reverse("admin:registry_importbatch_changelist"))
            choices = {
                key.removeprefix("choice-"): value
                for key, value in request.POST.items()
                if key.startswith("choice-") and value
            }
            reasons = {
                key.removeprefix("reason-"): value
                for key, value in request.POST.items()
                if key.startswith("reason-") and value.strip()
            }
            try:
                batch = import_confirm(
                    batch=batch, choices=choices, reasons=reasons, user=request.user
                )
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
                return self._render_preview(request, batch, choices, reasons)
            summary = batch.summary
            self.message_user(
                request,
                f"Đã nhập {summary.get('created_lines', 0)} dòng từ {batch.file_name} "
                f"({summary.get('created_recipients', 0)} hồ sơ mới, "
                f"{summary.get('unchanged', 0)} dòng đã có từ trước).",
                messages.SUCCESS,
            )
            if batch.decision_id:
                return HttpResponseRedirect(
                    reverse("admin:registry_decision_change", args=[batch.decision_id])
                )
            return HttpResponseRedirect(reverse("admin:registry_importbatch_changelist"))
        return self._render_preview(request, batch)

    def template_view(self, request, kind):
        if kind not in _PERMS:
            raise PermissionDenied
        names = {
            ImportKind.HONOREES: "mau-danh-sach-khen-thuong.xlsx",
            ImportKind.HISTORY: "mau-khen-thuong-cac-nam-truoc.xlsx",
            ImportKind.RATINGS: "mau-xep-loai-hang-nam.xlsx",
        }
        response = HttpResponse(
            template_workbook(kind=kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{names[kind]}"'
        return response

    def merge_view(self, request):
        kind = request.POST.get("kind") or request.GET.get("kind") or "ca-nhan"
        if kind not in KIND_MODELS:
            kind = "ca-nhan"
        model = KIND_MODELS[kind]
        people = self.admin_site._registry[model]  # the other office's records are not there
        if not (
            request.user.has_perm(f"registry.change_{model._meta.model_name}")
            and request.user.has_perm(f"registry.delete_{model._meta.model_name}")
        ):
            raise PermissionDenied
        query = request.GET.get("q", "")
        if request.method == "POST":
            kept_id, removed_id = request.POST.get("kept"), request.POST.getlist("removed")
            removed_id = [r for r in removed_id if r != kept_id]
            if not kept_id or not removed_id:
                self.message_user(
                    request,
                    "Hãy chọn một hồ sơ giữ lại và ít nhất một hồ sơ gộp vào.",
                    messages.ERROR,
                )
            else:
                kept = people.scoped_object_or_404(request, kept_id)
                others = list(people.scope_filter(request, model.objects.filter(pk__in=removed_id)))
                try:
                    records = recipients_merge_many(
                        kind=kind, kept=kept, removed=others, user=request.user
                    )
                except ValidationError as error:
                    for message in error.messages:
                        self.message_user(request, message, messages.ERROR)
                else:
                    for record in records:
                        self.message_user(
                            request,
                            f"Đã gộp hồ sơ mã {record.removed_id} vào “{kept}”: chuyển "
                            f"{record.moved_awards} khen thưởng, {record.moved_ratings} xếp loại.",
                            messages.SUCCESS,
                        )
            return HttpResponseRedirect(
                reverse("admin:registry_importbatch_merge") + f"?kind={kind}&q={query or ''}"
            )
        records = []
        if query.strip():
            found = people.scope_filter(request, model.objects.all())
            for word in fold(query).split():
                found = found.filter(search_key__contains=word)
            if kind == "ca-nhan":
                found = found.select_related("unit")
            records = list(found[:50])
        return TemplateResponse(
            request,
            "admin/registry/import/merge.html",
            self._context(
                request,
                title="Gộp hồ sơ trùng",
                kind=kind,
                kinds=[(k, _KIND_LABELS[k]) for k in KIND_MODELS],
                query=query,
                records=records,
                merges=self.admin_site._registry[RecipientMerge]
                .get_queryset(request)
                .select_related("merged_by")[:20],
            ),
        )


@admin.register(RecipientMerge)
class RecipientMergeAdmin(RecordOnlyAdmin, OfficeScopedAdmin, admin.ModelAdmin):
    scope = "recipients"  # through the record kept
    list_display = [
        "recipient_kind",
        "kept_id",
        "removed_id",
        "moved_awards",
        "moved_ratings",
        "merged_by",
        "merged_at",
    ]
    list_select_related = ["merged_by"]
    readonly_fields = list_display + ["removed_snapshot"]

    def scope_q(self, request, ids):
        q = Q(pk__in=[])
        for kind, model in KIND_MODELS.items():
            kept = model.objects.filter(recipient_scope_q(model, ids), pk=OuterRef("kept_id"))
            q |= Q(recipient_kind=kind) & Q(Exists(kept))
        return q
