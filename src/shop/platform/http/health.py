"""Liveness and readiness: is the process up, and can it reach every store it hosts."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connections
from django.http import JsonResponse

from shop.platform import topology
from shop.platform.db import hosted_aliases
from shop.platform.http.problems import problem_response


def healthz(request) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request) -> JsonResponse:
    checks: dict[str, str] = {}
    if settings.SHOP_EVENTS["transport"] == "celery":
        checks["broker"] = _broker()
    for alias in hosted_aliases():
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
            checks[alias] = "ok"
        except Exception as exc:  # any failure means "not ready"; the class names it
            checks[alias] = f"unreachable: {type(exc).__name__}"
    failing = sorted(alias for alias, state in checks.items() if state != "ok")
    if failing:
        return problem_response(
            status=503,
            slug="not-ready",
            title="Not ready",
            detail=f"Unreachable: {', '.join(failing)}.",
            failing=failing,
            checks=checks,
        )
    return JsonResponse({"status": "ready", "checks": checks, **topology.current().describe()})


def _broker() -> str:
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1).ping()
        return "ok"
    except Exception as exc:  # unreachable, refused, timed out: all mean "not ready"
        return f"unreachable: {type(exc).__name__}"
