from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from registry.views.files import private_file
from registry.views.health import health
from registry.views.public import posting_public, verification, verification_upload

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    # For the load balancer and monitoring: database reachable, background worker beating.
    path("suc-khoe/", health, name="health"),
    # Printed in the certificates' QR codes: keep this address stable.
    # The proposing units' portal: their own unit's proposals, never the admin.
    path("don-vi/", include("registry.views.portal")),
    # Anyone uploads a PDF and is told whether it is a genuine paper of this registry.
    path("xac-thuc/", verification_upload, name="registry_verification_upload"),
    path("xac-thuc/<str:code>/", verification, name="registry_verification"),
    # Công khai: the lines posted for the public's comments before the council meets.
    path("cong-khai/<int:posting_id>/", posting_public, name="posting_public"),
    # The only address of a file under MEDIA_ROOT (not even DEBUG serves that folder): login,
    # office and role are checked on every download.
    path("tep/<path:name>", admin.site.admin_view(private_file), name="registry_private_file"),
]
