"""No model relation crosses a context: across contexts, keep the other's id in a plain field.

Each context lives in its own store, so a ForeignKey, OneToOne or ManyToMany from one
context to another (or to an app outside every context, such as Django's users) could be
enforced by neither database and breaks when the context is extracted. A
GenericForeignKey may point anywhere, so a context's model may not have one. The fields
come from `Project.models`: parsed, or Django's app registry in Django mode; each is
reported at the line that writes it, an abstract base's or a mixin's included.
"""

from __future__ import annotations

from contextgate.project import Project
from contextgate.violations import Violation

HINT = (
    "Keep the other context's id in a plain field (order_id = CharField(...)) instead of a "
    "relation; read what you need through its api, or keep a local copy fed by its events."
)


def check_orm_relations(project: Project) -> list[Violation]:
    found: dict[tuple[str, str], Violation] = {}
    # Sorted by the concrete model's label: a field that several models inherit is
    # reported once, for the first.
    for relation in project.models.relations:
        if relation.target and relation.target.partition(".")[0] == relation.label:
            continue
        target = relation.target or "any context"
        cls, name = relation.field.rsplit(".", 2)[-2:]
        where = "another store" if relation.target else "whatever it is pointed at"
        found.setdefault(
            (relation.field, target),
            Violation(
                check="orm-relations",
                context=relation.label,
                file=relation.file,
                line=relation.line,
                importer=relation.field,
                imported=target,
                message=f"{cls}.{name} ({relation.kind}) in {relation.label} points at "
                f"{target}, {where}.",
                hint=HINT,
            ),
        )
    return list(found.values())
