"""``manage.py contextgate_docs``: the generated architecture docs match the code.

The context map, the event catalogue, the AsyncAPI document and the context canvases in
the declaration's ``docs_dir`` are written by ``--write``; a hand edit, or code changed
without regenerating (a new subscription, event, api function, table), fails ``--check``
(the default), naming each file and its first differing line. Django mode: the events
come from the project's hook once its apps are ready, the store aliases from its router.

Exit status: 0 the docs match (or were written), 1 some differ, 2 they cannot be
generated (no ``docs_dir`` declared, PyYAML missing, the hook failing).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contextgate import docs
from contextgate.declaration import CONFIG, DeclarationError
from contextgate.django_mode import registry_models
from contextgate.docs.catalogue import CatalogueError
from contextgate.docs.markdown import REGENERATE
from contextgate.project import Project

STALE, UNUSABLE = 1, 2


class Command(BaseCommand):
    help = "Check (default) or write the architecture docs generated from the code."
    # The docs read code and the app registry, not databases.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=Path("."), help="the project's root")
        parser.add_argument(
            "--config", default=CONFIG, help="the import-linter file (default: %(default)s)"
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--check", action="store_true", help="fail while a file differs (the default)"
        )
        mode.add_argument(
            "--write", action="store_true", help="write every file, remove leftover canvases"
        )

    def handle(self, *args, **options):
        try:
            project = Project.load(options["path"], options["config"], models=registry_models)
        except DeclarationError as error:
            raise _unusable(str(error)) from error
        folder = docs.docs_dir(project)
        if folder is None:
            raise _unusable(
                f"{options['config']} declares no docs_dir in its bounded_contexts contract: "
                "add one (docs_dir = docs/architecture) to generate the docs there"
            )
        if importlib.util.find_spec("yaml") is None:
            raise _unusable("PyYAML is missing: pip install contextgate[docs]")
        try:
            expected = docs.generate(project)
        except CatalogueError as error:
            raise _unusable(str(error)) from error
        if options["write"]:
            for path in docs.write(folder, expected):
                done = "Wrote" if path.exists() else "Removed"
                self.stdout.write(f"{done} {project.relpath(path)}")
            return
        stale = docs.compare(folder, expected)
        for found in stale:
            self.stdout.write(f"{project.relpath(folder / found.name)} {found.problem}")
            if found.committed is not None:
                self.stdout.write(f"    committed: {found.committed}")
                self.stdout.write(f"    generated: {found.generated}")
        if stale:
            raise CommandError(
                f"contextgate_docs: {len(stale)} generated docs differ from the code; do not "
                f"edit them: run `{REGENERATE}` and commit the result",
                returncode=STALE,
            )
        self.stdout.write(
            f"contextgate_docs: the {len(expected)} files in {project.relpath(folder)} "
            "match the code"
        )


def _unusable(problem: str) -> CommandError:
    return CommandError(f"contextgate_docs: {problem}", returncode=UNUSABLE)
