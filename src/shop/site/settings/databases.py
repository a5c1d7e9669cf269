import os

from shop.platform.db.config import alias_for, build_databases, store_env, unhosted
from shop.platform.topology import IDENTITY
from shop.site.settings.core import SHOP_CONTEXTS, SHOP_DATA_DIR
from shop.site.settings.env import flag
from shop.site.settings.topology import SHOP_TOPOLOGY

# SQLite files under SHOP_DATA_DIR by default; PostgreSQL schemas and roles when
# SHOP_DATABASE_URL is set. See shop.platform.db.config for every variable. A store the
# topology file places elsewhere is as if SHOP_<ALIAS>_DATABASE_URL named it (the variable
# wins). Only the aliases this process hosts have a store (identity is `default`); the
# others refuse every query with an error naming the service that hosts them.
_env = store_env(SHOP_TOPOLOGY.stores, os.environ)
_alias = {context: alias_for(context) for context in (IDENTITY, *SHOP_CONTEXTS)}
_hosted = [_alias[c] for c in SHOP_TOPOLOGY.service.hosts]
DATABASES = build_databases(SHOP_CONTEXTS, data_dir=SHOP_DATA_DIR, env=_env, hosted=_hosted) | {
    alias: unhosted(
        context, SHOP_TOPOLOGY.this, getattr(SHOP_TOPOLOGY.host_of(context), "name", None)
    )
    for context, alias in _alias.items()
    if alias not in _hosted
}
DATABASE_ROUTERS = ["shop.platform.db.routers.ContextRouter"]
SHOP_USES_POSTGRES = any(d.get("ENGINE", "").endswith("postgresql") for d in DATABASES.values())
# Count each statement per store and kind in /metrics (shop.platform.observability.statements).
SHOP_DB_STATEMENT_METRICS = flag("SHOP_DB_STATEMENT_METRICS")
