"""WSGI entry point for gunicorn: `gunicorn shop.site.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.site.settings")
from shop.platform.observability import tracing  # noqa: E402

tracing.configure("shop-web")  # before the app is built, so Django is instrumented
application = get_wsgi_application()

from shop.platform.events import worker  # noqa: E402 - needs the apps loaded above

# With the inline transport each web process relays and handles events itself.
worker.start_if_inline()
