"""The import contracts of ``importlinter.ini``, run in process on one grimp graph.

Every contract of the file runs, as ``lint-imports`` would run it; the ``bounded_contexts``
contract runs as its rules (`contextgate.contract.rules`). Each broken import becomes a
violation at the importing file and line, whatever the contract type reports it as; a
contract type this module cannot read is reported once, at its section.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from importlinter import api
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.layers import LayersContract
from importlinter.contracts.private_modules import PrivateModulesContract
from importlinter.contracts.protected import ProtectedContract
from importlinter.domain.contract import Contract, ContractCheck, InvalidContractOptions

from contextgate.contract import BoundedContextsContract, rules
from contextgate.declaration import DeclarationError, section_line
from contextgate.project import Project
from contextgate.violations import PROJECT, Violation

BUILT_IN: dict[str, type[Contract]] = {
    "forbidden": ForbiddenContract,
    "layers": LayersContract,
    "independence": IndependenceContract,
    "protected": ProtectedContract,
    "private_modules": PrivateModulesContract,
    "acyclic_siblings": AcyclicSiblingsContract,
}

Link = tuple[str, str, tuple[int | None, ...]]


def check_imports(project: Project) -> list[Violation]:
    config = api.read_configuration(str(project.path / project.declaration.config))
    session = config["session_options"]
    types = {**BUILT_IN, **dict(_plugin(entry) for entry in session.get("contract_types", []))}
    found: list[Violation] = []
    for options in config["contracts_options"]:
        where = section_line(project.path, project.declaration.config, options["id"])
        kind = types.get(options["type"])
        if kind is None:
            found.append(_unusable(project, options, where, f"unknown type {options['type']}"))
            continue
        try:
            contract = kind(name=options["name"], session_options=session, contract_options=options)
            if isinstance(contract, BoundedContextsContract):
                for rule in rules(contract.declaration()):
                    check = rule.contract(session).check(project.graph, verbose=False)
                    found += _Reporter(project, rule.id, rule.name, rule.hint).of(check)
            else:
                check = contract.check(project.graph, verbose=False)
                hint = " ".join(_lines(options.get("broken_contract_guidance", "")))
                found += _Reporter(project, options["id"], options["name"], hint).of(check, where)
        except (InvalidContractOptions, DeclarationError, ValueError) as error:
            found.append(_unusable(project, options, where, str(error)))
    return found


def _plugin(entry: str) -> tuple[str, type[Contract]]:
    name, _, path = (part.strip() for part in entry.partition(":"))
    module, _, attribute = path.rpartition(".")
    return name, getattr(importlib.import_module(module), attribute)


def _lines(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _unusable(project: Project, options: dict[str, Any], line: int, error: str) -> Violation:
    """A contract that cannot run (a declared layer or package is missing) fails the gate."""
    return Violation(
        check="imports",
        context=PROJECT,
        file=project.declaration.config,
        line=line,
        importer=options["id"],
        imported="",
        message=f"{options['name']}: cannot be checked: {error}",
        hint="Create the missing module, or correct the contract.",
    )


class _Reporter:
    """One broken contract's findings as violations, at the first import of each chain."""

    def __init__(self, project: Project, rule: str, name: str, hint: str) -> None:
        self.project, self.rule, self.name, self.hint = project, rule, name, hint

    def of(self, check: ContractCheck, section: int = 1) -> list[Violation]:
        if check.kept:
            return []
        metadata = check.metadata
        if "violations" in metadata:  # public_interface
            return [
                self._violation([(found.importer, found.imported, (line,))])
                for found in metadata["violations"]
                for line in found.line_numbers
            ]
        if "invalid_chains" in metadata:  # forbidden: lists of links; independence: routes
            return [
                self._violation(links)
                for invalid in metadata["invalid_chains"]
                for chain in invalid["chains"]
                for links in (
                    _chains_of_route(chain) if isinstance(chain, dict) else [_links(chain)]
                )
            ]
        if "invalid_dependencies" in metadata:  # layers
            return [
                self._violation(chain)
                for dependency in metadata["invalid_dependencies"]
                for route in dependency["routes"]
                for chain in _chains_of_route(route)
            ] + [self._unlayered(module) for module in sorted(metadata["undeclared_modules"])]
        return [
            Violation(
                check="imports",
                context=PROJECT,
                file=self.project.declaration.config,
                line=section,
                importer=self.rule,
                imported="",
                message=f"{self.name}: broken; run lint-imports for the details [{self.rule}]",
                hint=self.hint,
            )
        ]

    def _violation(self, chain: list[Link]) -> Violation:
        importer, _, lines = chain[0]
        imported = chain[-1][1]
        via = " -> ".join([importer, *(link[1] for link in chain)])
        path = f"{importer} -> {imported}" if len(chain) == 1 else f"{via} (indirectly)"
        return Violation(
            check="imports",
            context=self.project.declaration.owner_of(importer),
            file=self._file(importer),
            line=next((n for n in lines if n is not None), 1),
            importer=importer,
            imported=imported,
            message=f"{self.name}: {path} [{self.rule}]",
            hint=self.hint,
        )

    def _unlayered(self, module: str) -> Violation:
        return Violation(
            check="imports",
            context=self.project.declaration.owner_of(module),
            file=self._file(module),
            line=1,
            importer=module,
            imported="",
            message=f"{self.name}: {module} is in no layer [{self.rule}]",
            hint=self.hint,
        )

    def _file(self, module: str) -> str:
        source = self.project.files.get(module)
        return source.relpath if source else module


def _links(chain: list[dict[str, Any]]) -> list[Link]:
    return [(link["importer"], link["imported"], tuple(link["line_numbers"])) for link in chain]


def _chains_of_route(route: dict[str, Any]) -> Iterator[list[Link]]:
    """One chain per head of a layers route: each head is a separate offending import."""
    chain = _links(route["chain"])
    yield chain
    for head in route["extra_firsts"]:
        yield [*_links([head]), *chain[1:]]
