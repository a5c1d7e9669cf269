"""Check 1: the import-linter contracts, run in process on one grimp graph.

The contracts are the ones `importlinter_config` derives from the declaration (and writes
to ``importlinter.ini``). Each broken import becomes a violation at the importing file and
line, whatever the contract type reports it as.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from importlinter import configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import InvalidContractOptions

from shop.platform.architecture import importlinter_config
from shop.platform.architecture.codebase import Codebase
from shop.platform.architecture.contracts import PublicInterfaceContract
from shop.platform.architecture.declaration import SETTING
from shop.platform.architecture.importlinter_config import ContractOptions
from shop.platform.architecture.violations import PROJECT, Violation

CONTRACT_TYPES = {
    "forbidden": ForbiddenContract,
    "layers": LayersContract,
    "public_interface": PublicInterfaceContract,
}


def check_imports(codebase: Codebase) -> list[Violation]:
    configuration.configure()  # import-linter's timer and file system, used by its contracts
    session = importlinter_config.session_options(codebase.architecture)
    violations: list[Violation] = []
    for spec in importlinter_config.contracts(codebase.architecture):
        try:
            contract = CONTRACT_TYPES[spec.type](
                name=spec.name, session_options=session, contract_options=spec.as_import_linter()
            )
            # A contract may trim the graph it is given (ignored imports): give it a copy.
            result = contract.check(copy.deepcopy(codebase.graph), verbose=False)
        except (InvalidContractOptions, ValueError) as error:
            violations.append(_unusable(codebase, spec, error))
            continue
        if not result.kept:
            violations += _Reporter(codebase, spec).violations(result.metadata)
    return violations


def _unusable(codebase: Codebase, spec: ContractOptions, error: Exception) -> Violation:
    """A contract that cannot run (a declared layer or package is missing) fails the gate."""
    return Violation(
        check="imports",
        context=PROJECT,
        file=codebase.architecture.importlinter_config,
        line=1,
        importer=spec.id,
        imported="",
        message=f"{spec.name}: cannot be checked: {error} [{spec.id}]",
        hint=f"Create the missing module, or change {SETTING} and regenerate importlinter.ini.",
    )


class _Reporter:
    """Turns one broken contract's findings into violations at the first import of each chain."""

    def __init__(self, codebase: Codebase, spec: ContractOptions) -> None:
        self.codebase = codebase
        self.spec = spec
        guidance = spec.options.get("broken_contract_guidance", [])
        self.hint = " ".join(guidance) if isinstance(guidance, list) else guidance

    def violations(self, metadata: dict[str, Any]) -> list[Violation]:
        if self.spec.type == "public_interface":
            return [
                self._violation([(found.importer, found.imported, (line,))])
                for found in metadata["violations"]
                for line in found.line_numbers
            ]
        if self.spec.type == "forbidden":
            return [
                self._violation(_links(chain))
                for invalid in metadata["invalid_chains"]
                for chain in invalid["chains"]
            ]
        found = [
            self._violation(chain)
            for dependency in metadata["invalid_dependencies"]
            for route in dependency["routes"]
            for chain in _chains_of_route(route)
        ]
        return found + [
            self._unlayered(module) for module in sorted(metadata["undeclared_modules"])
        ]

    def _violation(self, chain: list[tuple[str, str, tuple[int | None, ...]]]) -> Violation:
        importer, _, lines = chain[0]
        imported = chain[-1][1]
        via = " -> ".join([importer, *(link[1] for link in chain)])
        path = f"{importer} -> {imported}" if len(chain) == 1 else f"{via} (indirectly)"
        return Violation(
            check="imports",
            context=self.codebase.architecture.owner_of(importer),
            file=self._file(importer),
            line=next((n for n in lines if n is not None), 1),
            importer=importer,
            imported=imported,
            message=f"{self.spec.name}: {path} [{self.spec.id}]",
            hint=self.hint,
        )

    def _unlayered(self, module: str) -> Violation:
        return Violation(
            check="imports",
            context=self.codebase.architecture.owner_of(module),
            file=self._file(module),
            line=1,
            importer=module,
            imported="",
            message=f"{self.spec.name}: {module} is in no layer [{self.spec.id}]",
            hint=self.hint,
        )

    def _file(self, module: str) -> str:
        source = self.codebase.files.get(module)
        return source.relpath if source else module


def _links(chain: list[dict[str, Any]]) -> list[tuple[str, str, tuple[int | None, ...]]]:
    return [(link["importer"], link["imported"], tuple(link["line_numbers"])) for link in chain]


def _chains_of_route(route: dict[str, Any]) -> Iterator[list[tuple[str, str, tuple]]]:
    """One chain per head of a layers route: each head is a separate offending import."""
    chain = _links(route["chain"])
    yield chain
    for head in route["extra_firsts"]:
        yield [*_links([head]), *chain[1:]]
