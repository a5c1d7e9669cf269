"""The import-linter contracts, derived from the architecture declaration.

`contracts` builds the options import-linter would read from its config file; the
`imports` check runs them in process and `render` writes them as ``importlinter.ini``,
so ``lint-imports`` on its own checks exactly the same contracts. Nothing here knows a
context by name: containers, layers and forbidden packages all come from the declaration.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from shop.platform.architecture.contracts import PublicInterfaceContract
from shop.platform.architecture.declaration import SETTING, Architecture

PUBLIC_INTERFACE = (
    f"public_interface: {PublicInterfaceContract.__module__}.{PublicInterfaceContract.__name__}"
)


@dataclass(frozen=True)
class ContractOptions:
    """One contract as import-linter's config reader would hand it over."""

    id: str
    name: str
    type: str
    options: dict[str, str | list[str]]
    comments: dict[str, str] = field(default_factory=dict)  # option -> comment above it

    def as_import_linter(self) -> dict[str, str | list[str]]:
        return {"id": self.id, "name": self.name, "type": self.type, **self.options}


def session_options(architecture: Architecture) -> dict[str, str | list[str]]:
    return {
        "root_packages": [architecture.root],
        "include_external_packages": "True",
        "contract_types": [PUBLIC_INTERFACE],
    }


def contracts(architecture: Architecture) -> list[ContractOptions]:
    a = architecture
    containers = [a.package_of(c) for c in a.contexts]
    public = ", ".join(a.public_modules)
    found = [
        ContractOptions(
            id="public-interface",
            name=f"Contexts import each other only through {' and '.join(a.public_modules)}",
            type="public_interface",
            options={
                "containers": containers,
                "public_modules": list(a.public_modules),
                "broken_contract_guidance": [
                    "Code outside a context reached into its internals. Call the context's",
                    f"public modules ({public}) instead; if what you need is missing, add it",
                    "there. Only the names in their __all__ are public.",
                ],
            },
            comments={
                "public_modules": "An allow-list: any other module of a context, "
                "including one added tomorrow, is private."
            },
        )
    ]
    if a.layers:
        options: dict[str, str | list[str]] = {
            "containers": containers,
            "layers": list(a.layers),
            "exhaustive": "true",
        }
        if a.unlayered:
            options["exhaustive_ignores"] = list(a.unlayered)
        options["broken_contract_guidance"] = [
            "A lower layer imported a higher one, directly or through another package: pass",
            "what is needed in as a parameter or move the shared piece down. Or a module sits",
            f"outside every layer: move it into one, or declare the layer in {SETTING}.",
        ]
        found.append(
            ContractOptions(
                id="context-layers",
                name="Every module of a context sits in a layer, and layers only import downwards",
                type="layers",
                options=options,
                comments={
                    "layers": "Top to bottom. Parentheses: a layer not every context has. "
                    "`|`: siblings that may not import each other. What each layer holds: see "
                    f"the declaration ({SETTING})."
                },
            )
        )
    for layer in (f for f in a.framework_free if "." not in f):
        found.append(
            ContractOptions(
                id=f"pure-{layer}",
                name=f"{layer.capitalize()} code imports no framework",
                type="forbidden",
                options={
                    "source_modules": [f"{package}.{layer}" for package in containers],
                    "forbidden_modules": list(a.frameworks),
                    "broken_contract_guidance": [
                        f"{a.root}.<context>.{layer} is plain Python. Keep ORM models, settings,",
                        "transactions and serializers in other layers; pass plain values in.",
                    ],
                },
            )
        )
    for index, package in enumerate(a.shared):
        found.append(_shared_contract(a, package, above=a.shared[:index]))
    return found


def _shared_contract(a: Architecture, package: str, *, above: tuple[str, ...]) -> ContractOptions:
    """A shared package imports no context, not the composition root and no shared package
    above it; a framework-free one (a shared kernel) imports no framework either."""
    short = a.short_name(package)
    pure = package in a.framework_free
    forbidden = [
        *(a.package_of(c) for c in a.contexts),
        *([a.composition_root] if a.composition_root else []),
        *above,
        *(a.frameworks if pure else ()),
    ]
    banned = ["no context"]
    banned += [
        f"not {p}" for p in ([a.composition_root] if a.composition_root else []) + list(above)
    ]
    if pure:
        banned.append("no framework")
    return ContractOptions(
        id=f"{short}-stands-alone" if pure else f"{short}-knows-no-context",
        name=f"{package} imports " + _join(banned),
        type="forbidden",
        options={
            "source_modules": [package],
            "forbidden_modules": forbidden,
            "broken_contract_guidance": (
                [
                    f"{package} is a tiny shared kernel: plain Python that depends on nothing",
                    "else. Put anything else in a context or another shared package.",
                ]
                if pure
                else [
                    f"{package} is shared code without domain knowledge. Read context names",
                    f"from settings ({SETTING}), or let contexts register with it.",
                ]
            ),
        },
    )


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def render(architecture: Architecture, *, source: str) -> str:
    """The text of ``importlinter.ini``; `source` names where the declaration lives."""
    lines = [
        f"# GENERATED from {SETTING} in {source} by",
        "#     python manage.py check_architecture --write-importlinter",
        "# Do not edit: change the declaration and regenerate. `check_architecture` fails",
        "# while this file is stale, and runs these contracts itself with its other checks;",
        "# `lint-imports --config importlinter.ini` runs them alone.",
        "# No `ignore_imports`: a tolerated legacy import belongs in the owning package's",
        "# architecture_todo.toml (check_architecture --update-ratchet), which only shrinks.",
        "",
        "[importlinter]",
        *_option("root_packages", session_options(architecture)["root_packages"]),
        *_option("include_external_packages", "True"),
        *_option("contract_types", session_options(architecture)["contract_types"]),
    ]
    for contract in contracts(architecture):
        lines += ["", f"[importlinter:contract:{contract.id}]"]
        lines += _option("name", contract.name) + _option("type", contract.type)
        for key, value in contract.options.items():
            if key in contract.comments:
                lines += [f"# {line}" for line in textwrap.wrap(contract.comments[key], 88)]
            lines += _option(key, value)
    return "\n".join(lines) + "\n"


def _option(key: str, value: str | list[str]) -> list[str]:
    # Lists go one value a line, even a single value: import-linter reads a one-line value
    # as a plain string.
    if isinstance(value, str):
        return [f"{key} = {value}"]
    return [f"{key} =", *(f"    {item}" for item in value)]
