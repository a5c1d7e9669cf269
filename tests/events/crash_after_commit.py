"""Run by test_crash_recovery: place an order, then die the instant the commit returns.

The process is SIGKILLed before any relay could run, so the OrderPlaced event
exists only as a committed outbox row; the test checks that it is not lost.
"""

import json
import os
import signal
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.site.settings")
django.setup()

from django.db import connections  # noqa: E402

from shop.ordering.application.place_order import PlaceOrder, place_order  # noqa: E402

for alias, name in json.loads(os.environ["SHOP_TEST_DATABASE_NAMES"]).items():
    connections[alias].settings_dict["NAME"] = name

order = place_order(PlaceOrder(customer_id=7, lines=[(sys.argv[1], 2)], payment_token="tok_visa"))
sys.stdout.write(f"{order.id}\n")
sys.stdout.flush()
os.kill(os.getpid(), signal.SIGKILL)
