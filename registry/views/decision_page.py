"""The decision page: a decision's header, then its award lines as a compact, paged list.

Served at the admin's own add and change addresses (DecisionAdmin.add_view / change_view call
these views), inside the admin's look and with the admin's scoping and permissions: another
office's decision is not there (404), a viewer reads but cannot save. Saving goes through the
services only: decision_save for the header, awards_add and awards_delete for the lines; every
rule message of the service is shown on the line it concerns, with a summary at the top that
links to each failing line.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from registry.models import Award, AwardType, Collective, Decision, Household, Individual
from registry.models.awards import LoaiHinh, RecipientKind
from registry.services.awards import (
    AwardLinesInvalid,
    awards_add,
    awards_delete,
    recipient_fields,
)
from registry.services.decisions import (
    award_types_allowed,
    decision_defaults,
    decision_save,
)
from registry.services.papers import money
from registry.text import fold

PAGE_SIZE = 50
EXTRA_LINES = 2
PREFIX = "awards"
HEADER_FIELDS = [
    "authority",
    "kind",
    "number",
    "signed_date",
    "place",
    "subject",
    "legal_bases",
    "proposing_authority",
    "proposing_unit",
    "proposal",
    "loai_hinh",
    "campaign",
    "signer_prefix",
    "signer_title",
    "signer_name",
    "scan",
]
KIND_MODELS = {
    RecipientKind.COLLECTIVE: Collective,
    RecipientKind.INDIVIDUAL: Individual,
    RecipientKind.HOUSEHOLD: Household,
}
KIND_FIELDS = {
    RecipientKind.COLLECTIVE: "collective",
    RecipientKind.INDIVIDUAL: "individual",
    RecipientKind.HOUSEHOLD: "household",
}


def _year(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=1945,
        max_value=2100,
        error_messages={
            "required": f"Hãy ghi năm {label} của thành tích.",
            "invalid": f"Năm {label} của thành tích phải là một số, ví dụ 2024.",
            "min_value": "Năm thành tích phải trong khoảng 1945–2100.",
            "max_value": "Năm thành tích phải trong khoảng 1945–2100.",
        },
    )


class LineForm(forms.Form):
    """One award line: the recipient is one field (its kind, then who), found by search."""

    id = forms.IntegerField(required=False)
    recipient_kind = forms.ChoiceField(
        choices=RecipientKind.choices, initial=RecipientKind.INDIVIDUAL, required=False
    )
    recipient = forms.IntegerField(required=False)
    recipient_label = forms.CharField(required=False)
    # The form of the earlier page posted one field per kind: still read, never shown.
    collective = forms.IntegerField(required=False)
    individual = forms.IntegerField(required=False)
    household = forms.IntegerField(required=False)
    award_type = forms.IntegerField(
        error_messages={"required": "Hãy chọn danh hiệu, hình thức khen thưởng."}
    )
    loai_hinh = forms.ChoiceField(choices=[("", "")] + LoaiHinh.choices, required=False)
    period_from = _year("bắt đầu")
    period_to = _year("kết thúc")
    achievement = forms.CharField(required=False)
    eligibility_override = forms.CharField(required=False)
    DELETE = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        data["recipient_kind"] = data.get("recipient_kind") or RecipientKind.INDIVIDUAL
        if not data.get("recipient"):
            for kind, name in KIND_FIELDS.items():
                if data.get(name):
                    data["recipient_kind"], data["recipient"] = kind, data[name]
                    break
        if not data.get("recipient") and not data.get("DELETE"):
            self.add_error(
                "recipient",
                "Hãy chọn đối tượng được khen: gõ vài chữ của tên rồi chọn trong danh sách.",
            )
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        pass  # DELETE is the form's own field; no ORDER


LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=EXTRA_LINES, max_num=1000, absolute_max=1000
)


@dataclass
class Row:
    """A line as the page shows it: the form's values (or the saved line's) and its messages."""

    index: int | None
    anchor: str
    label: str
    values: dict
    award: Award | None = None
    errors: list[str] = field(default_factory=list)
    needs_reason: bool = False
    cash: str = ""


def _line_initial(award: Award) -> dict:
    kind = award.recipient_kind
    return {
        "id": award.pk,
        "recipient_kind": kind,
        "recipient": getattr(award, f"{KIND_FIELDS[kind]}_id"),
        "recipient_label": _award_label(award),
        "award_type": award.award_type_id,
        "loai_hinh": award.loai_hinh,
        "period_from": award.period_from,
        "period_to": award.period_to,
        "achievement": award.achievement,
        "eligibility_override": award.eligibility_override,
    }


def _award_label(award: Award) -> str:
    parts = [award.recipient_name or str(award.recipient or "")]
    detail = ", ".join(p for p in (award.recipient_position, award.recipient_unit) if p)
    return f"{parts[0]} ({detail})" if detail else parts[0]


def _recipient_label(recipient) -> str:
    if isinstance(recipient, Individual):
        detail = ", ".join(p for p in (recipient.position, recipient.unit_label) if p)
        return f"{recipient.full_name} ({detail})" if detail else recipient.full_name
    if isinstance(recipient, Collective):
        return (
            f"{recipient.name} ({recipient.parent_name})"
            if recipient.parent_name
            else (recipient.name)
        )
    return f"Hộ {recipient.head_name}" + (f" ({recipient.address})" if recipient.address else "")


def recipients_in_scope(model_admin, request, model):
    """The recipients of a kind this user may put on a line: those the people pages list."""
    from registry.admin.base import _scoped_choices

    scoped = _scoped_choices(model_admin.admin_site, model, request)
    return model._default_manager.all() if scoped is None else scoped


def recipient_search_view(model_admin, request):
    """JSON for the line's recipient box: {"results": [{"id", "text"}]}, folded, in scope."""
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        raise PermissionDenied
    model = KIND_MODELS.get(request.GET.get("kind"))
    words = fold(request.GET.get("q", "")).split()
    if model is None or not words:
        return JsonResponse({"results": []})
    queryset = recipients_in_scope(model_admin, request, model)
    for word in words:
        queryset = queryset.filter(search_key__contains=word)
    if model is Individual:
        queryset = queryset.select_related("unit")
    found = queryset.order_by("sort_key", "id")[:20]
    return JsonResponse({"results": [{"id": r.pk, "text": _recipient_label(r)} for r in found]})


def _parse_day(text: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return timezone.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


class DecisionPage:
    """One request to the page: the header form, the lines of one page, their messages."""

    def __init__(self, model_admin, request, decision: Decision | None):
        self.admin = model_admin
        self.request = request
        self.decision = decision
        self.adding = decision is None
        if self.adding:
            self.editable = model_admin.has_add_permission(request)
        else:
            self.editable = not decision.is_issued and model_admin.has_change_permission(
                request, decision
            )
        self.query = request.GET.get("q", "").strip()
        self.top_errors: list[str] = []
        # The title names the decision as saved, whatever a refused form typed over it.
        self.title = (
            "Thêm quyết định khen thưởng"
            if decision is None
            else f"Quyết định {decision.number} ngày {decision.signed_date:%d/%m/%Y}"
        )

    # -- forms ---------------------------------------------------------------------------
    def header_form_class(self):
        return self.admin.get_form(
            self.request, self.decision, change=not self.adding, fields=HEADER_FIELDS
        )

    def header_initial(self) -> dict:
        from registry.selectors.scope import authorities_for

        initial = {"signed_date": timezone.localdate()}
        authority_id = self.request.GET.get("authority")
        authorities = authorities_for(self.request.user)
        authority = None
        if authority_id and authority_id.isdigit():
            authority = authorities.filter(pk=authority_id).first()
        else:
            mine = list(authorities[:2])
            authority = mine[0] if len(mine) == 1 else None
        if authority is not None:
            initial["authority"] = authority.pk
            initial.update(decision_defaults(authority=authority, day=initial["signed_date"]))
        return initial

    def lines_queryset(self):
        awards = self.decision.awards.select_related(
            "award_type", "collective", "individual", "household"
        ).order_by("line_no", "id")
        for word in fold(self.query).split():
            awards = awards.filter(
                Q(collective__search_key__contains=word)
                | Q(individual__search_key__contains=word)
                | Q(household__search_key__contains=word)
            )
        return awards

    def page_of_lines(self):
        if self.adding:
            return None
        paginator = Paginator(self.lines_queryset(), PAGE_SIZE)
        return paginator.get_page(self.request.GET.get("p"))

    def type_choices(self, decision: Decision | None) -> list[tuple[int, str]]:
        if decision is None or not decision.authority_id or not decision.signed_date:
            return []
        allowed = award_types_allowed(authority=decision.authority, day=decision.signed_date)
        return list(allowed.order_by("display_order", "code").values_list("pk", "name"))

    # -- GET -----------------------------------------------------------------------------
    def get(self):
        form_class = self.header_form_class()
        if self.adding:
            form = form_class(initial=self.header_initial())
        else:
            form = form_class(instance=self.decision)
        page = self.page_of_lines()
        rows = []
        if page is not None:
            for award in page.object_list:
                rows.append(self.saved_row(award))
        formset = None
        if self.editable:
            formset = LineFormSet(prefix=PREFIX, initial=[_line_initial(r.award) for r in rows])
            for index, row in enumerate(rows):
                row.index = index
            rows += [self.blank_row(i) for i in range(len(rows), len(rows) + EXTRA_LINES)]
        return self.render(form, formset, rows, page)

    def saved_row(self, award: Award) -> Row:
        return Row(
            index=None,
            anchor=f"dong-{award.line_no}",
            label=f"Dòng {award.line_no}",
            values=_line_initial(award),
            award=award,
            needs_reason=bool(award.eligibility_override),
            cash="" if award.cash_amount is None else f"{money(award.cash_amount)} đ",
        )

    def blank_row(self, index, values: dict | None = None, number: int = 0) -> Row:
        return Row(
            index=index,
            anchor=f"dong-moi-{index}",
            label=f"Dòng mới thứ {number}" if number else "Dòng mới",
            values=values or {"recipient_kind": RecipientKind.INDIVIDUAL},
        )

    # -- POST ----------------------------------------------------------------------------
    def post(self):
        if not self.editable:
            raise PermissionDenied
        data = self.request.POST
        form_class = self.header_form_class()
        form = form_class(data, self.request.FILES, instance=self.decision)
        existing = self.posted_lines(data)
        initial = []
        total = _int(data.get(f"{PREFIX}-INITIAL_FORMS"))
        for index in range(total):
            award = existing.get(_int(data.get(f"{PREFIX}-{index}-id")))
            initial.append(_line_initial(award) if award else {})
        formset = LineFormSet(data, prefix=PREFIX, initial=initial)
        self.initial_count = total
        header_ok = form.is_valid()
        lines_ok = formset.is_valid()
        rows = [self.posted_row(f, existing) for f in formset.forms]
        if lines_ok:
            lines, deleted = self.posted_awards(formset, existing, rows)
            if header_ok and not any(row.errors for row in rows):
                saved = self.save(form, lines, deleted)
                if saved is not None:
                    return self.redirect_after_save(saved)
        page = self.page_of_lines()
        return self.render(form, formset, rows, page, failed=True)

    def posted_lines(self, data) -> dict[int, Award]:
        if self.adding:
            return {}
        ids = {
            int(value)
            for key, value in data.items()
            if re.fullmatch(rf"{PREFIX}-\d+-id", key) and value.isdigit()
        }
        awards = self.decision.awards.filter(pk__in=ids).select_related(
            "award_type", "collective", "individual", "household"
        )
        return {a.pk: a for a in awards}

    def posted_row(self, line: LineForm, existing: dict[int, Award]) -> Row:
        values = {
            name: line[name].value() for name in line.fields if name not in KIND_FIELDS.values()
        }
        values["recipient_kind"] = values.get("recipient_kind") or RecipientKind.INDIVIDUAL
        award = existing.get(_int(values.get("id")))
        if award is not None:
            row = self.saved_row(award)
            row.values = values
            row.index = int(line.prefix.rsplit("-", 1)[1])
        else:
            index = int(line.prefix.rsplit("-", 1)[1])
            row = self.blank_row(index, values, number=index + 1 - self.initial_count)
        for found in line.errors.values():
            row.errors += found
        row.needs_reason = row.needs_reason or bool(values.get("eligibility_override"))
        return row

    def posted_awards(self, formset, existing, rows):
        """The changed lines as Award objects (not saved) and the lines to delete; a line whose
        recipient or type cannot be found gets its message."""
        lines: list[tuple[Row, Award]] = []
        deleted: list[Award] = []
        recipients = self.posted_recipients(formset)
        type_ids = {f.cleaned_data["award_type"] for f in formset.forms if f.cleaned_data}
        types = AwardType.objects.in_bulk(type_ids)
        for line, row in zip(formset.forms, rows, strict=True):
            data = line.cleaned_data
            if not data or not line.has_changed():
                continue
            award = existing.get(data.get("id"))
            if data.get("id") and award is None:
                row.errors.append("Dòng này không còn trong quyết định; hãy tải lại trang.")
                continue
            if data.get("DELETE"):
                if award is not None:
                    deleted.append(award)
                continue
            recipient = recipients.get((data["recipient_kind"], data["recipient"]))
            award_type = types.get(data["award_type"])
            if recipient is None:
                row.errors.append(
                    "Không tìm thấy đối tượng đã chọn trong sổ của đơn vị. Hãy tìm và chọn lại."
                )
            if award_type is None:
                row.errors.append("Hãy chọn danh hiệu, hình thức khen thưởng trong danh sách.")
            if recipient is None or award_type is None:
                continue
            award = award or Award()
            was = award.recipient
            for name, value in recipient_fields(recipient).items():
                setattr(award, name, value)
            if was is not None and was != recipient:
                # Another recipient: the snapshot is taken again from the new one.
                award.recipient_name = award.recipient_position = award.recipient_unit = ""
                award.recipient_category = ""
            award.award_type = award_type
            award.loai_hinh = data.get("loai_hinh") or ""
            award.period_from = data["period_from"]
            award.period_to = data["period_to"]
            award.achievement = data.get("achievement") or ""
            award.eligibility_override = (data.get("eligibility_override") or "").strip()
            lines.append((row, award))
        return lines, deleted

    def save(self, form, lines, deleted) -> Decision | None:
        decision = form.save(commit=False)
        user = self.request.user
        try:
            with transaction.atomic():
                decision_save(decision=decision, user=user)
                if deleted:
                    awards_delete(decision=decision, awards=deleted, user=user)
                if lines:
                    awards_add(decision=decision, awards=[a for _, a in lines], user=user)
        except AwardLinesInvalid as error:
            for (row, _), found in zip(lines, error.problems, strict=True):
                for name, messages_ in found.items():
                    row.errors += messages_
                    if name == "eligibility_override":
                        row.needs_reason = True
            self.undo(decision, lines)
            return None
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, messages_ in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, messages_)
            else:
                self.top_errors += error.messages
            self.undo(decision, lines)
            return None
        return decision

    def undo(self, decision: Decision, lines) -> None:
        """After a rollback the objects still carry what the database forgot."""
        if self.adding:
            decision.pk = None
            decision._state.adding = True
        for _, award in lines:
            if award._state.adding:
                award.pk = None

    def posted_recipients(self, formset) -> dict[tuple[str, int], object]:
        wanted: dict[str, set[int]] = {}
        for line in formset.forms:
            data = line.cleaned_data
            if data and data.get("recipient") and not data.get("DELETE"):
                wanted.setdefault(data["recipient_kind"], set()).add(data["recipient"])
        found = {}
        for kind, ids in wanted.items():
            model = KIND_MODELS[kind]
            for recipient in recipients_in_scope(self.admin, self.request, model).filter(
                pk__in=ids
            ):
                found[(kind, recipient.pk)] = recipient
        return found

    def redirect_after_save(self, decision: Decision):
        request = self.request
        verb = "Đã thêm" if self.adding else "Đã lưu"
        messages.success(request, f"{verb} quyết định {decision.number}.")
        if "_save" in request.POST:
            return HttpResponseRedirect(reverse("admin:registry_decision_changelist"))
        if "_addanother" in request.POST:
            return HttpResponseRedirect(reverse("admin:registry_decision_add"))
        url = reverse("admin:registry_decision_change", args=[decision.pk])
        keep = {k: v for k, v in request.GET.items() if k in ("p", "q") and v}
        return HttpResponseRedirect(f"{url}?{urlencode(keep)}" if keep else url)

    # -- rendering -----------------------------------------------------------------------
    def render(self, form, formset, rows, page, *, failed: bool = False):
        request = self.request
        decision = self.decision
        shown = form.instance if form.instance.authority_id else None
        if shown is None and form.is_bound is False and form.initial.get("authority"):
            from registry.models import Authority

            shown = Decision(
                authority=Authority.objects.filter(pk=form.initial["authority"]).first(),
                signed_date=form.initial.get("signed_date"),
            )
        elif shown is None and form.is_bound:
            shown = self.bound_decision(form)
        for row in rows:
            row.values = _as_text(row.values)
        type_choices = [(str(pk), name) for pk, name in self.type_choices(shown)]
        allowed_ids = {pk for pk, _ in type_choices}
        extra_types = {
            r.values["award_type"]
            for r in rows
            if r.values.get("award_type", "").isdigit()
            and r.values["award_type"] not in allowed_ids
        }
        other_types = [
            (str(pk), name)
            for pk, name in AwardType.objects.filter(pk__in=extra_types).values_list("pk", "name")
        ]
        summary = [(None, m) for m in self.top_errors]
        for name, found in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for message in found:
                summary.append(
                    (
                        f"id_{name}" if name in form.fields else None,
                        f"{label}: {message}" if label else message,
                    )
                )
        line_errors = [(row.anchor, row.label, message) for row in rows for message in row.errors]
        if formset is not None:
            for message in formset.non_form_errors():
                summary.append((None, message))
        opts = self.admin.model._meta
        context = {
            **self.admin.admin_site.each_context(request),
            # The page needs the screen's whole width; the model list is one click away.
            "is_nav_sidebar_enabled": False,
            "opts": opts,
            "app_label": opts.app_label,
            "title": self.title,
            "original": decision,
            "adding": self.adding,
            "editable": self.editable,
            "form": form,
            "formset": formset,
            "rows": rows,
            "page_obj": page,
            "query": self.query,
            "failed": failed or bool(summary or line_errors),
            "summary": summary,
            "line_errors": line_errors,
            "error_count": len(summary) + len(line_errors),
            "type_choices": type_choices,
            "other_types": other_types,
            "kind_choices": RecipientKind.choices,
            "loai_hinh_choices": LoaiHinh.choices,
            "has_change_permission": self.editable,
            "has_view_permission": True,
            "has_delete_permission": decision is not None
            and self.admin.has_delete_permission(request, decision),
            "blank_template": self.blank_row("__prefix__"),
            "page_links": _page_links(page),
            "media": self.admin.media + form.media,
            "header_fields": _header_layout(form),
            "line_count": None if decision is None else decision.awards.count(),
            "search_url": reverse("admin:registry_decision_recipients"),
            "defaults_url": reverse("admin:registry_decision_next_number"),
            "issued_view": decision is not None and decision.is_issued,
        }
        if decision is not None:
            context["read_header"] = _read_header(decision)
        return TemplateResponse(request, "admin/registry/decision/page.html", context)

    def bound_decision(self, form) -> Decision | None:
        from registry.models import Authority

        authority_id = _int(form.data.get("authority"))
        day = _parse_day(form.data.get("signed_date", ""))
        if not authority_id or day is None:
            return None
        return Decision(
            authority=Authority.objects.filter(pk=authority_id).first(), signed_date=day
        )


def _as_text(values: dict) -> dict:
    """Form values as the page writes them: text, "" for nothing, "1" for a ticked box."""
    text = {k: "" if v is None or v is False else str(v) for k, v in values.items()}
    if "DELETE" in values:
        text["DELETE"] = "1" if values["DELETE"] else ""
    return text


def _page_links(page) -> list:
    if page is None or page.paginator.num_pages <= 1:
        return []
    return [
        "…" if n == page.paginator.ELLIPSIS else n
        for n in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


_LAYOUT = [
    ("Quyết định", ["authority", "kind", "number", "signed_date", "place", "loai_hinh"]),
    (
        "Nội dung",
        ["subject", "legal_bases", "proposal", "proposing_authority", "proposing_unit", "campaign"],
    ),
    ("Người ký", ["signer_prefix", "signer_title", "signer_name", "scan"]),
]


def _header_layout(form):
    return [
        (title, [form[name] for name in names if name in form.fields]) for title, names in _LAYOUT
    ]


def _read_header(decision: Decision) -> list[tuple[str, str]]:
    signer = " ".join(
        p for p in (decision.signer_prefix, decision.signer_title, decision.signer_name) if p
    )
    rows = [
        ("Cấp khen thưởng", str(decision.authority)),
        ("Số quyết định", decision.number),
        ("Ngày ký", f"{decision.signed_date:%d/%m/%Y}"),
        ("Địa danh", decision.place),
        ("Trích yếu", decision.subject),
        ("Loại hình", decision.get_loai_hinh_display()),
        ("Người ký", signer),
        ("Trạng thái", decision.get_status_display()),
    ]
    if decision.issued_at:
        issued = timezone.localtime(decision.issued_at)
        rows.append(("Ban hành lúc", f"{issued:%d/%m/%Y %H:%M}"))
    if decision.proposal:
        rows.append(("Tờ trình", decision.proposal))
    if decision.legal_bases:
        rows.append(("Căn cứ", decision.legal_bases))
    return rows


def decision_add_view(model_admin, request):
    page = DecisionPage(model_admin, request, None)
    if not page.editable:
        raise PermissionDenied
    return page.post() if request.method == "POST" else page.get()


def decision_change_view(model_admin, request, object_id):
    try:
        decision = model_admin.scoped_object_or_404(
            request, object_id, Decision.objects.select_related("authority")
        )
    except Http404:
        # Deleted, never there, or another office's: the same answer, in the admin's look.
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": "Không tìm thấy quyết định",
        }
        return TemplateResponse(
            request, "admin/registry/decision/not_found.html", context, status=404
        )
    if not model_admin.has_view_or_change_permission(request, decision):
        raise PermissionDenied
    page = DecisionPage(model_admin, request, decision)
    return page.post() if request.method == "POST" else page.get()
