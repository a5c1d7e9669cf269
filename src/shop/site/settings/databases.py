import os

from shop.platform.db.config import build_databases
from shop.site.settings.core import SHOP_CONTEXTS, SHOP_DATA_DIR

# SQLite files under SHOP_DATA_DIR by default; PostgreSQL schemas and roles when
# SHOP_DATABASE_URL is set. See shop.platform.db.config for every variable.
DATABASES = build_databases(SHOP_CONTEXTS, data_dir=SHOP_DATA_DIR, env=os.environ)
DATABASE_ROUTERS = ["shop.platform.db.routers.ContextRouter"]
SHOP_USES_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
