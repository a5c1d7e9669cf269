"""The process layout: which contexts this process hosts (shop.platform.topology).

SHOP_TOPOLOGY names a topology file (TOML) and SHOP_SERVICE this process's service in it.
Neither set: one service hosting all four contexts and identity.
"""

from shop.platform.topology import load
from shop.site.settings.core import SHOP_CONTEXTS
from shop.site.settings.env import text

SHOP_TOPOLOGY = load(text("SHOP_TOPOLOGY") or None, text("SHOP_SERVICE") or None, SHOP_CONTEXTS)
