import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import reverse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
application = get_wsgi_application()

# What is loaded now (Django, the models, the admin and its URLs) lives as long as the worker.
# The collector's full collections walk every live object: unfrozen, these 130,000 made about
# one page in 140 wait 100–150 ms. Frozen, they are left out of every collection.
reverse("admin:index")
gc.collect()
gc.freeze()
