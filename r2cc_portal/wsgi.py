import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "r2cc_portal.settings.production")

application = get_wsgi_application()

# Django, the apps and their models now live as long as the worker: moved out of the collector's
# generations (gc.freeze), they are not walked again by every full collection. A page that builds
# many objects (an API page of 50 projects) pauses for such a collection every few requests;
# the pause is half as long without them.
gc.freeze()
