"""manage.py startcontext NAME: a new bounded context with the codebase's whole anatomy.

Built on Django's TemplateCommand, as `startapp` is, from the template in `scaffold/context/`
(docs/tutorial/). It renders the context, its tests and its docs page into a temporary
folder, then moves them into the repository. Then it wires the context in: `SHOP_CONTEXTS`,
the `bounded_contexts` contract of importlinter.ini, the sample topology and the docs index.
After that it writes its first migration (`makemigrations`), formats the new files and
regenerates docs/architecture/. If any step fails, everything written so far is taken back,
so a failed run leaves the tree as it was.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.templates import TemplateCommand

ROOT = Path(__file__).resolve().parents[5]
TEMPLATE = ROOT / "scaffold" / "context"
NAME = re.compile(r"[a-z][a-z0-9_]*")
AGGREGATE = re.compile(r"[A-Z][A-Za-z0-9]*")
# Names the shop already gives a meaning: the shared packages, the identity subdomain, the
# default store, the folders of a context.
RESERVED = frozenset(
    {"default", "identity", "kernel", "platform", "shop", "site", "test", "tests"}
    | {"api", "application", "domain", "events", "infrastructure", "migrations", "rest"}
)


@dataclass
class Change:
    """What a run writes, so that a failure can take it all back."""

    created: list[Path] = field(default_factory=list)
    edited: dict[Path, str] = field(default_factory=dict)  # path -> text before

    def create(self, path: Path, text: bytes) -> None:
        for parent in reversed(path.parents):
            if not parent.exists():
                parent.mkdir()
                self.created.append(parent)
        path.write_bytes(text)
        self.created.append(path)

    def edit(self, path: Path, text: str) -> None:
        self.edited.setdefault(path, path.read_text())
        path.write_text(text)

    def undo(self) -> None:
        for path, text in self.edited.items():
            path.write_text(text)
        for path in reversed(self.created):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


class Command(TemplateCommand):
    help = "Create a bounded context under src/shop/ with its tests and docs, and wire it in."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("name", help="the context's name and app label, e.g. shipping")
        parser.add_argument(
            "--aggregate",
            help="the class name of its aggregate, e.g. Shipment (default: from the name)",
        )

    def handle(self, *args, **options):
        name = options["name"]
        aggregate = options["aggregate"] or "".join(p.title() for p in name.split("_"))
        _check_name(name)
        _check_aggregate(aggregate)
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", aggregate).lower()
        change = Change()
        try:
            with tempfile.TemporaryDirectory() as scratch:
                rendered = self._render(Path(scratch), name, aggregate, snake)
                planned = [(path, ROOT / path.relative_to(rendered)) for path in _files(rendered)]
                edits = _edits(name)  # every anchor found before anything is written
                for _, target in planned:
                    if target.exists():
                        raise CommandError(f"{_shown(target)} already exists: nothing written")
                for source, target in planned:
                    change.create(target, source.read_bytes())
            for path, text in edits.items():
                change.edit(path, text)
            _run("makemigrations", name, "--verbosity", "0")
            _format([path for path in change.created if path.suffix == ".py"] + _migrations(name))
            if importlib.util.find_spec("contextgate") is not None:
                _run("contextgate_docs", "--write")
        except BaseException:
            change.undo()
            raise
        self.stdout.write(_summary(name, aggregate, snake))

    def _render(self, scratch: Path, name: str, aggregate: str, snake: str) -> Path:
        """The context, its tests and its docs page, rendered from the template."""
        target = scratch / "rendered_context_tree"
        target.mkdir()
        super().handle(
            "app",
            name,
            target=str(target),
            template=str(TEMPLATE),
            extensions=["py", "md-tpl", "toml-tpl"],
            files=[],
            verbosity=0,
            aggregate=aggregate,
            aggregate_snake=snake,
            aggregate_plural=f"{snake}s",
        )
        for path in sorted(target.rglob("*"), reverse=True):
            renamed = path.name.replace("aggregate_name", snake).removesuffix("-tpl")
            if renamed != path.name:
                path.rename(path.with_name(renamed))
        return target


def _check_name(name: str) -> None:
    """One line and no change for a name that cannot be a new context."""
    if not NAME.fullmatch(name):
        raise CommandError(
            f"'{name}' is not a valid context name: lower-case letters, digits and "
            "underscores, starting with a letter"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in RESERVED:
        raise CommandError(f"'{name}' is a reserved word here: choose another context name")
    if name in settings.SHOP_CONTEXTS:
        raise CommandError(f"'{name}' is a context already")
    if any(config.label == name for config in apps.get_app_configs()):
        raise CommandError(f"'{name}' is the label of an installed app already")
    if (ROOT / "src" / "shop" / name).exists() or (ROOT / "src" / "shop" / f"{name}.py").exists():
        raise CommandError(f"shop.{name} exists already")
    if name in sys.stdlib_module_names or importlib.util.find_spec(name) is not None:
        raise CommandError(f"'{name}' is the name of an existing Python module")


def _check_aggregate(aggregate: str) -> None:
    if not AGGREGATE.fullmatch(aggregate) or keyword.iskeyword(aggregate):
        raise CommandError(
            f"'{aggregate}' is not a valid aggregate name: a class name such as Shipment"
        )


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _edits(name: str) -> dict[Path, str]:
    """The new text of each file that lists the contexts, with `name` added."""
    edits = {}
    settings_file = ROOT / "src" / "shop" / "site" / "settings" / "core.py"
    edits[settings_file] = _sub(
        settings_file,
        r"(SHOP_CONTEXTS = \[[^\]]*?)(\])",
        rf'\1, "{name}"\2',
    )
    config = ROOT / "importlinter.ini"
    edits[config] = _sub(
        config,
        r"(\ncontexts =\n(?:    \S+\n)+)",
        rf"\1    shop.{name}\n",
    )
    topology = ROOT / "topology" / "split.toml"
    edits[topology] = _sub(
        topology,
        r"(\[services\.shop\]\nhosts = \[[^\]]*?)(\])",
        rf'\1, "{name}"\2',
    )
    index = ROOT / "docs" / "README.md"
    edits[index] = _sub(
        index,
        r"(- \[billing\]\(contexts/billing\.md\)[^\n]*\n)",
        rf"\1- [{name}](contexts/{name}.md) — written by `manage.py startcontext`\n",
    )
    return edits


def _sub(path: Path, pattern: str, replacement: str) -> str:
    text = path.read_text()
    changed, count = re.subn(pattern, replacement, text, count=1)
    if count != 1:
        raise CommandError(f"cannot find where {_shown(path)} lists the contexts: nothing written")
    return changed


def _run(*command: str) -> None:
    """A management command in a process of its own, which reads the edited settings."""
    done = subprocess.run(  # noqa: S603 - this interpreter, our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
        raise CommandError(f"manage.py {command[0]} failed: {last[0]}: nothing written")


def _migrations(name: str) -> list[Path]:
    return sorted((ROOT / "src" / "shop" / name / "migrations").glob("0*.py"))


def _format(paths: list[Path]) -> None:
    """Imports sorted and code formatted as `make lint` wants, where ruff is installed."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None or not paths:
        return
    for command in (["check", "--fix", "--select", "I", "--quiet"], ["format", "--quiet"]):
        subprocess.run([ruff, *command, *map(str, paths)], cwd=ROOT, check=True)  # noqa: S603


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _summary(name: str, aggregate: str, snake: str) -> str:
    return (
        f"Created the context {name} (src/shop/{name}/, tests/{name}/, docs/contexts/{name}.md)\n"
        f"with the aggregate {aggregate}, and wired it into SHOP_CONTEXTS, importlinter.ini,\n"
        f"topology/split.toml and docs/README.md; its first migration is written and\n"
        f"docs/architecture/ regenerated.\n"
        f"Next: make test (the gate, then its tests in tests/{name}/), and\n"
        f"GET /api/v1/{snake}s?order=<id> once an order is placed.\n"
    )
