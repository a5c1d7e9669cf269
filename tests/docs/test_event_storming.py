"""docs/ddd/event-storming.md draws the order saga as an event-storming board; it must not
drift from the code.

The page holds the board (one Mermaid flowchart: a node per sticky, its class the kind of
sticky) and a table of every sticky with the file and symbol that implement it. A policy's
node id is its handler's name, so the board names each handler the bus runs. These tests
compare the page with the event bus's registry (`catalogue()`, the source of
docs/architecture/events.md) and with the linked files, which are parsed with `ast`, never
imported. No database is needed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from shop.platform.events.catalogue import catalogue
from shop.platform.events.schedule import schedule

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "ddd" / "event-storming.md"
CONTEXTS = ("catalog", "inventory", "ordering", "billing")
KINDS = {  # the board's class: the table's kind
    "actor": "actor",
    "command": "command",
    "aggregate": "aggregate",
    "event": "event",
    "policy": "policy",
    "readmodel": "read model",
    "external": "external system",
}

MERMAID = re.compile(r"^```mermaid\n(.*?)^```", re.S | re.M)
NODE = re.compile(r'^(\w+)\["([^"]+)"\]:::(\w+)$')
EDGE = re.compile(r"^(\w+) (-->|-\.->)(?:\|[^|]+\|)? (\w+)$")
IGNORED = re.compile(r"^(flowchart \w+|classDef \w+ .*|%%.*)?$")
TABLE = re.compile(r"^## Every sticky and its code\n(.*?)(?=^## |\Z)", re.S | re.M)
ROW = re.compile(r"^\| ([^|]+?) \| ([^|]+?) \| \[[^\]]*\]\(([^)]+)\) \| `([\w.]+)` \|$")
EVENT_TYPE = re.compile(rf"\b(?:{'|'.join(CONTEXTS)})\.[A-Z]\w*")
HANDLER = re.compile(r"\bwhen_\w+")


@dataclass(frozen=True)
class Sticky:
    id: str
    kind: str
    name: str


@dataclass(frozen=True)
class Row:
    kind: str
    name: str
    link: str
    symbol: str


@dataclass
class Page:
    text: str
    stickies: dict[str, Sticky]
    edges: set[tuple[str, str]]
    rows: list[Row]
    unparsed: list[str]


@dataclass(frozen=True)
class Registry:
    events: set[str]
    subscriptions: set[tuple[str, str]]  # (event type, handler)
    jobs: set[str]  # the functions the contexts' periodic jobs run

    @property
    def handlers(self) -> set[str]:
        return {handler for _, handler in self.subscriptions}


def read(text: str) -> Page:
    boards = MERMAID.findall(text)
    tables = TABLE.findall(text)
    page = Page(text, {}, set(), [], [])
    if len(boards) != 1 or len(tables) != 1:
        page.unparsed.append(f"{len(boards)} Mermaid boards and {len(tables)} sticky tables")
        return page
    for line in boards[0].splitlines():
        line = line.strip()
        if node := NODE.match(line):
            id_, label, kind = node.groups()
            name = label.replace("<br/>", " ")
            page.stickies[id_] = Sticky(id_, KINDS.get(kind, f"unknown kind {kind}"), name)
        elif edge := EDGE.match(line):
            page.edges.add((edge[1], edge[3]))
        elif not IGNORED.match(line):
            page.unparsed.append(line)
    for line in tables[0].splitlines():
        if row := ROW.match(line):
            page.rows.append(Row(*row.groups()))
        elif line.startswith("|") and not line.startswith(("| kind |", "|---")):
            page.unparsed.append(line)
    return page


def the_registry() -> Registry:
    """The contexts' own events and handlers, not the probes other tests register."""
    found = catalogue()
    return Registry(
        events={
            e["type"]
            for e in found["events"]
            if e["module"] in {f"shop.{c}.events" for c in CONTEXTS}
        },
        subscriptions={
            (s["type"], s["handler"])
            for s in found["listeners"]
            if s["module"] in {f"shop.{c}.subscribers" for c in CONTEXTS}
        },
        jobs={job.run.__name__ for job in schedule.jobs.values() if job.context in CONTEXTS},
    )


def defines(path: Path, symbol: str) -> bool:
    """Whether the module defines or assigns `symbol` (`Class.attribute` looks inside)."""
    body = ast.parse(path.read_text()).body
    *outer, last = symbol.split(".")
    for name in outer:
        found = [n for n in body if isinstance(n, ast.ClassDef) and n.name == name]
        if not found:
            return False
        body = found[0].body
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = {node.name}
        elif isinstance(node, ast.Assign):
            names = {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = {node.target.id}
        else:
            continue
        if last in names:
            return True
    return False


def calls(path: Path, name: str) -> bool:
    """Whether the module calls `name` (as `name(...)` or `module.name(...)`)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id == name) or (
                isinstance(func, ast.Attribute) and func.attr == name
            ):
                return True
    return False


def source(row: Row, base: Path) -> Path:
    return (base / row.link).resolve()


def symbol_problems(page: Page, base: Path = PAGE.parent) -> list[str]:
    """Each row's file exists inside src/ and defines the row's symbol."""
    problems = []
    for row in page.rows:
        path = source(row, base)
        if not path.is_relative_to(ROOT / "src") or path.suffix != ".py" or not path.is_file():
            problems.append(f"{row.name}: {row.link} is no Python file under src/")
        elif not defines(path, row.symbol):
            problems.append(f"{row.name}: {row.link} defines no {row.symbol}")
    return problems


def registry_problems(page: Page, registry: Registry) -> list[str]:
    """The board holds every event type and handler of the registry, and no other."""
    on_board = {s.name for s in page.stickies.values() if s.kind == "event"}
    policies = {s.id for s in page.stickies.values() if s.kind == "policy"}
    problems = [f"event {t} is not on the board" for t in sorted(registry.events - on_board)]
    problems += [f"handler {h} is not on the board" for h in sorted(registry.handlers - policies)]
    named = on_board | set(EVENT_TYPE.findall(page.text))
    problems += [f"{t}: the registry has no such event" for t in sorted(named - registry.events)]
    named = (policies - registry.jobs) | set(HANDLER.findall(page.text))
    problems += [
        f"{h}: the registry has no such handler" for h in sorted(named - registry.handlers)
    ]
    return problems


def wiring_problems(page: Page, registry: Registry) -> list[str]:
    """Each handler's policy hangs off the event it subscribes to, and only off that."""
    event_ids = {s.name: s.id for s in page.stickies.values() if s.kind == "event"}
    problems = [
        f"no arrow from {event} to the policy {handler}"
        for event, handler in sorted(registry.subscriptions)
        if (event_ids.get(event), handler) not in page.edges
    ]
    for handler in sorted(registry.handlers):
        for event in sorted(before(page, handler, "event")):
            if (page.stickies[event].name, handler) not in registry.subscriptions:
                problems.append(f"{handler} does not subscribe to {page.stickies[event].name}")
    return problems


def before(page: Page, sticky: str, kind: str) -> set[str]:
    """The stickies of `kind` with an arrow to `sticky`."""
    return {
        a
        for a, b in page.edges
        if b == sticky and getattr(page.stickies.get(a), "kind", "") == kind
    }


def publisher_problems(page: Page, base: Path = PAGE.parent) -> list[str]:
    """Each event comes, through an aggregate, from a command whose file publishes it."""
    rows = {(row.kind, row.name): row for row in page.rows}
    problems = []
    for event in (s for s in page.stickies.values() if s.kind == "event"):
        commands = {
            ("command", page.stickies[command].name)
            for aggregate in before(page, event.id, "aggregate")
            for command in before(page, aggregate, "command")
        }
        files = {source(rows[command], base) for command in commands if command in rows}
        cls = event.name.partition(".")[2]
        if not any(path.is_file() and calls(path, cls) for path in files):
            problems.append(f"{event.name}: no command before it on the board publishes {cls}")
    return problems


def table_problems(page: Page) -> list[str]:
    """The board and the table list the same stickies, each once in the table."""
    on_board = {(s.kind, s.name) for s in page.stickies.values()}
    listed = [(row.kind, row.name) for row in page.rows]
    problems = [
        f"{k} {n!r} is on the board, not in the table" for k, n in sorted(on_board - set(listed))
    ]
    problems += [
        f"{k} {n!r} is in the table, not on the board" for k, n in sorted(set(listed) - on_board)
    ]
    problems += [
        f"{k} {n!r} is in the table twice"
        for k, n in sorted({x for x in listed if listed.count(x) > 1})
    ]
    symbols = {(row.kind, row.name): row.symbol for row in page.rows}
    for sticky in page.stickies.values():
        symbol = symbols.get((sticky.kind, sticky.name), sticky.id)
        if sticky.kind == "policy" and symbol != sticky.id:
            problems.append(
                f"policy {sticky.name!r} is {sticky.id} on the board, {symbol} in the table"
            )
    return problems


@pytest.fixture(scope="module")
def page() -> Page:
    return read(PAGE.read_text())


@pytest.fixture(scope="module")
def registry() -> Registry:
    return the_registry()


def test_the_board_parses(page):
    """Every line is a sticky, an arrow or styling, so nothing escapes the checks below."""
    assert page.unparsed == []
    assert [s for s in page.stickies.values() if s.kind.startswith("unknown")] == []
    assert sorted({x for edge in page.edges for x in edge} - set(page.stickies)) == []


def test_every_sticky_links_a_file_that_defines_its_symbol(page):
    assert page.rows
    assert symbol_problems(page) == []


def test_the_board_holds_every_event_and_handler_of_the_registry_and_no_other(page, registry):
    assert registry.events and registry.handlers
    assert registry_problems(page, registry) == []


def test_each_policy_hangs_off_the_event_its_handler_subscribes_to(page, registry):
    assert wiring_problems(page, registry) == []


def test_each_event_comes_from_a_command_that_publishes_it(page):
    assert publisher_problems(page) == []


def test_the_board_and_the_table_list_the_same_stickies(page):
    assert table_problems(page) == []


def test_drift_is_reported(page, registry):
    """A handler renamed on the page or gone from the registry, and a sticky missing from
    the table, are caught."""
    text = PAGE.read_text()
    renamed = read(text.replace("when_ordering_order_placed_reserve_stock", "when_ordering_hold"))
    assert symbol_problems(renamed) == [
        "when OrderPlaced, then reserve the stock: ../../src/shop/inventory/subscribers.py"
        " defines no when_ordering_hold"
    ]
    assert registry_problems(renamed, registry) == [
        "handler when_ordering_order_placed_reserve_stock is not on the board",
        "when_ordering_hold: the registry has no such handler",
    ]
    dropped = Registry(
        registry.events,
        {s for s in registry.subscriptions if s[1] != "when_billing_payment_failed_release_stock"},
        registry.jobs,
    )
    assert registry_problems(page, dropped) == [
        "when_billing_payment_failed_release_stock: the registry has no such handler"
    ]
    unlisted = read(text.replace("| read model | quote |", "| read model | quotes |"))
    assert table_problems(unlisted) == [
        "read model 'quote' is on the board, not in the table",
        "read model 'quotes' is in the table, not on the board",
    ]
