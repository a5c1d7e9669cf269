"""The ratchet: an owner's architecture_todo.toml tolerates listed violations, by check and
importer -> imported, and the list only shrinks."""

from __future__ import annotations

from .trees import CLEAN, CONFIG, check, line, write

APPLICATION = "acme/sales/application.py"
TODO = "acme/sales/architecture_todo.toml"
PRIVATE = CLEAN[APPLICATION] + "from acme.apps.stock.models import Item  # planted\n"

ENTRY = """\
# Tolerated until the catalogue moves.

[[todo]]
check = "imports"
importer = "acme.sales.application"
imported = "acme.apps.stock.models"
reason = "Item is read directly until stock publishes prices"
"""


def _statuses(run):
    return sorted((v["status"], v["check"], v["file"], v["line"]) for v in run.violations)


def test_a_listed_violation_is_tolerated(tmp_path):
    run = check(write(tmp_path, {APPLICATION: PRIVATE, TODO: ENTRY}))

    assert run.code == 0, run.out
    assert _statuses(run) == [("tolerated", "imports", APPLICATION, line(PRIVATE, "planted"))]
    assert run.report["summary"] == {"new": 0, "stale": 0, "tolerated": 1}


def test_a_violation_not_listed_fails(tmp_path):
    text = PRIVATE + "from acme.apps.stock.domain import remaining  # new\n"
    run = check(write(tmp_path, {APPLICATION: text, TODO: ENTRY}))

    assert run.code == 1
    assert _statuses(run) == [
        ("new", "imports", APPLICATION, line(text, "# new")),
        ("tolerated", "imports", APPLICATION, line(text, "planted")),
    ]


def test_an_entry_of_another_owner_tolerates_nothing(tmp_path):
    stock_todo = "acme/apps/stock/architecture_todo.toml"
    run = check(write(tmp_path, {APPLICATION: PRIVATE, stock_todo: ENTRY}))

    assert run.code == 1
    assert _statuses(run) == [
        ("new", "imports", APPLICATION, line(PRIVATE, "planted")),
        ("stale", "ratchet", stock_todo, line(ENTRY, "[[todo]]")),
    ]


def test_an_entry_that_no_longer_occurs_fails_at_its_line(tmp_path):
    run = check(write(tmp_path, {TODO: ENTRY}))

    assert run.code == 1
    assert _statuses(run) == [("stale", "ratchet", TODO, line(ENTRY, "[[todo]]"))]
    (stale,) = run.violations
    assert stale["context"] == "sales"
    assert stale["message"].startswith(
        "stale: remove it. imports acme.sales.application -> acme.apps.stock.models"
    )


def test_an_entry_of_a_check_that_did_not_run_is_kept(tmp_path):
    run = check(write(tmp_path, {TODO: ENTRY}), "--check", "public-names")

    assert run.code == 0, run.out
    assert run.violations == []


def test_an_unreadable_ratchet_file_fails(tmp_path):
    tree = write(tmp_path, {TODO: "[[todo]\ncheck = imports\n"})
    run = check(tree)

    assert run.code == 1
    assert _statuses(run) == [("new", "ratchet", TODO, 1)]
    assert "cannot be read" in run.violations[0]["message"]

    (tree / TODO).write_text(ENTRY.replace('check = "imports"\n', ""))
    run = check(tree)
    assert run.code == 1
    assert _statuses(run) == [("new", "ratchet", TODO, 1)]


def test_baseline_lists_today_s_violations_and_keeps_the_reasons_written(tmp_path):
    text = PRIVATE + "from acme.apps.stock.domain import remaining  # new\n"
    tree = write(tmp_path, {APPLICATION: text, TODO: ENTRY})

    baseline = check(tree, "--baseline")

    assert baseline.code == 0, baseline.out
    assert "Wrote acme/sales/architecture_todo.toml" in baseline.err
    written = (tree / TODO).read_text()
    assert 'reason = "Item is read directly until stock publishes prices"' in written
    assert 'imported = "acme.apps.stock.domain"\nreason = "TODO: why this is tolerated"' in written
    assert written.count("[[todo]]") == 2
    # Every context gets its file, an empty one included.
    assert (
        "Nothing is tolerated here" in (tree / "acme/apps/stock/architecture_todo.toml").read_text()
    )

    run = check(tree)
    assert run.code == 0, run.out
    assert run.report["summary"] == {"new": 0, "stale": 0, "tolerated": 2}


def test_baseline_drops_what_was_fixed(tmp_path):
    tree = write(tmp_path, {TODO: ENTRY})
    assert check(tree).code == 1

    assert check(tree, "--baseline").code == 0
    assert "[[todo]]" not in (tree / TODO).read_text()


def test_editing_around_a_tolerated_violation_does_not_make_it_new(tmp_path):
    tree = write(tmp_path, {APPLICATION: PRIVATE, TODO: ENTRY})
    assert check(tree).code == 0

    moved = (
        '"""Placing orders."""\n\nimport logging\n\nLOG = logging.getLogger(__name__)\n\n'
        + PRIVATE.replace("  # planted", "  # moved down, still tolerated")
    )
    (tree / APPLICATION).write_text(moved)
    run = check(tree)

    assert run.code == 0, run.out
    assert _statuses(run) == [("tolerated", "imports", APPLICATION, line(moved, "# moved"))]
    assert line(moved, "# moved") != line(PRIVATE, "planted")


def test_baseline_on_a_declared_context_that_does_not_exist_reports_it(tmp_path):
    config = CONFIG.replace("    acme.sales\n", "    acme.sales\n    acme.billing\n")
    run = check(write(tmp_path, config=config), "--baseline")

    assert run.code == 1
    assert [(v["status"], v["context"]) for v in run.violations] == [("new", "project")]
