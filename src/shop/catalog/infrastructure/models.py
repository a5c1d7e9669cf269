from django.db import models


class ProductRecord(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Minor units (cents) in an integer column: exact on SQLite and PostgreSQL alike.
    price_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "catalog_product"
        verbose_name = "product"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_minor__gt=0), name="catalog_price_positive"
            )
        ]

    def __str__(self) -> str:
        return self.sku
