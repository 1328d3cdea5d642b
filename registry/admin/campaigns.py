"""Movements, blocs, pledges and target sets: thin pages over registry.services.pledges."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from registry.models import (
    Authority,
    Award,
    Bloc,
    BlocMembership,
    Campaign,
    Pledge,
    PledgeSignatory,
    Target,
    TargetResult,
    TargetSet,
)
from registry.models.campaigns import TargetSetKind
from registry.selectors.scope import authorities_for, office_q, user_authority_ids
from registry.selectors.targets import (
    bloc_ranking,
    target_set_results,
    target_sets_labels,
)
from registry.services.imports import FileProblem, check_upload_size
from registry.services.pledges import (
    Signature,
    bloc_ranking_decision_create,
    campaign_problems,
    campaign_save,
    pledge_pdf,
    pledge_problems,
    pledge_save,
    pledge_sign,
    proposal_authority,
    signatures_problems,
    target_result_save,
    target_results_import,
    target_save,
)
from registry.templatetags.vi_format import points

from .base import OfficeScopedAdmin, ScopedChoicesMixin

TEMPLATES = "admin/registry/campaigns"
AWARDS_SHOWN = 200


class CampaignForm(forms.ModelForm):
    def _post_clean(self):
        super()._post_clean()
        for field_name, errors in campaign_problems(campaign=self.instance).items():
            for message in errors:
                self.add_error(field_name if field_name in self.fields else None, message)


@admin.register(Campaign)
class CampaignAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "authority"
    ordering = Campaign._meta.ordering  # kept under the counts' GROUP BY (autocomplete pages)
    form = CampaignForm
    list_display = [
        "name",
        "authority",
        "form",
        "start_date",
        "end_date",
        "decision_count",
        "award_count",
    ]
    list_filter = ["form", "authority"]
    list_select_related = ["authority"]
    search_fields = ["name", "theme"]
    autocomplete_fields = ["authority", "units"]
    readonly_fields = ["awards_under_movement"]
    fieldsets = [
        (None, {"fields": ["authority", "name", "theme", ("form", "scope"), "legal_basis"]}),
        ("Mục tiêu, tiêu chí", {"fields": ["goals", "criteria"]}),
        (
            "Thời gian",
            {
                "fields": [
                    ("launched_on", "start_date", "end_date"),
                    ("midterm_review_date", "final_review_date"),
                ]
            },
        ),
        ("Đơn vị tham gia", {"fields": ["units"]}),
        ("Khen thưởng trong phong trào", {"fields": ["awards_under_movement"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _decisions=Count("decisions", distinct=True),
                _awards=Count("awards", distinct=True, filter=Q(awards__revoked_by__isnull=True)),
            )
        )

    @admin.display(description="số lượng quyết định", ordering="_decisions")
    def decision_count(self, obj):
        return obj._decisions

    @admin.display(description="số lượng khen thưởng", ordering="_awards")
    def award_count(self, obj):
        return obj._awards

    @admin.display(description="danh sách khen thưởng")
    def awards_under_movement(self, obj):
        if obj is None or obj.pk is None:
            return "Lưu phong trào trước; khen thưởng theo phong trào sẽ hiện ở đây."
        awards = Award.objects.filter(campaign=obj)
        by_type = (
            awards.filter(revoked_by__isnull=True)
            .values("award_type__name")
            .annotate(
                collectives=Count("id", filter=Q(collective__isnull=False)),
                individuals=Count("id", filter=Q(individual__isnull=False)),
                households=Count("id", filter=Q(household__isnull=False)),
                total=Count("id"),
            )
            .order_by("award_type__display_order", "award_type__name")
        )
        rows = list(
            awards.select_related("decision", "award_type").order_by(
                "-decision__signed_date", "decision_id", "line_no"
            )[: AWARDS_SHOWN + 1]
        )
        return render_to_string(
            f"{TEMPLATES}/_campaign_awards.html",
            {
                "by_type": list(by_type),
                "awards": rows[:AWARDS_SHOWN],
                "more": len(rows) > AWARDS_SHOWN,
                "total": sum(row["total"] for row in by_type),
            },
        )

    def save_model(self, request, obj, form, change):
        campaign_save(campaign=obj)


# ----------------------------------------------------------------------------------------- blocs


class BlocMembershipInline(ScopedChoicesMixin, admin.TabularInline):
    model = BlocMembership
    extra = 0
    autocomplete_fields = ["unit"]
    ordering = ["-year", "role", "unit__sort_key"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")


@admin.register(Bloc)
class BlocAdmin(OfficeScopedAdmin, admin.ModelAdmin):
    scope = "authority"
    ordering = Bloc._meta.ordering
    list_display = ["name", "authority", "latest_year", "scale"]
    list_select_related = ["authority"]
    list_filter = ["authority"]
    search_fields = ["name"]
    autocomplete_fields = ["authority"]
    inlines = [BlocMembershipInline]
    readonly_fields = ["history"]
    fieldsets = [
        (None, {"fields": ["authority", "name", "description"]}),
        (
            "Thang điểm (mỗi chỉ tiêu)",
            {"fields": [("points_met", "points_exceeded", "points_missed")]},
        ),
        ("Các năm", {"fields": ["history"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_latest=Max("memberships__year"))

    @admin.display(description="năm gần nhất", ordering="_latest")
    def latest_year(self, obj):
        return obj._latest or "–"

    @admin.display(description="thang điểm: đạt / vượt / không đạt")
    def scale(self, obj):
        return " / ".join(
            [
                points(obj.points_met),
                points(obj.points_exceeded),
                points(obj.points_missed, "-"),
            ]
        )

    @admin.display(description="khối trưởng, khối phó và giao ước từng năm")
    def history(self, obj):
        if obj is None or obj.pk is None:
            return "Lưu khối trước, rồi thêm thành viên từng năm ở bảng dưới."
        years: dict[int, dict] = {}
        for m in obj.memberships.select_related("unit").order_by("-year", "unit__sort_key"):
            year = years.setdefault(m.year, {"year": m.year, "head": "", "deputy": "", "n": 0})
            year["n"] += 1
            if m.role == "truong":
                year["head"] = m.unit.name
            elif m.role == "pho":
                year["deputy"] = m.unit.name
        for pledge in obj.pledges.all():
            year = years.setdefault(
                pledge.year, {"year": pledge.year, "head": "", "deputy": "", "n": 0}
            )
            year["pledge"] = pledge
            year["pledge_url"] = reverse("admin:registry_pledge_change", args=[pledge.pk])
            year["ranking_url"] = reverse("admin:registry_bloc_ranking", args=[obj.pk, pledge.year])
        return render_to_string(
            f"{TEMPLATES}/_bloc_history.html",
            {"years": [years[y] for y in sorted(years, reverse=True)]},
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/xep-hang/<int:year>/",
                self.admin_site.admin_view(self.ranking_view),
                name="registry_bloc_ranking",
            )
        ] + super().get_urls()

    def ranking_view(self, request, object_id, year):
        bloc = self.scoped_object_or_404(
            request, object_id, Bloc.objects.select_related("authority")
        )
        if not self.has_view_permission(request, bloc):
            raise PermissionDenied
        can_propose = request.user.has_perm("registry.add_decision")
        form = None
        error = None
        try:
            ranking = bloc_ranking(bloc=bloc, year=year)
        except ValidationError as exc:
            ranking, error = None, " ".join(exc.messages)
        if ranking is not None and can_propose:
            form = ProposalForm(request.POST or None, bloc=bloc, user=request.user)
            if request.method == "POST" and form.is_valid():
                try:
                    decision = bloc_ranking_decision_create(
                        bloc=bloc, year=year, user=request.user, **form.cleaned_data
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        self.message_user(request, message, messages.ERROR)
                else:
                    self.message_user(
                        request,
                        f"Đã lập dự thảo quyết định «{decision.subject}» gồm "
                        f"{decision.awards.count()} dòng khen thưởng. Hãy ghi số quyết định "
                        "và kiểm tra trước khi ban hành.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:registry_decision_change", args=[decision.pk])
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": bloc,
            "bloc": bloc,
            "year": year,
            "ranking": ranking,
            "error": error,
            "form": form,
            "title": f"Xếp hạng {bloc} năm {year}",
            "years": sorted(
                set(bloc.pledges.values_list("year", flat=True)) | {year}, reverse=True
            ),
        }
        return TemplateResponse(request, f"{TEMPLATES}/bloc_ranking.html", context)


class ProposalForm(forms.Form):
    authority = forms.ModelChoiceField(
        label="Cấp khen (ký quyết định)",
        queryset=Authority.objects.none(),
        help_text="Cấp có thẩm quyền tặng các hình thức khen theo xếp hạng khối (Cờ thi đua, "
        "Bằng khen) đang có hiệu lực; mặc định là cấp trên gần nhất có thẩm quyền.",
    )
    number = forms.CharField(
        label="Số quyết định",
        required=False,
        max_length=60,
        help_text="Để trống nếu chưa có số: dự thảo được ghi số tạm.",
    )
    signed_date = forms.DateField(label="Ngày ký (dự kiến)")
    signer_title = forms.CharField(label="Chức vụ người ký", initial="CHỦ TỊCH", max_length=120)
    signer_name = forms.CharField(label="Người ký", max_length=120)
    runners_up = forms.IntegerField(
        label="Số đơn vị đề nghị Bằng khen", min_value=0, max_value=50, initial=2
    )
    eligibility_reason = forms.CharField(
        label="Lý do vẫn đề nghị",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Chỉ ghi khi có đơn vị chưa đủ tiêu chuẩn theo quy định đang có hiệu lực mà "
        "Hội đồng vẫn đề nghị: lý do được ghi vào các dòng chưa đủ tiêu chuẩn.",
    )

    def __init__(self, *args, bloc: Bloc, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        # Only the user's offices: a draft in another office's name would be out of sight.
        self.fields["authority"].queryset = (
            authorities_for(user)
            .filter(Authority.valid_on_q(today) | Q(pk=bloc.authority_id))
            .order_by("level", "name")
        )
        self.fields["signed_date"].initial = today
        default = proposal_authority(bloc=bloc, day=today)
        if default is not None:
            self.fields["authority"].initial = default.pk


# --------------------------------------------------------------------------------------- pledges


class SignatoryFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        pledge = self.instance
        if pledge.pk is None and not pledge.year:
            return
        rows = [
            f
            for f in self.forms
            if f.is_valid()
            and f.cleaned_data.get("unit")
            and not self._should_delete_form(f)
            and (f.has_changed() or f.instance.pk)
        ]
        signatures = [
            Signature(
                unit=f.cleaned_data["unit"],
                signer_name=f.cleaned_data.get("signer_name") or "",
                signer_title=f.cleaned_data.get("signer_title") or "",
                signed=bool(f.cleaned_data.get("signed")),
                signed_on=f.cleaned_data.get("signed_on"),
            )
            for f in rows
        ]
        for form, found in zip(
            rows, signatures_problems(pledge=pledge, signatures=signatures), strict=True
        ):
            for message in found:
                form.add_error(None, message)


class SignatoryForm(forms.ModelForm):
    class Meta:
        model = PledgeSignatory
        fields = ["unit", "signer_title", "signer_name", "signed", "signed_on"]

    def clean(self):
        data = super().clean()
        pledge = getattr(self.instance, "pledge", None) if self.instance.pledge_id else None
        if data.get("signed") and not data.get("signed_on") and pledge is not None:
            data["signed_on"] = pledge.ceremony_date  # signed at the ceremony unless told
        return data


class PledgeSignatoryInline(ScopedChoicesMixin, admin.TabularInline):
    model = PledgeSignatory
    form = SignatoryForm
    formset = SignatoryFormSet
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["unit", "signer_title", "signer_name", "signed", "signed_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")


class PledgeForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        if not data.get("authority") and data.get("bloc"):
            data["authority"] = data["bloc"].authority
        return data

    def _post_clean(self):
        super()._post_clean()
        if self.instance.bloc_id and self.instance.year:
            for field_name, errors in pledge_problems(pledge=self.instance).items():
                for message in errors:
                    self.add_error(field_name, message)

    def validate_unique(self):
        # The one-pledge-per-bloc-year rule is said by pledge_problems, naming the other pledge.
        if self.instance.bloc_id and pledge_problems(pledge=self.instance):
            return
        super().validate_unique()


@admin.register(Pledge)
class PledgeAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "authority"
    ordering = Pledge._meta.ordering
    form = PledgeForm
    change_form_template = f"{TEMPLATES}/pledge_change_form.html"
    list_display = ["title", "year", "bloc", "authority", "ceremony_date", "signed_count"]
    list_filter = ["year", "authority"]
    list_select_related = ["bloc", "authority"]
    search_fields = ["title"]
    autocomplete_fields = ["authority", "bloc", "campaign"]
    inlines = [PledgeSignatoryInline]
    readonly_fields = ["targets_link"]
    fieldsets = [
        (None, {"fields": ["bloc", "authority", "campaign", "year", "title"]}),
        ("Lễ ký kết", {"fields": [("ceremony_date", "place"), "scan"]}),
        ("Chỉ tiêu", {"fields": ["targets_link"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _signed=Count("signatories", filter=Q(signatories__signed=True)),
                _invited=Count("signatories"),
            )
        )

    @admin.display(description="đã ký")
    def signed_count(self, obj):
        return f"{obj._signed}/{obj._invited}"

    @admin.display(description="chỉ tiêu của giao ước")
    def targets_link(self, obj):
        if obj is None or obj.pk is None:
            return "Lưu giao ước trước; bộ chỉ tiêu được tạo kèm, rồi nhập chỉ tiêu ở đó."
        target_set = TargetSet.objects.filter(pledge=obj).annotate(n=Count("targets")).first()
        if target_set is None:
            return "–"
        return format_html(
            '<a href="{}">{} chỉ tiêu — mở bộ chỉ tiêu để sửa, nhập kết quả</a>',
            reverse("admin:registry_targetset_change", args=[target_set.pk]),
            target_set.n,
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["authority"].required = False
        form.base_fields["authority"].help_text = "Để trống: cấp tổ chức của khối."
        return form

    def save_model(self, request, obj, form, change):
        pledge_save(pledge=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not PledgeSignatory:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        signatures = [
            Signature(
                unit=f.cleaned_data["unit"],
                signer_name=f.cleaned_data.get("signer_name") or "",
                signer_title=f.cleaned_data.get("signer_title") or "",
                signed=bool(f.cleaned_data.get("signed")),
                signed_on=f.cleaned_data.get("signed_on"),
            )
            for f in formset.forms
            if f.cleaned_data.get("unit")
            and not formset._should_delete_form(f)
            and (f.has_changed() or not f.instance.pk)
        ]
        if signatures:
            pledge_sign(pledge=form.instance, signatures=signatures)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="registry_pledge_pdf",
            )
        ] + super().get_urls()

    def pdf_view(self, request, object_id):
        pledge = self.scoped_object_or_404(
            request, object_id, Pledge.objects.select_related("authority", "bloc", "campaign")
        )
        if not self.has_view_permission(request, pledge):
            raise PermissionDenied
        response = HttpResponse(pledge_pdf(pledge=pledge), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="giao-uoc-{pledge.year}-{pledge.pk}.pdf"'
        )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            from registry.services.received_papers import pledge_signing_rows

            context["signing_rows"] = rows = pledge_signing_rows(pledge=obj)
            context["signed_count"] = sum(1 for row in rows if row.signed)
        if obj is not None and obj.bloc_id:
            context["ranking_url"] = reverse(
                "admin:registry_bloc_ranking", args=[obj.bloc_id, obj.year]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


# ----------------------------------------------------------------------------------- target sets


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["order", "text", "measure", "planned_value", "higher_is_better"]
        error_messages = {
            "planned_value": {
                "required": "Chưa có giá trị kế hoạch. Hãy ghi số kế hoạch của chỉ tiêu "
                "(chỉ tiêu đánh giá theo mức hoàn thành thì ghi 100)."
            }
        }


class TargetInline(ScopedChoicesMixin, admin.TabularInline):
    model = Target
    form = TargetForm
    extra = 0
    fields = ["order", "text", "measure", "planned_value", "higher_is_better"]


class TargetSetChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        labels = target_sets_labels(target_sets=self.result_list)
        for target_set in self.result_list:
            target_set._result_label = labels.get(target_set.pk, "")


class ResultsImportForm(forms.Form):
    file = forms.FileField(
        label="Tệp Excel (.xlsx)",
        help_text="Các cột: Chỉ tiêu (số thứ tự hoặc nội dung), Đơn vị, Thực hiện "
        "(hoặc Mức hoàn thành), Ghi chú.",
    )
    as_of = forms.DateField(label="Số liệu đến ngày")


@admin.register(TargetSet)
class TargetSetAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "authority"
    change_form_template = f"{TEMPLATES}/targetset_change_form.html"
    list_display = ["title", "kind", "year", "authority", "unit", "result"]
    list_filter = ["kind", "year"]
    list_select_related = ["authority", "unit"]
    search_fields = ["title"]
    autocomplete_fields = ["authority", "unit", "pledge"]
    inlines = [TargetInline]
    readonly_fields = ["results"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "year", "authority", "pledge", "unit", "set_by"]}),
        ("Kết quả", {"fields": ["results"]}),
    ]

    def get_changelist(self, request, **kwargs):
        return TargetSetChangeList

    @admin.display(description="kết quả")
    def result(self, obj):
        return getattr(obj, "_result_label", "")

    @admin.display(description="kết quả thực hiện")
    def results(self, obj):
        if obj is None or obj.pk is None:
            return "Lưu bộ chỉ tiêu trước."
        as_of = getattr(obj, "_as_of", None)
        found = target_set_results(target_set=obj, as_of=as_of)
        return render_to_string(f"{TEMPLATES}/_targetset_results.html", {"found": found})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            raw = request.GET.get("den_ngay", "")
            field = forms.DateField(required=False)
            try:
                obj._as_of = field.clean(raw) if raw else None
            except ValidationError:
                obj._as_of = None
        return obj

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "year": timezone.localdate().year}

    def save_formset(self, request, form, formset, change):
        if formset.model is not Target:
            return super().save_formset(request, form, formset, change)
        targets = formset.save(commit=False)
        for target in formset.deleted_objects:
            target.delete()
        for target in targets:
            target_save(target=target)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/nhap-ket-qua/",
                self.admin_site.admin_view(self.import_view),
                name="registry_targetset_import",
            )
        ] + super().get_urls()

    def import_view(self, request, object_id):
        target_set = self.scoped_object_or_404(
            request, object_id, TargetSet.objects.select_related("unit")
        )
        if not request.user.has_perm("registry.add_targetresult"):
            raise PermissionDenied
        change_url = reverse("admin:registry_targetset_change", args=[target_set.pk])
        form = ResultsImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                check_upload_size(upload.size)
                saved = target_results_import(
                    target_set=target_set,
                    file=upload,
                    as_of=form.cleaned_data["as_of"],
                    file_name=upload.name,
                )
            except FileProblem as problem:
                errors = [f"Tệp {upload.name}: {problem}"]
            except ValidationError as exc:
                errors = exc.messages
            else:
                self.message_user(
                    request,
                    f"Đã nhập {len(saved)} kết quả từ tệp {upload.name}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": target_set,
            "form": form,
            "errors": errors,
            "change_url": change_url,
            "title": f"Nhập kết quả từ Excel: {target_set.title}",
            "is_pledge": target_set.kind == TargetSetKind.PLEDGE,
        }
        return TemplateResponse(request, f"{TEMPLATES}/targetset_import.html", context)


class TargetResultForm(forms.ModelForm):
    class Meta:
        model = TargetResult
        fields = ["target", "unit", "as_of", "achieved_value", "grade", "note"]

    def _post_clean(self):
        super()._post_clean()
        if self.errors or not self.instance.target_id or not self.instance.unit_id:
            return
        from registry.services.pledges import ResultEntry, results_problems

        result = self.instance
        problems = results_problems(
            target_set=result.target.target_set,
            as_of=result.as_of,
            entries=[
                ResultEntry(
                    target=result.target,
                    unit=result.unit,
                    achieved_value=result.achieved_value,
                    grade=result.grade,
                )
            ],
        )
        for message in [m for found in problems for m in found]:
            self.add_error(None, message)


@admin.register(TargetResult)
class TargetResultAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "target__target_set__authority"
    form = TargetResultForm
    list_display = ["target", "target_set", "unit", "as_of", "achieved_value", "grade"]
    list_select_related = ["target__target_set", "unit"]
    list_filter = ["as_of", "grade"]
    raw_id_fields = ["target"]
    autocomplete_fields = ["unit"]

    @admin.display(description="bộ chỉ tiêu", ordering="target__target_set__title")
    def target_set(self, obj):
        return obj.target.target_set.title

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = user_authority_ids(request.user)
        if db_field.name == "target" and ids is not None:
            kwargs["queryset"] = Target.objects.filter(office_q("target_set__authority_id", ids))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        target_result_save(result=obj)
