"""Every document the repository links to is in the repository.

A newcomer who clones it finds each file a README, a doc or an ADR points at, and each
heading a link names; nothing points outside the checkout.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted(
    [
        ROOT / "README.md",
        *ROOT.glob("docs/**/*.md"),
        *ROOT.glob("docker/*.md"),
        *ROOT.glob("bench/*.md"),
    ]
)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    found = set()
    for line in FENCE.sub("", path.read_text()).splitlines():
        if match := re.match(r"^#{1,6}\s+(.*)$", line):
            text = re.sub(r"[`*_]", "", match[1].strip()).lower()
            found.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return found


def broken_links(path: Path) -> list[str]:
    broken = []
    for target in LINK.findall(FENCE.sub("", path.read_text())):
        if re.match(r"^[a-z]+:", target):  # https:, mailto:, urn:
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(f"{target}: no such file in the repository")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading #{anchor} in {resolved.relative_to(ROOT)}")
    return broken


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves_inside_the_repository(path):
    assert broken_links(path) == []


def test_the_design_document_is_the_one_cited():
    cited = [
        str(p.relative_to(ROOT))
        for p in [*DOCS, *ROOT.glob("src/**/*.py"), *ROOT.glob("tests/**/*.py")]
        if "DESIGN" + ".md" in p.read_text()
    ]
    assert cited == [], "cite docs/design.md, the repository's own design document"
    assert (ROOT / "docs" / "design.md").exists()


def test_a_broken_link_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "a.md").write_text("# Top\n[ok](#top) [gone](missing.md) [bad](a.md#nowhere)\n")
    assert broken_links(tmp_path / "a.md") == [
        "missing.md: no such file in the repository",
        "a.md#nowhere: no heading #nowhere in a.md",
    ]
