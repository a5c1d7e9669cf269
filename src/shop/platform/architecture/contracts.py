"""The `public_interface` contract type for import-linter.

Registered in ``importlinter.ini`` (``contract_types``); the rule itself lives in
`shop.platform.architecture.public_interface`. Options:

- ``containers``: the context packages (``shop.catalog``, ...).
- ``public_modules``: module names, relative to each container, that others may import.
- ``broken_contract_guidance``: printed after the violations.

There is deliberately no ``ignore_imports``: an exception belongs in a public module.
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import contract_utils, output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck

from shop.platform.architecture.public_interface import PrivateImport, find_private_imports


class PublicInterfaceContract(Contract):
    """Modules outside a container may import only its public modules."""

    type_name = "public_interface"

    containers = fields.ListField(subfield=fields.ModuleField())
    public_modules = fields.SetField(subfield=fields.StringField())
    broken_contract_guidance = fields.TextField(required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        containers = [module.name for module in self.containers]  # type: ignore[attr-defined]
        output.verbose_print(verbose, f"Checking imports into {', '.join(containers)}...")
        violations = find_private_imports(
            graph,
            containers=containers,
            public_modules=self.public_modules,  # type: ignore[arg-type]
        )
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        violations: list[PrivateImport] = check.metadata["violations"]
        public = ", ".join(sorted(self.public_modules))  # type: ignore[arg-type]
        output.print_error(f"Only a context's public modules ({public}) may be imported:")
        output.new_line()
        for violation in violations:
            output.print_error(f"-   {violation}", bold=False)
        output.new_line()
        contract_utils.render_broken_contract_guidance(self.broken_contract_guidance)  # type: ignore[arg-type]
