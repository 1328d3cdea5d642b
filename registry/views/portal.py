"""The proposing units' portal (/don-vi/): plain pages over registry.services.proposals.

A unit's account (UnitMembership, made by the office) sees its own unit's proposals and
nothing else: any other proposal, line or document answers 404, whatever id is typed. The
accounts are not staff and never reach the admin.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse, reverse_lazy
from django.views.decorators.http import require_POST

from registry.models import (
    Attachment,
    AwardType,
    DocumentKind,
    Proposal,
    ProposalLine,
    RecipientKind,
    Round,
    RoundStatus,
)
from registry.services.proposals import (
    ALLOWED_LABEL,
    attachment_delete,
    proposal_answer,
    proposal_attach,
    proposal_checklist,
    proposal_create,
    proposal_line_add,
    proposal_line_delete,
    proposal_line_update,
    proposal_lines_import,
    proposal_outcome,
    proposal_submit,
    proposal_update,
    user_unit,
)
from registry.views.files import file_response

LOGIN_URL = reverse_lazy("portal_login")


class PortalLoginView(auth_views.LoginView):
    template_name = "registry/portal/login.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        return self.get_redirect_url() or reverse("portal_home")


def portal_view(view):
    """Signed in with a unit's account; the unit is passed on to the view."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{LOGIN_URL}?next={request.path}")
        unit = user_unit(request.user)
        if unit is None:
            return render(request, "registry/portal/no_unit.html", status=403)
        return view(request, unit, *args, **kwargs)

    return wrapped


def _own(unit, proposal_id) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("round__authority", "round__campaign", "unit", "decision"),
        pk=proposal_id,
        unit=unit,
    )


def _errors_into(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, found in error.message_dict.items():
            for message in found:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _flash(request, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for found in error.message_dict.values():
            for message in found:
                messages.error(request, message)
    else:
        for message in error.messages:
            messages.error(request, message)


# ----------------------------------------------------------------------------- forms


class SubmissionForm(forms.Form):
    submission_number = forms.CharField(
        label="Số tờ trình", max_length=60, required=False, help_text="Ví dụ: 12/TTr-THCS."
    )
    submission_date = forms.DateField(label="Ngày tờ trình", required=False)


class LineForm(forms.Form):
    recipient_kind = forms.ChoiceField(label="Đối tượng", choices=RecipientKind.choices)
    name = forms.CharField(label="Họ tên (tên tập thể, chủ hộ)", max_length=255, required=False)
    birth_year = forms.IntegerField(label="Năm sinh", required=False, min_value=1900)
    position = forms.CharField(label="Chức vụ", max_length=255, required=False)
    unit_name = forms.CharField(label="Đơn vị công tác", max_length=255, required=False)
    award_type = forms.ModelChoiceField(
        label="Danh hiệu, hình thức", queryset=AwardType.objects.none(), required=False
    )
    achievement = forms.CharField(
        label="Thành tích", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    period_from = forms.IntegerField(label="Thành tích từ năm", required=False)
    period_to = forms.IntegerField(label="đến năm", required=False)
    review_result = forms.CharField(
        label="Kết quả bình xét của đơn vị",
        max_length=255,
        required=False,
        help_text="Ví dụ: 25/27 phiếu đồng ý (92,6%).",
    )

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = round.award_types.order_by("display_order", "name")


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp Excel (.xlsx) danh sách đề nghị")


class AttachForm(forms.Form):
    document_kind = forms.ChoiceField(label="Thành phần hồ sơ", choices=DocumentKind.choices)
    line = forms.ModelChoiceField(
        label="Cho dòng",
        queryset=ProposalLine.objects.none(),
        required=False,
        empty_label="Cả hồ sơ",
    )
    file = forms.FileField(label="Tệp", help_text=f"Chỉ nhận {ALLOWED_LABEL}.")

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = proposal.lines.order_by("line_no")
        self.fields["line"].label_from_instance = lambda ln: f"Dòng {ln.line_no}: {ln.name}"


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Giải trình, bổ sung", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# ----------------------------------------------------------------------------- pages


@portal_view
def home(request, unit):
    proposals = (
        Proposal.objects.filter(unit=unit)
        .select_related("round__authority", "decision")
        .order_by("-created_at")
    )
    rounds = Round.objects.filter(status=RoundStatus.OPEN).select_related("authority")
    return render(
        request,
        "registry/portal/home.html",
        {"unit": unit, "proposals": proposals, "rounds": rounds},
    )


@portal_view
@require_POST
def proposal_new(request, unit, round_id):
    round = get_object_or_404(Round, pk=round_id, status=RoundStatus.OPEN)
    try:
        proposal = proposal_create(round=round, unit=unit, user=request.user)
    except ValidationError as error:
        _flash(request, error)
        return redirect("portal_home")
    messages.success(request, f"Đã lập hồ sơ nháp cho {round.title}.")
    return redirect("portal_proposal", proposal.pk)


def _council_outcomes(proposal) -> list[tuple]:
    """Each line the council voted on, with its result, for the unit."""
    from registry.services.council import line_outcomes

    results = line_outcomes(proposal=proposal)
    if not results:
        return []
    return [
        (ln, results[ln.pk])
        for ln in proposal.lines.select_related("award_type")
        if ln.pk in results
    ]


def _page(request, unit, proposal, **forms_):
    context = {
        "unit": unit,
        "proposal": proposal,
        "lines": proposal.lines.select_related(
            "award_type", "collective", "individual", "household"
        ),
        "attachments": proposal.attachments.select_related("line"),
        "checklist": proposal_checklist(proposal=proposal),
        "outcome": proposal_outcome(proposal=proposal),
        "council_outcomes": _council_outcomes(proposal),
        "submission_form": SubmissionForm(
            initial={
                "submission_number": proposal.submission_number,
                "submission_date": proposal.submission_date,
            }
        ),
        "line_form": LineForm(
            round=proposal.round,
            initial={"period_to": proposal.round.year, "recipient_kind": RecipientKind.INDIVIDUAL},
        ),
        "import_form": ImportForm(),
        "attach_form": AttachForm(proposal=proposal),
        "answer_form": AnswerForm(initial={"answer": proposal.answer}),
    }
    context.update(forms_)
    status = 400 if any(f.errors for f in forms_.values() if hasattr(f, "errors")) else 200
    return render(request, "registry/portal/proposal.html", context, status=status)


@portal_view
def proposal_page(request, unit, proposal_id):
    return _page(request, unit, _own(unit, proposal_id))


@portal_view
@require_POST
def proposal_header(request, unit, proposal_id):
    proposal = _own(unit, proposal_id)
    form = SubmissionForm(request.POST)
    if form.is_valid():
        try:
            proposal_update(proposal=proposal, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, "Đã lưu số, ngày tờ trình.")
            return redirect("portal_proposal", proposal.pk)
    return _page(request, unit, proposal, submission_form=form)


@portal_view
@require_POST
def line_add(request, unit, proposal_id):
    proposal = _own(unit, proposal_id)
    form = LineForm(request.POST, round=proposal.round)
    if form.is_valid():
        try:
            line = proposal_line_add(proposal=proposal, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, f"Đã thêm dòng {line.line_no}: {line.name}.")
            if line.warnings:
                messages.warning(request, f"Dòng {line.line_no} có cảnh báo tiêu chuẩn.")
            return redirect("portal_proposal", proposal.pk)
    return _page(request, unit, proposal, line_form=form)


@portal_view
def line_edit(request, unit, proposal_id, line_id):
    proposal = _own(unit, proposal_id)
    line = get_object_or_404(ProposalLine, pk=line_id, proposal=proposal)
    if request.method == "POST":
        form = LineForm(request.POST, round=proposal.round)
        if form.is_valid():
            try:
                proposal_line_update(line=line, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, f"Đã sửa dòng {line.line_no}.")
                return redirect("portal_proposal", proposal.pk)
    else:
        form = LineForm(
            round=proposal.round,
            initial={
                name: getattr(line, name) for name in LineForm.base_fields if name != "award_type"
            }
            | {"award_type": line.award_type_id},
        )
    return render(
        request,
        "registry/portal/line_edit.html",
        {"unit": unit, "proposal": proposal, "line": line, "form": form},
        status=400 if form.errors else 200,
    )


@portal_view
@require_POST
def line_remove(request, unit, proposal_id, line_id):
    proposal = _own(unit, proposal_id)
    line = get_object_or_404(ProposalLine, pk=line_id, proposal=proposal)
    try:
        proposal_line_delete(line=line, user=request.user)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, f"Đã xóa dòng {line.line_no}: {line.name}.")
    return redirect("portal_proposal", proposal.pk)


@portal_view
@require_POST
def lines_import(request, unit, proposal_id):
    proposal = _own(unit, proposal_id)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lines = proposal_lines_import(
                proposal=proposal, data=upload.read(), file_name=upload.name, user=request.user
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, f"Đã nhập {len(lines)} dòng từ tệp {upload.name}.")
            return redirect("portal_proposal", proposal.pk)
    return _page(request, unit, proposal, import_form=form)


@portal_view
@require_POST
def attach(request, unit, proposal_id):
    proposal = _own(unit, proposal_id)
    form = AttachForm(request.POST, request.FILES, proposal=proposal)
    if form.is_valid():
        try:
            proposal_attach(proposal=proposal, user=request.user, upload=form.cleaned_data["file"],
                            document_kind=form.cleaned_data["document_kind"],
                            line=form.cleaned_data["line"])  # fmt: skip
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, "Đã đính kèm tài liệu.")
            return redirect("portal_proposal", proposal.pk)
    return _page(request, unit, proposal, attach_form=form)


@portal_view
def attachment_download(request, unit, proposal_id, attachment_id):
    proposal = _own(unit, proposal_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, proposal=proposal)
    return file_response(attachment.file, filename=attachment.file_name)


@portal_view
@require_POST
def attachment_remove(request, unit, proposal_id, attachment_id):
    proposal = _own(unit, proposal_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, proposal=proposal)
    try:
        attachment_delete(attachment=attachment, user=request.user)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, f"Đã xóa tệp {attachment.file_name}.")
    return redirect("portal_proposal", proposal.pk)


@portal_view
@require_POST
def submit(request, unit, proposal_id):
    proposal = _own(unit, proposal_id)
    try:
        proposal_submit(proposal=proposal, user=request.user)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, "Đã gửi hồ sơ đến cơ quan thi đua, khen thưởng.")
    return redirect("portal_proposal", proposal.pk)


@portal_view
@require_POST
def answer(request, unit, proposal_id):
    proposal = _own(unit, proposal_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            proposal_answer(proposal=proposal, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(
                request, "Đã lưu giải trình. Bổ sung xong tài liệu thì bấm “Gửi lại hồ sơ”."
            )
            return redirect("portal_proposal", proposal.pk)
    return _page(request, unit, proposal, answer_form=form)


urlpatterns = [
    path("", home, name="portal_home"),
    path("dang-nhap/", PortalLoginView.as_view(), name="portal_login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(next_page=LOGIN_URL), name="portal_logout"),
    path("dot/<int:round_id>/lap-ho-so/", proposal_new, name="portal_proposal_new"),
    path("ho-so/<int:proposal_id>/", proposal_page, name="portal_proposal"),
    path("ho-so/<int:proposal_id>/to-trinh/", proposal_header, name="portal_proposal_header"),
    path("ho-so/<int:proposal_id>/dong/them/", line_add, name="portal_line_add"),
    path("ho-so/<int:proposal_id>/dong/<int:line_id>/", line_edit, name="portal_line_edit"),
    path("ho-so/<int:proposal_id>/dong/<int:line_id>/xoa/", line_remove, name="portal_line_remove"),
    path("ho-so/<int:proposal_id>/nhap-tep/", lines_import, name="portal_lines_import"),
    path("ho-so/<int:proposal_id>/dinh-kem/", attach, name="portal_attach"),
    path(
        "ho-so/<int:proposal_id>/tai-lieu/<int:attachment_id>/",
        attachment_download,
        name="portal_attachment",
    ),
    path(
        "ho-so/<int:proposal_id>/tai-lieu/<int:attachment_id>/xoa/",
        attachment_remove,
        name="portal_attachment_remove",
    ),
    path("ho-so/<int:proposal_id>/gui/", submit, name="portal_submit"),
    path("ho-so/<int:proposal_id>/giai-trinh/", answer, name="portal_answer"),
]
