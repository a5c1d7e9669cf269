"""`check_architecture` after a plain `pip install -e .`: no grimp, no import-linter.

The command ships in a runtime app, but its tools come only with the dev extra. Without
them it says in one line what to install, instead of a ModuleNotFoundError traceback.
"""

from __future__ import annotations

import sys

import pytest
from django.core.management import CommandError, call_command

GATE_MODULES = (
    "shop.platform.architecture",
    "shop.platform.management.commands.check_architecture",
)


@pytest.fixture(params=["grimp", "importlinter"])
def without(request, monkeypatch):
    """The interpreter as a runtime install has it: `request.param` cannot be imported."""
    for name in list(sys.modules):
        if name.startswith(GATE_MODULES) or name.partition(".")[0] == request.param:
            monkeypatch.delitem(sys.modules, name)  # imported afresh; restored afterwards
    monkeypatch.setitem(sys.modules, request.param, None)  # `import` now fails
    return request.param


def test_the_gate_without_the_dev_extra_says_what_to_install(without):
    with pytest.raises(CommandError) as raised:
        call_command("check_architecture")

    message = str(raised.value)
    assert message == (
        f"check_architecture needs the dev extra ({without} is not installed): "
        "pip install -e '.[dev]'"
    )
    assert "\n" not in message
