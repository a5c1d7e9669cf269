"""WSGI entry point for gunicorn: `gunicorn shop.site.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.site.settings")
from shop.platform.observability import tracing  # noqa: E402

# Before the app is built, so Django is instrumented; spans name this service: `shop-web`.
tracing.configure(role="web")
application = get_wsgi_application()

from shop.platform.events import worker  # noqa: E402 - needs the apps loaded above

# With the inline transport each web process relays and handles events itself.
worker.start_if_inline()
