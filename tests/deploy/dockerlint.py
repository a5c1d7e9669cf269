"""A static check of docker/Dockerfile and docker/compose.yaml against the deployment rules.

No Docker engine runs where the tests run, so the image is never built here; these rules
are what can be known about it from the files alone. Each finding names its rule, so a
canary can show that a file breaking one rule is caught by that rule.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

import yaml

BASE_IMAGE = "python:3.11-slim"
ENTRYPOINT = "docker/entrypoint.sh"
ROOT_USERS = {"root", "0"}
BUILD_TOOLS = {
    "build-essential",
    "gcc",
    "g++",
    "cc",
    "clang",
    "make",
    "cmake",
    "python3-dev",
    "libpq-dev",
}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN", re.IGNORECASE)
COMPOSE_SERVICES = ("shop", "postgres", "redis")
URL_PASSWORD = re.compile(r"://[^:/@]+:([^@]+)@")
# Out of the build context: history, the virtualenv, local data, and env files (secrets).
REQUIRED_IGNORES = (".git", ".venv", "var", "**/.env")


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str


@dataclass
class Instruction:
    keyword: str
    args: str


@dataclass
class Stage:
    image: str
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Split into stages of instructions, joining `\\` continuations and dropping comments."""
    stages: list[Stage] = []
    logical, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # comments (and parser directives) may sit inside a continuation
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    if pending:
        logical.append(pending)
    for line in logical:
        keyword, _, args = line.partition(" ")
        instruction = Instruction(keyword.upper(), args.strip())
        if instruction.keyword == "FROM":
            words = [w for w in instruction.args.split() if not w.startswith("--")]
            stages.append(Stage(image=words[0] if words else ""))
        if stages:
            stages[-1].instructions.append(instruction)
    return stages


def lint_dockerfile(text: str) -> list[Finding]:
    stages = parse_dockerfile(text)
    if not stages:
        return [Finding("multi-stage", "no FROM at all")]
    final = stages[-1]
    return [
        *_multi_stage(stages),
        *_base_image(stages),
        *_non_root_user(final),
        *_healthcheck(final),
        *_no_build_tools(final),
        *_offline_install(final),
        *_no_secrets(stages),
        *_entrypoint(final),
    ]


def _multi_stage(stages: list[Stage]) -> list[Finding]:
    if len(stages) < 2:
        return [Finding("multi-stage", f"{len(stages)} FROM: build wheels in a separate stage")]
    return []


def _base_image(stages: list[Stage]) -> list[Finding]:
    return [
        Finding("base-image", f"FROM {stage.image}: every stage must be {BASE_IMAGE}")
        for stage in stages
        if stage.image != BASE_IMAGE
    ]


def _non_root_user(final: Stage) -> list[Finding]:
    users = final.all("USER")
    if not users:
        return [Finding("non-root-user", "the final stage has no USER: it would run as root")]
    user = users[-1].args.split(":")[0].strip()
    if user in ROOT_USERS:
        return [Finding("non-root-user", f"the final stage runs as {users[-1].args}")]
    return []


def _healthcheck(final: Stage) -> list[Finding]:
    checks = final.all("HEALTHCHECK")
    if not checks or checks[-1].args.upper().startswith("NONE"):
        return [Finding("healthcheck", "the final stage has no HEALTHCHECK")]
    if "/healthz" not in checks[-1].args:
        return [Finding("healthcheck", "the HEALTHCHECK does not ask /healthz")]
    return []


def _installed_packages(run: str) -> list[str]:
    """Package names after `apt-get install`, `apt install` or `apk add` in one RUN."""
    packages = []
    for command in re.split(r"&&|\|\||;", run):
        words = command.split()
        for i, word in enumerate(words[:-1]):
            if word in ("apt-get", "apt") and "install" in words[i + 1 :]:
                rest = words[words.index("install", i) + 1 :]
                packages += [w.split("=")[0] for w in rest if not w.startswith("-")]
            if word == "apk" and words[i + 1] == "add":
                packages += [w for w in words[i + 2 :] if not w.startswith("-")]
    return packages


def _no_build_tools(final: Stage) -> list[Finding]:
    found = sorted(
        {p for run in final.all("RUN") for p in _installed_packages(run.args) if p in BUILD_TOOLS}
    )
    if found:
        return [Finding("no-build-tools", f"the final stage installs {', '.join(found)}")]
    return []


def _offline_install(final: Stage) -> list[Finding]:
    """pip in the final stage installs the builder's wheels only, and keeps no cache."""
    cache_off = any(
        "PIP_NO_CACHE_DIR" in _variables(env.args) for env in final.all("ENV")
    )  # set for every RUN that follows
    findings = []
    for run in final.all("RUN"):
        if not re.search(r"\bpip3?\s+install\b", run.args):
            continue
        if "--no-index" not in run.args:
            findings.append(Finding("offline-install", "pip install without --no-index"))
        if "--no-cache-dir" not in run.args and not cache_off:
            findings.append(Finding("offline-install", "pip install keeps its cache"))
    return findings


def _variables(args: str) -> dict[str, str]:
    """ENV/ARG arguments: `A=1 B="2"`, or the legacy `ENV A 1`, or a bare `ARG A`."""
    words = shlex.split(args)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(w.partition("=")[::2] for w in words)


def _no_secrets(stages: list[Stage]) -> list[Finding]:
    """Build args and ENV are kept in the image's metadata, where anyone who pulls it reads them."""
    return [
        Finding("no-secrets", f"{instruction.keyword} {name} would keep a secret in the image")
        for stage in stages
        for instruction in stage.instructions
        if instruction.keyword in ("ENV", "ARG")
        for name in _variables(instruction.args)
        if SECRET_NAME.search(name)
    ]


def _entrypoint(final: Stage) -> list[Finding]:
    entrypoints = final.all("ENTRYPOINT")
    if not entrypoints:
        return [Finding("entrypoint", f"the final stage has no ENTRYPOINT ({ENTRYPOINT})")]
    args = entrypoints[-1].args
    try:
        form = json.loads(args)
    except ValueError:
        form = None
    if not isinstance(form, list) or not form:  # exec form: signals reach the process manager
        return [Finding("entrypoint", f"ENTRYPOINT {args} is not in exec form")]
    program = str(form[0])
    if not program.endswith(ENTRYPOINT):
        return [Finding("entrypoint", f"ENTRYPOINT runs {program}, not {ENTRYPOINT}")]
    return []


def lint_compose(text: str) -> list[Finding]:
    compose = yaml.safe_load(text) or {}
    services = compose.get("services") or {}
    declared = set(compose.get("volumes") or {})
    findings = []
    for name in COMPOSE_SERVICES:
        service = services.get(name)
        if service is None:
            findings.append(Finding("compose-services", f"no {name} service"))
            continue
        check = service.get("healthcheck") or {}
        if check.get("disable") or not check.get("test"):
            findings.append(Finding("compose-healthcheck", f"{name} has no health check"))
        named = [
            volume.split(":")[0]
            for volume in service.get("volumes") or []
            if isinstance(volume, str) and volume.split(":")[0] in declared
        ]
        if not named:
            findings.append(Finding("compose-named-volume", f"{name} keeps no named volume"))
    shop = services.get("shop") or {}
    depends = shop.get("depends_on") or {}
    for needed in ("postgres", "redis"):
        condition = depends.get(needed, {}) if isinstance(depends, dict) else {}
        if condition.get("condition") != "service_healthy":
            findings.append(
                Finding("compose-depends-healthy", f"shop does not wait for {needed} to be healthy")
            )
    for service_name, service in services.items():
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.partition("=")[::2] for item in environment)
        for key, value in environment.items():
            if _written_secret(key, str(value or "")):
                findings.append(
                    Finding("compose-secret", f"{service_name}: {key} is written in the file")
                )
    return findings


def _written_secret(key: str, value: str) -> bool:
    """A secret the file spells out, instead of taking it from the environment (`${...}`)."""
    if SECRET_NAME.search(key) and value and not value.startswith("${"):
        return True
    password = URL_PASSWORD.search(value)
    return bool(password and not password.group(1).startswith("${"))


def lint_dockerignore(text: str) -> list[Finding]:
    entries = {
        line.strip().rstrip("/")
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    }
    return [
        Finding("dockerignore", f"{pattern} is not kept out of the build context")
        for pattern in REQUIRED_IGNORES
        if pattern not in entries
    ]
