"""The ``bounded_contexts`` contract type: every import rule of a declaration, in one contract.

Registered in ``importlinter.ini`` (``contract_types``), so ``lint-imports`` checks it like
any other contract. The rules, each an ordinary contract run on the same graph:

- contexts import each other only through their public modules (an allow-list: a private
  module added tomorrow is private too);
- every module of a context sits in a layer, and layers import only downwards
  (import-linter's ``layers``, exhaustive);
- framework-free layers and packages import no framework (``forbidden``);
- each shared package imports no context, not the composition root and no shared package
  above it (``forbidden``).

`rules` derives them from a `Declaration`; `contextgate check` runs the same rules and
turns each broken import into a violation at its file and line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from importlinter.application import contract_utils, output
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck

from contextgate.declaration import Declaration, is_within


@dataclass(frozen=True, order=True)
class PrivateImport:
    """A direct import from outside a context into one of its private modules."""

    importer: str
    imported: str
    line_numbers: tuple[int | None, ...]

    def __str__(self) -> str:
        lines = ", ".join(f"l.{n}" if n is not None else "l.?" for n in self.line_numbers)
        return f"{self.importer} -> {self.imported} ({lines})"


def find_private_imports(
    graph: Any, *, containers: Iterable[str], public_modules: Iterable[str]
) -> list[PrivateImport]:
    """Every direct import into a container other than into its public modules. The
    container's own ``__init__`` is private too: it is not a back door."""
    violations = []
    for container in sorted(set(containers)):
        if container not in graph.modules:
            raise ValueError(f"Container '{container}' does not exist in the import graph.")
        public = [f"{container}.{name}" for name in public_modules]
        for imported in sorted({container} | graph.find_descendants(container)):
            if any(is_within(imported, module) for module in public):
                continue
            for importer in sorted(graph.find_modules_that_directly_import(imported)):
                if is_within(importer, container):
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = {d["line_number"] for d in details}
                violations.append(
                    PrivateImport(importer, imported, tuple(sorted(lines, key=lambda n: n or 0)))
                )
    return sorted(violations)


class PublicInterfaceContract(Contract):
    """Modules outside a container may import only its public modules."""

    type_name = "public_interface"

    containers = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        violations = find_private_imports(
            graph,
            containers=self.containers,  # type: ignore[arg-type]
            public_modules=self.public_modules,  # type: ignore[arg-type]
        )
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            output.print_error(f"-   {violation}", bold=False)
        output.new_line()


@dataclass(frozen=True)
class Rule:
    """One import rule of a declaration: a contract class, its options and how to fix it."""

    id: str
    name: str
    kind: type[Contract]
    options: dict[str, Any]
    hint: str

    def contract(self, session_options: dict[str, Any]) -> Contract:
        return self.kind(
            name=self.name,
            session_options=session_options,
            contract_options={"name": self.name, "type": self.id, **self.options},
        )


def rules(d: Declaration) -> list[Rule]:
    """The import rules a declaration implies, in the order they are checked."""
    containers = [c.package for c in d.contexts]
    found = [
        Rule(
            "public-interface",
            f"Contexts import each other only through {' and '.join(d.public_modules)}",
            PublicInterfaceContract,
            {"containers": containers, "public_modules": list(d.public_modules)},
            f"Code outside a context reached into its internals. Use its public modules "
            f"({', '.join(d.public_modules)}); if what you need is missing, its team adds it "
            "there. Only the names in their __all__ are public.",
        )
    ]
    if d.layers:
        options: dict[str, Any] = {
            "containers": containers,
            "layers": list(d.layers),
            "exhaustive": "true",
        }
        if d.unlayered:
            options["exhaustive_ignores"] = list(d.unlayered)
        found.append(
            Rule(
                "context-layers",
                "Every module of a context sits in a layer, and layers only import downwards",
                LayersContract,
                options,
                "A lower layer imported a higher one, directly or through another package: "
                "pass what is needed in as a parameter, or move the shared piece down. A module "
                "outside every layer: move it into one, or declare its layer.",
            )
        )
    for layer in (f for f in d.framework_free if "." not in f):
        found.append(
            Rule(
                f"pure-{layer}",
                f"The {layer} layer imports no framework",
                ForbiddenContract,
                {
                    "source_modules": [f"{package}.{layer}" for package in containers],
                    "forbidden_modules": list(d.frameworks),
                },
                f"<context>.{layer} is plain Python. Keep ORM models, settings, transactions "
                "and serializers in other layers; pass plain values in.",
            )
        )
    for package in (f for f in d.framework_free if "." in f and f not in d.shared):
        found.append(
            Rule(
                f"pure-{package}",
                f"{package} imports no framework",
                ForbiddenContract,
                {"source_modules": [package], "forbidden_modules": list(d.frameworks)},
                f"{package} is plain Python: keep the framework out of it.",
            )
        )
    for index, package in enumerate(d.shared):
        pure = package in d.framework_free
        forbidden = [
            *containers,
            *filter(None, [d.composition_root]),
            *d.shared[:index],
            *(d.frameworks if pure else ()),
        ]
        found.append(
            Rule(
                f"shared-{package}",
                f"{package} imports no context, no composition root, no shared package above "
                "it" + (" and no framework" if pure else ""),
                ForbiddenContract,
                {"source_modules": [package], "forbidden_modules": forbidden},
                f"{package} is shared code without domain knowledge: let contexts register "
                "with it, or pass what it needs in." + (" It stays plain Python." if pure else ""),
            )
        )
    return found


class BoundedContextsContract(Contract):
    """A project's bounded contexts, declared once; see the module docstring."""

    type_name = "bounded_contexts"

    contexts = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField())
    layers = fields.ListField(subfield=fields.StringField(), required=False)
    unlayered = fields.ListField(subfield=fields.StringField(), required=False)
    shared = fields.ListField(subfield=fields.StringField(), required=False)
    composition_root = fields.StringField(required=False)
    framework_free = fields.ListField(subfield=fields.StringField(), required=False)
    frameworks = fields.ListField(subfield=fields.StringField(), required=False)
    docs_dir = fields.StringField(required=False)
    docs_events = fields.StringField(required=False)

    def declaration(self) -> Declaration:
        options = {
            k: v for k, v in self.contract_options.items() if k not in {"id", "name", "type"}
        }
        return Declaration.from_options(options)

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        checked = []
        for rule in rules(self.declaration()):
            output.verbose_print(verbose, f"Checking {rule.name}...")
            contract = rule.contract(self.session_options)
            checked.append((rule, contract, contract.check(graph, verbose=verbose)))
        return ContractCheck(
            kept=all(result.kept for _, _, result in checked), metadata={"rules": checked}
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for rule, contract, result in check.metadata["rules"]:
            if result.kept:
                continue
            output.print_heading(rule.name, output.HEADING_LEVEL_THREE, style=output.ERROR)
            contract.render_broken_contract(result)
            contract_utils.render_broken_contract_guidance(rule.hint)
            output.new_line()
