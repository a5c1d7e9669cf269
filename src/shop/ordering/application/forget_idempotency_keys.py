"""Forget Idempotency-Key records once no client would still retry with them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shop.ordering.infrastructure import DATABASE
from shop.ordering.infrastructure.models import IdempotentRequest

KEEP_FOR = timedelta(hours=24)


def forget_idempotency_keys() -> int:
    cutoff = timezone.now() - KEEP_FOR
    deleted, _ = IdempotentRequest.objects.using(DATABASE).filter(created_at__lt=cutoff).delete()
    return deleted
