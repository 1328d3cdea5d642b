from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from registry.views.public import verification

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    # Printed in the certificates' QR codes: keep this address stable.
    path("xac-thuc/<str:code>/", verification, name="registry_verification"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
