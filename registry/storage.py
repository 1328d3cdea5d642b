"""Where uploaded and generated files live (MEDIA_ROOT), and the only address they have."""

from django.core.files.storage import FileSystemStorage
from django.urls import reverse


class PrivateFileStorage(FileSystemStorage):
    """Scans and print batches belong to an office: no web server serves MEDIA_ROOT, so a file's
    link is the view that checks the user's office and role (registry.views.files)."""

    def url(self, name):
        return reverse("registry_private_file", kwargs={"name": name})
