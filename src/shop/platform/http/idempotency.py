"""Idempotency-Key support: a retried POST returns the first response instead of acting twice.

The record lives in the acting context's own store and is written in the same
transaction as the effect, so "effect happened" and "response remembered" can
never disagree. Only successful responses are remembered: a request that failed
changed nothing and may be retried with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction

from shop.platform.http.problems import Problem

MAX_KEY_LENGTH = 255


class IdempotencyRecord(models.Model):
    """Abstract: each context that accepts Idempotency-Key keeps a concrete table of its own."""

    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=MAX_KEY_LENGTH)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="%(app_label)s_idempotency_once")
        ]


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: Any
    replayed: bool


def fingerprint(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Problem(
            status=400,
            slug="invalid-idempotency-key",
            title="Invalid Idempotency-Key",
            detail=f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.",
        )
    return key


def run_once(
    *,
    record: type[IdempotencyRecord],
    using: str,
    owner: str,
    key: str,
    request_data: Any,
    action: Callable[[], tuple[int, Any]],
) -> Outcome:
    """Run `action` at most once per (owner, key); replay its response afterwards."""
    key = validate_key(key)
    print_ = fingerprint(request_data)
    for _ in range(2):
        try:
            with transaction.atomic(using=using):
                existing = record.objects.using(using).filter(owner=owner, key=key).first()
                if existing is not None:
                    return _replay(existing, print_)
                status_code, body = action()
                record.objects.using(using).create(
                    owner=owner, key=key, fingerprint=print_, status_code=status_code, body=body
                )
                return Outcome(status_code, body, replayed=False)
        except IntegrityError:
            # A concurrent request with the same key committed first; our effect was
            # rolled back with this transaction. Loop once to replay its response.
            continue
    raise RuntimeError("idempotency record vanished between conflict and replay")


def _replay(existing: IdempotencyRecord, print_: str) -> Outcome:
    if existing.fingerprint != print_:
        raise Problem(
            status=422,
            slug="idempotency-key-reused",
            title="Idempotency-Key reused",
            detail="This Idempotency-Key was already used with a different request body.",
        )
    return Outcome(existing.status_code, existing.body, replayed=True)
