"""The council in the clerk's admin: councils and members, sessions (attendance, recusals,
ballots, close, draft decision, minutes, upward dossier), postings and their comments, the
vote thresholds and the days off. Thin pages over registry.services.council."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from registry.models import (
    Council,
    CouncilMember,
    CouncilSession,
    DayOff,
    Posting,
    PostingComment,
    SessionStatus,
    VoteThreshold,
)
from registry.services.council import (
    attendance_record,
    ballot_record,
    council_session_check,
    council_session_open,
    posting_check,
    posting_open,
    quorum_check,
    recusal_add,
    recusals_required,
    session_close,
    session_results,
    session_to_draft,
)

from .base import OfficeScopedAdmin, ReadOnlyInline
from .proposals import _error_text

TEMPLATES = "admin/registry/council"


class CouncilMemberInline(admin.TabularInline):
    model = CouncilMember
    extra = 1
    fields = ["order", "name", "position", "role", "heads_unit", "individual"]
    autocomplete_fields = ["heads_unit", "individual"]


@admin.register(Council)
class CouncilAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "authority"
    list_display = ["name", "authority", "valid_from", "valid_to"]
    search_fields = ["name"]
    fields = ["authority", "name", "founding_document", "valid_from", "valid_to"]
    inlines = [CouncilMemberInline]


class SessionForm(forms.ModelForm):
    class Meta:
        model = CouncilSession
        fields = ["council", "round", "date", "place", "chaired_by", "minutes_number"]

    def clean(self):
        data = super().clean()
        if (
            self.instance.pk is None
            and data.get("council")
            and data.get("round")
            and data.get("date")
        ):
            council_session_check(council=data["council"], round=data["round"], date=data["date"])
        return data


@admin.register(CouncilSession)
class CouncilSessionAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "council__authority"
    form = SessionForm
    list_display = ["__str__", "round", "date", "status", "work_link"]
    list_filter = ["status"]
    date_hierarchy = "date"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["council", "round", "date", "place", "chaired_by", "minutes_number"]
        return ["council", "round", "date", "place", "chaired_by", "minutes_number", "status",
                "decision", "work_link"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["council", "round", "date", "status", "decision", "work_link"]

    @admin.display(description="điều hành phiên họp")
    def work_link(self, obj):
        if not obj or not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">Điểm danh, biểu quyết, biên bản</a>',
            reverse("admin:registry_councilsession_work", args=[obj.pk]),
        )

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            obj.save()
            return
        try:
            created = council_session_open(
                council=obj.council, round=obj.round, date=obj.date, place=obj.place,
                chaired_by=obj.chaired_by, minutes_number=obj.minutes_number, user=request.user,
            )  # fmt: skip
        except ValidationError as error:
            raise PermissionDenied("; ".join(_error_text(error))) from error
        obj.pk = created.pk
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:registry_councilsession_work", args=[obj.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/dieu-hanh/", view(self.work_view),
                 name="registry_councilsession_work"),
            path("<int:object_id>/bien-ban.<str:fmt>", view(self.minutes_view),
                 name="registry_councilsession_minutes"),
            path("<int:object_id>/ho-so-trinh-cap-tren.zip", view(self.dossier_view),
                 name="registry_councilsession_dossier"),
        ] + super().get_urls()  # fmt: skip

    def _session(self, request, object_id):
        session = self.scoped_object_or_404(
            request, object_id,
            CouncilSession.objects.select_related("council__authority", "round", "decision"),
        )  # fmt: skip
        if not self.has_view_permission(request, session):
            raise PermissionDenied
        return session

    def work_view(self, request, object_id):
        session = self._session(request, object_id)
        can_change = self.has_change_permission(request, session)
        if request.method == "POST" and can_change:
            action = request.POST.get("action", "")
            try:
                done = self._act(request, session, action)
            except ValidationError as error:
                for message in _error_text(error):
                    self.message_user(request, message, messages.ERROR)
            else:
                if done:
                    self.message_user(request, done[0], messages.SUCCESS)
                    if len(done) > 1:
                        return HttpResponseRedirect(done[1])
            return HttpResponseRedirect(request.path)
        session.refresh_from_db()
        results = session_results(session=session)
        attendance = list(session.attendance.select_related("member"))
        members = [a.member for a in attendance]
        quorum = {}
        for r in results:
            quorum.setdefault(
                r.line.award_type_id, quorum_check(session=session, award_type=r.line.award_type)
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": session,
            "session": session,
            "attendance": attendance,
            "members": [m for m in members if m.votes],
            "results": results,
            "quorum_problems": sorted({q for q in quorum.values() if q}),
            "required": recusals_required(session=session),
            "open": session.status == SessionStatus.OPEN,
            "can_change": can_change,
            "today": timezone.localdate(),
            "title": str(session),
        }
        return TemplateResponse(request, f"{TEMPLATES}/session_work.html", context)

    def _act(self, request, session, action):
        post = request.POST
        if action == "attendance":
            ids = [int(v) for v in post.getlist("present") if v.isdigit()]
            n = attendance_record(session=session, present=ids, user=request.user)
            return (f"Đã ghi điểm danh: {n} thành viên có mặt.",)
        if action == "recusal":
            member = session.council.members.filter(pk=post.get("member") or 0).first()
            line_id = post.get("line") or "0"
            line = next(
                (r.line for r in session_results(session=session) if str(r.line.pk) == line_id),
                None,
            )
            if member is None or line is None:
                raise ValidationError({"member": "Hãy chọn thành viên và dòng đề nghị."})
            recusal_add(session=session, member=member, line=line, reason=post.get("reason", ""),
                        user=request.user)  # fmt: skip
            return (f"Đã ghi: {member.name} không tham gia biểu quyết “{line.name}”.",)
        if action.startswith("ballot-"):
            line_id = action.removeprefix("ballot-")
            line = next(
                (r.line for r in session_results(session=session) if str(r.line.pk) == line_id),
                None,
            )
            if line is None:
                raise ValidationError({"line": "Không tìm thấy dòng đề nghị."})

            def count(name):
                value = post.get(f"{name}-{line_id}", "0").strip() or "0"
                if not value.isdigit():
                    raise ValidationError({name: "Số phiếu phải là số nguyên không âm."})
                return int(value)

            ballot = ballot_record(session=session, line=line, agree=count("agree"),
                                   disagree=count("disagree"), blank=count("blank"),
                                   user=request.user)  # fmt: skip
            return (f"“{line.name}”: {ballot.tally} – {ballot.get_result_display()}.",)
        if action == "close":
            session_close(session=session, user=request.user)
            return ("Đã kết thúc phiên họp; các đơn vị được thông báo kết quả.",)
        if action == "draft":
            if not request.user.has_perm("registry.add_decision"):
                raise PermissionDenied
            day = (
                forms.DateField().clean(post.get("signed_date") or None)
                if post.get("signed_date")
                else timezone.localdate()
            )
            decision = session_to_draft(
                session=session, signed_date=day, signer_title=post.get("signer_title", ""),
                signer_name=post.get("signer_name", ""), user=request.user,
            )  # fmt: skip
            return (
                f"Đã lập dự thảo quyết định {decision.number} gồm {decision.awards.count()} dòng "
                "được hội đồng thông qua.",
                reverse("admin:registry_decision_change", args=[decision.pk]),
            )
        return None

    def minutes_view(self, request, object_id, fmt):
        from registry.services.council_papers import minutes_docx, minutes_pdf

        session = self._session(request, object_id)
        if fmt == "pdf":
            response = HttpResponse(minutes_pdf(session=session), content_type="application/pdf")
        elif fmt == "docx":
            response = HttpResponse(
                minutes_docx(session=session),
                content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
        else:
            raise PermissionDenied
        response["Content-Disposition"] = f'attachment; filename="bien-ban-{session.pk}.{fmt}"'
        return response

    def dossier_view(self, request, object_id):
        from registry.services.council_papers import upward_dossier_zip

        session = self._session(request, object_id)
        data, _ = upward_dossier_zip(session=session)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="ho-so-trinh-{session.pk}.zip"'
        return response


class CommentInline(ReadOnlyInline):
    model = PostingComment
    fields = ["created", "name", "contact", "text", "ip"]
    readonly_fields = fields
    show_change_link = False


class PostingForm(forms.ModelForm):
    class Meta:
        model = Posting
        fields = ["round", "title", "public_from", "working_days"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("round") and data.get("working_days"):
            posting_check(
                round=data["round"],
                working_days=data["working_days"],
                public_from=data.get("public_from"),
            )
        return data


@admin.register(Posting)
class PostingAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "round__authority"
    form = PostingForm
    list_display = ["title", "round", "public_from", "working_days", "ready_on", "comment_count"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["round", "title", "public_from", "working_days"]
        return ["round", "title", "public_from", "working_days", "ready_on", "posted_lines",
                "public_link", "closed"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["round", "public_from", "working_days", "ready_on", "posted_lines", "public_link"]

    @admin.display(description="số ý kiến")
    def comment_count(self, obj):
        return obj.comments.count()

    @admin.display(description="các dòng công khai")
    def posted_lines(self, obj):
        rows = [
            f"{ln.name} – {ln.award_type.name}" for ln in obj.lines.select_related("award_type")
        ]
        return format_html("<br>".join(["{}"] * len(rows)), *rows) if rows else "—"

    @admin.display(description="trang công khai")
    def public_link(self, obj):
        url = reverse("posting_public", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, url)

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            obj.save()
            return
        try:
            created = posting_open(
                round=obj.round, public_from=obj.public_from, working_days=obj.working_days,
                title=obj.title, user=request.user,
            )  # fmt: skip
        except ValidationError as error:
            raise PermissionDenied("; ".join(_error_text(error))) from error
        obj.pk = created.pk
        obj.ready_on = created.ready_on
        obj._state.adding = False

    def get_inlines(self, request, obj=None):
        return [CommentInline] if obj is not None else []

    def save_related(self, request, form, formsets, change):
        # The lines were set by posting_open; the form has no many-to-many field of its own.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(PostingComment)
class PostingCommentAdmin(OfficeScopedAdmin, admin.ModelAdmin):
    scope = "posting__round__authority"
    list_display = ["created", "posting", "name", "contact", "short_text", "handled"]
    list_filter = ["handled"]
    fields = ["posting", "created", "name", "contact", "text", "ip", "handled"]
    readonly_fields = ["posting", "created", "name", "contact", "text", "ip"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="ý kiến")
    def short_text(self, obj):
        return obj.text[:80]


@admin.register(VoteThreshold)
class VoteThresholdAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = None
    list_display = ["__str__", "quorum", "pass_fraction", "pass_base", "confirmed_label"]
    fields = ["award_type", "award_family", "quorum", "pass_fraction", "strictly_more",
              "pass_base", "legal_basis", "confirmed", "valid_from", "valid_to"]  # fmt: skip

    @admin.display(description="đối chiếu")
    def confirmed_label(self, obj):
        return "Đã đối chiếu" if obj.confirmed else "Chưa đối chiếu"


@admin.register(DayOff)
class DayOffAdmin(OfficeScopedAdmin, admin.ModelAdmin):
    scope = None  # the calendar is the country's: every office reads it, administrators change it
    list_display = ["date", "name", "kind", "source"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    fields = ["date", "name", "kind", "source"]
