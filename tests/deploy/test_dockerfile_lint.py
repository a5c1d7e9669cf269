"""docker/Dockerfile and docker/compose.yaml follow the deployment rules; each rule bites.

The image cannot be built here (no Docker engine), so this static check is what guards
it. Every rule has a canary: a file that breaks that one rule, and is reported for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.deploy.dockerlint import lint_compose, lint_dockerfile, lint_dockerignore

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"

GOOD_DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1
RUN pip wheel --wheel-dir /wheels .
FROM python:3.11-slim AS runtime
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \\
    pip install --no-index --no-cache-dir --find-links=/wheels /wheels/*.whl
RUN SHOP_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe())')" \\
    python manage.py collectstatic --noinput
ENV SHOP_BIND=0.0.0.0:8000
USER 10001:10001
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["all"]
"""

GOOD_COMPOSE = {
    "services": {
        "shop": {
            "image": "shop:latest",
            "depends_on": {
                "postgres": {"condition": "service_healthy"},
                "redis": {"condition": "service_healthy"},
            },
            "environment": {
                "SHOP_SECRET_KEY": "${SHOP_SECRET_KEY:?set it}",
                "SHOP_DATABASE_ADMIN_URL": "postgresql://postgres:${PG:?}@postgres:5432/postgres",
                "SHOP_DEFAULT_DATABASE_PASSWORD": "${SHOP_DB_PASSWORD:?}",
            },
            "volumes": ["shop-data:/app/var"],
            "healthcheck": {"test": ["CMD", "python", "-c", "..."]},
        },
        "postgres": {
            "image": "postgres:15",
            "environment": {"POSTGRES_PASSWORD": "${PG:?}"},
            "volumes": ["postgres-data:/var/lib/postgresql/data"],
            "healthcheck": {"test": ["CMD", "pg_isready"]},
        },
        "redis": {
            "image": "redis:7",
            "volumes": ["redis-data:/data"],
            "healthcheck": {"test": ["CMD", "redis-cli", "ping"]},
        },
    },
    "volumes": {"shop-data": None, "postgres-data": None, "redis-data": None},
}


GOOD_DOCKERIGNORE = ".git\n.venv/\nvar\n**/.env\n"


def rules(findings) -> set[str]:
    return {finding.rule for finding in findings}


def test_the_project_dockerfile_follows_every_rule():
    assert lint_dockerfile((DOCKER / "Dockerfile").read_text()) == []


def test_the_project_compose_file_follows_every_rule():
    assert lint_compose((DOCKER / "compose.yaml").read_text()) == []


def test_the_project_build_context_leaves_out_local_state_and_secrets():
    assert lint_dockerignore((ROOT / ".dockerignore").read_text()) == []


def test_the_canaries_start_from_files_that_pass():
    assert lint_dockerfile(GOOD_DOCKERFILE) == []
    assert lint_compose(yaml.safe_dump(GOOD_COMPOSE)) == []
    assert lint_dockerignore(GOOD_DOCKERIGNORE) == []


def replaced(old: str, new: str) -> str:
    assert old in GOOD_DOCKERFILE, old
    return GOOD_DOCKERFILE.replace(old, new, 1)


DOCKERFILE_CANARIES = {
    "one stage only": (
        "multi-stage",
        "FROM python:3.11-slim" + GOOD_DOCKERFILE.split("FROM python:3.11-slim AS runtime")[1],
    ),
    "full builder image": (
        "base-image",
        replaced("FROM python:3.11-slim AS builder", "FROM python:3.11 AS builder"),
    ),
    "unpinned final image": (
        "base-image",
        replaced("FROM python:3.11-slim AS runtime", "FROM python:slim AS runtime"),
    ),
    "no USER": ("non-root-user", replaced("USER 10001:10001\n", "")),
    "USER root": ("non-root-user", replaced("USER 10001:10001", "USER root")),
    "USER 0:0": ("non-root-user", replaced("USER 10001:10001", "USER 0:0")),
    "no HEALTHCHECK": ("healthcheck", replaced("HEALTHCHECK CMD", "# HEALTHCHECK CMD")),
    "HEALTHCHECK NONE after the check": (
        "healthcheck",
        replaced('CMD ["all"]', 'HEALTHCHECK NONE\nCMD ["all"]'),
    ),
    "HEALTHCHECK on another path": ("healthcheck", replaced("/healthz", "/")),
    "compiler in the final stage": (
        "no-build-tools",
        replaced(
            "ENV SHOP_BIND",
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc\nENV SHOP_BIND",
        ),
    ),
    "build-essential in the final stage": (
        "no-build-tools",
        replaced("ENV SHOP_BIND", "RUN apt-get install -y build-essential=12.9\nENV SHOP_BIND"),
    ),
    "pip reaching an index": ("offline-install", replaced("--no-index ", "")),
    "pip keeping its cache": ("offline-install", replaced("--no-cache-dir ", "")),
    "secret key in ENV": (
        "no-secrets",
        replaced("ENV SHOP_BIND=0.0.0.0:8000", "ENV SHOP_BIND=0.0.0.0:8000 SHOP_SECRET_KEY=x"),
    ),
    "password as a build arg": (
        "no-secrets",
        replaced(
            "FROM python:3.11-slim AS builder", "FROM python:3.11-slim AS builder\nARG DB_PASSWORD"
        ),
    ),
    "legacy ENV form with a password": (
        "no-secrets",
        replaced("ENV SHOP_BIND=0.0.0.0:8000", "ENV POSTGRES_PASSWORD hunter2"),
    ),
    "no ENTRYPOINT": ("entrypoint", replaced('ENTRYPOINT ["/app/docker/entrypoint.sh"]\n', "")),
    "shell-form ENTRYPOINT": (
        "entrypoint",
        replaced(
            'ENTRYPOINT ["/app/docker/entrypoint.sh"]', "ENTRYPOINT /app/docker/entrypoint.sh"
        ),
    ),
    "another program as ENTRYPOINT": (
        "entrypoint",
        replaced('["/app/docker/entrypoint.sh"]', '["supervisord"]'),
    ),
}


@pytest.mark.parametrize(
    ("rule", "dockerfile"), DOCKERFILE_CANARIES.values(), ids=DOCKERFILE_CANARIES.keys()
)
def test_a_dockerfile_breaking_a_rule_is_reported_for_that_rule(rule, dockerfile):
    assert rules(lint_dockerfile(dockerfile)) == {rule}


def compose_with(change) -> str:
    compose = yaml.safe_load(yaml.safe_dump(GOOD_COMPOSE))  # a deep copy
    change(compose["services"])
    return yaml.safe_dump(compose)


COMPOSE_CANARIES = {
    "redis without a health check": (
        "compose-healthcheck",
        lambda services: services["redis"].pop("healthcheck"),
    ),
    "postgres health check disabled": (
        "compose-healthcheck",
        lambda services: services["postgres"].update(healthcheck={"disable": True}),
    ),
    "shop without a health check": (
        "compose-healthcheck",
        lambda services: services["shop"].update(healthcheck={}),
    ),
    "postgres data in a bind mount": (
        "compose-named-volume",
        lambda services: services["postgres"].update(volumes=["./pg:/var/lib/postgresql/data"]),
    ),
    "redis without a volume": (
        "compose-named-volume",
        lambda services: services["redis"].pop("volumes"),
    ),
    "shop starting before postgres is healthy": (
        "compose-depends-healthy",
        lambda services: services["shop"].update(depends_on=["postgres", "redis"]),
    ),
    "shop waiting only for redis to start": (
        "compose-depends-healthy",
        lambda services: services["shop"]["depends_on"].update(
            redis={"condition": "service_started"}
        ),
    ),
    "secret key written in the file": (
        "compose-secret",
        lambda services: services["shop"]["environment"].update(SHOP_SECRET_KEY="abc123"),
    ),
    "password written in the admin URL": (
        "compose-secret",
        lambda services: services["shop"]["environment"].update(
            SHOP_DATABASE_ADMIN_URL="postgresql://postgres:hunter2@postgres:5432/postgres"
        ),
    ),
}


@pytest.mark.parametrize(("rule", "change"), COMPOSE_CANARIES.values(), ids=COMPOSE_CANARIES.keys())
def test_a_compose_file_breaking_a_rule_is_reported_for_that_rule(rule, change):
    assert rules(lint_compose(compose_with(change))) == {rule}


@pytest.mark.parametrize("left_in", [".git", ".venv/", "var", "**/.env"])
def test_a_build_context_that_keeps_local_state_or_secrets_is_reported(left_in):
    dockerignore = GOOD_DOCKERIGNORE.replace(f"{left_in}\n", "")
    assert dockerignore != GOOD_DOCKERIGNORE
    assert rules(lint_dockerignore(dockerignore)) == {"dockerignore"}
