"""What every check reports: one broken rule at one place in the code.

The ratchet recognises a violation by `key` (check, importer, imported), never by file
or line, so editing the code around a tolerated violation does not make it "new".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contextgate.project import SourceFile

# The owner of a violation that no package answers for (a stale generated file):
# it cannot be tolerated by a ratchet, only fixed.
PROJECT = "project"


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule. `context` is the owner that must fix it (a context, a shared package,
    the composition root); `importer` reaches for `imported` at `file`:`line`."""

    check: str
    context: str
    file: str
    line: int
    importer: str
    imported: str
    message: str
    hint: str

    @classmethod
    def in_source(
        cls, check: str, source: SourceFile, line: int, *, imported: str, message: str, hint: str
    ) -> Violation:
        """A violation of the module `source`, at one of its lines, for its owner to fix."""
        return cls(
            check=check,
            context=source.owner,
            file=source.relpath,
            line=line,
            importer=source.module,
            imported=imported,
            message=message,
            hint=hint,
        )

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.check, self.importer, self.imported)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
