"""manage.py seed_demo: demo users, products and stock for trying the shop (idempotent).

The users have well-known passwords, so the command refuses to run unless
SHOP_DEBUG is on or --allow-production is given.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.site.demo import DEMO_PRODUCTS, DEMO_USERS


class Command(BaseCommand):
    help = (
        "Create the demo users (staff, alice, bob) and 24 products with stock. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production", action="store_true", help="Seed even with SHOP_DEBUG off."
        )

    def handle(self, *args, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_demo creates users with public passwords; it needs SHOP_DEBUG=1."
            )
        users = get_user_model()
        for username, password, is_staff in DEMO_USERS:
            user, created = users.objects.get_or_create(
                username=username, defaults={"is_staff": is_staff}
            )
            user.is_staff = user.is_superuser = is_staff
            user.set_password(password)
            user.save()
            self.stdout.write(f"user {username} {'created' if created else 'reset'}")
        added = 0
        for sku, name, description, price, currency, on_hand in DEMO_PRODUCTS:
            if not catalog.product_exists(sku):
                catalog.add_product(
                    sku=sku,
                    name=name,
                    description=description,
                    price=Decimal(price),
                    currency=currency,
                )
                added += 1
            if inventory.stock_level(sku) is None:
                inventory.count_stock(sku=sku, on_hand=on_hand)
        self.stdout.write(
            self.style.SUCCESS(f"{added} products added, {len(DEMO_PRODUCTS)} in the demo set.")
        )
