"""Files under MEDIA_ROOT (decision and pledge scans, certificate batches) are served only here,
to a user whose admin page for the row holding the file would show it: the same office scope and
the same view permission. No web server serves MEDIA_ROOT; with REGISTRY_SENDFILE_HEADER set, the
web server sends the bytes once this view has said yes."""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

# Shown in the browser; anything else (an uploaded .html or .svg could run script) is downloaded.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}
NOT_FOUND = "Không tìm thấy tệp, hoặc tài khoản này không được xem tệp này."


def file_response(field_file, *, filename: str | None = None, as_attachment: bool | None = None):
    """The response sending a stored file: by the web server (X-Accel-Redirect, X-Sendfile) when
    configured, else by Django."""
    name = field_file.name
    filename = filename or name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if as_attachment is None:
        as_attachment = content_type not in INLINE_TYPES
    if not field_file.storage.exists(name):
        raise Http404(NOT_FOUND)
    header = settings.REGISTRY_SENDFILE_HEADER
    if not header:
        return FileResponse(
            field_file.open("rb"),
            as_attachment=as_attachment,
            filename=filename,
            content_type=content_type,
        )
    response = HttpResponse(content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    if header == "X-Accel-Redirect":
        # nginx: an `internal` location whose alias is MEDIA_ROOT.
        target = settings.REGISTRY_SENDFILE_PREFIX.rstrip("/") + "/" + name
    else:
        # Apache mod_xsendfile: the path on disk (XSendFilePath MEDIA_ROOT).
        target = field_file.path
    response[header] = quote(target)
    return response


def _file_fields():
    for model, model_admin in admin.site._registry.items():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model_admin, field.name


def visible_file(request, name: str):
    """The stored file ``name`` if a row this user may view holds it, else None."""
    for model_admin, field in _file_fields():
        rows = model_admin.get_queryset(request).filter(**{field: name})
        for row in rows[:5]:
            if model_admin.has_view_permission(request, row):
                return getattr(row, field)
    return None


@require_GET
def private_file(request, name: str):
    field_file = visible_file(request, name) if name else None
    if field_file is None:
        raise Http404(NOT_FOUND)
    return file_response(field_file)
