from django.contrib import admin
from django.urls import path
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from registry.models import PaperSignature, SignedPaper
from registry.views import signed_pages

from .base import OfficeScopedAdmin, ReadOnlyInline, RecordOnlyAdmin


class PaperSignatureInline(ReadOnlyInline):
    model = PaperSignature
    show_change_link = False
    fields = ["order", "signer_name", "signer_organisation", "signed_at", "status", "certificate"]
    readonly_fields = fields

    @admin.display(description="chứng thư số")
    def certificate(self, obj):
        return format_html(
            '<small>Số hiệu: {}<br>Cấp bởi: {}<br>SHA-256: <code style="word-break:break-all">'
            "{}</code></small>",
            obj.certificate_serial or "–",
            obj.issuer_name or "–",
            obj.certificate_sha256,
        )


@admin.register(SignedPaper)
class SignedPaperAdmin(RecordOnlyAdmin, OfficeScopedAdmin, SimpleHistoryAdmin):
    """Signed PDFs as received: written only by services.received_papers, through the pages below."""

    scope = "authority"
    list_display = ["filename", "decision", "pledge", "revision", "status", "uploaded_at"]
    list_filter = ["status", "authority"]
    list_select_related = ["decision", "pledge"]
    inlines = [PaperSignatureInline]

    def get_urls(self):
        return [
            path(
                "quyet-dinh/<int:decision_id>/",
                self.admin_site.admin_view(
                    lambda request, decision_id: signed_pages.decision_signed_view(
                        self, request, decision_id
                    )
                ),
                name="registry_decision_signed",
            ),
            path(
                "giao-uoc/<int:pledge_id>/",
                self.admin_site.admin_view(
                    lambda request, pledge_id: signed_pages.pledge_signed_view(
                        self, request, pledge_id
                    )
                ),
                name="registry_pledge_signed",
            ),
        ] + super().get_urls()
