"""move_store --write: the topology file gets the context's `[stores]` line, and keeps the rest."""

from __future__ import annotations

import tomllib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shop.platform.db.moving import stores_entry
from shop.platform.db.moving.checks import Refused

URL = "postgresql://127.0.0.1:5432/shop_billing"


def written(tmp_path, text: str) -> str:
    path = tmp_path / "topology.toml"
    path.write_text(text)
    new = stores_entry.edited(path, "billing", URL)
    assert tomllib.loads(new)["stores"]["billing"] == URL
    return new


def test_a_file_without_stores_gets_a_stores_table_at_its_end(tmp_path):
    new = written(tmp_path, '# mine\n[services.shop]\nhosts = ["billing"]\n')
    assert new == (
        '# mine\n[services.shop]\nhosts = ["billing"]\n\n[stores]\nbilling = "' + URL + '"\n'
    )


def test_the_contexts_line_is_replaced_and_every_other_line_kept(tmp_path):
    text = (
        "[stores]  # where the stores live\n"
        'ordering = "postgresql://db/ordering"\n'
        'billing = "postgresql://127.0.0.1:5432/old"   # before the move\n'
        "\n"
        "[services.shop]\n"
        'hosts = ["identity"]\n'
    )
    assert written(tmp_path, text) == text.replace(
        'billing = "postgresql://127.0.0.1:5432/old"   # before the move', f'billing = "{URL}"'
    )


def test_a_stores_table_without_the_context_gets_its_line_after_the_last_entry(tmp_path):
    text = '[stores]\nordering = "postgresql://db/ordering"\n\n[services.shop]\nhosts = []\n'
    new = written(tmp_path, text)
    assert new.splitlines()[:3] == [
        "[stores]",
        'ordering = "postgresql://db/ordering"',
        f'billing = "{URL}"',
    ]
    assert tomllib.loads(new)["services"] == {"shop": {"hosts": []}}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[services\n", "Expected ']'"),
        ('stores = { billing = "x" }\n', "its stores are not a [stores] table"),
    ],
)
def test_a_file_that_cannot_take_the_line_is_refused(tmp_path, text, reason):
    path = tmp_path / "topology.toml"
    path.write_text(text)
    with pytest.raises(Refused, match=reason.replace("[", r"\[").replace("]", r"\]")):
        stores_entry.edited(path, "billing", URL)
    assert path.read_text() == text


def test_a_missing_file_refuses_the_move_before_it_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOP_DATABASE_URL", "postgresql://127.0.0.1:5432/shop_never_touched")
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(CommandError, match=r"nothing changed\): --write .*nowhere.toml"):
        call_command(
            "move_store",
            "billing",
            "--to",
            URL,
            "--write",
            str(missing),
            admin_url="postgresql://postgres@127.0.0.1:1/postgres",
            stdout=StringIO(),
        )
    assert not missing.exists()
