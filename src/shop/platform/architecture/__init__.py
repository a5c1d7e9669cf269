"""The architecture gate: `manage.py check_architecture` (docs/architecture-gate.md).

Reads one declaration (`declaration`, settings.SHOP_ARCHITECTURE) and never names a
context itself, so other Django monoliths can adopt it. `codebase` gathers what the
checks read (parsed sources, the grimp import graph, Django's models); `checks` holds
one function per rule; `gate` runs and times them; `ratchet` tolerates listed legacy
violations; `reports` and `sarif` print the outcome. `public_interface` and `contracts`
are the allow-list import-linter contract, `importlinter_config` generates
``importlinter.ini``, `relations` and `leaks` look at live models and api results.
`docs` generates the context map, event catalogue, AsyncAPI document and context
canvases the `docs` check compares; `runtime_guard` is check 6, installed by the test
suite to stop any alias from querying another context's tables.
Build-time tools all: nothing here is imported when the shop serves requests.
"""
