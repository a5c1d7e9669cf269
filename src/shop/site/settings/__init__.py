"""Settings, split by concern. Everything a deployment changes comes from SHOP_* env vars."""

from shop.site.settings.api import *  # noqa: F403
from shop.site.settings.cache import *  # noqa: F403
from shop.site.settings.celery import *  # noqa: F403
from shop.site.settings.core import *  # noqa: F403
from shop.site.settings.databases import *  # noqa: F403
from shop.site.settings.logging import *  # noqa: F403
from shop.site.settings.security import *  # noqa: F403
from shop.site.settings.topology import *  # noqa: F403
