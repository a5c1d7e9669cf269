"""The shop tolerates no architecture violation: every context's ratchet file is empty.

How the ratchet tolerates, fails and shrinks is contextgate's own test suite
(packages/contextgate/tests/test_ratchet.py).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.conf import settings

SRC = Path(__file__).resolve().parents[2] / "src" / "shop"


def test_shop_ships_an_empty_ratchet_for_every_context():
    for context in settings.SHOP_CONTEXTS:
        todo = SRC / context / "architecture_todo.toml"
        assert tomllib.loads(todo.read_text()) == {}, todo
