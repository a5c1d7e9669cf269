"""An aggregate's child rows read in the same statement as its root: one round trip, not two.

`children_json(...)` annotates each root row with its children as one JSON array of
arrays (the named columns, in the given order), as text. A repository loading one
aggregate by id then needs one statement where `prefetch_related` takes two, which
matters on hot paths (a saga step loads its aggregate once per event).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connections
from django.db.models import Model, TextField
from django.db.models.expressions import RawSQL


def children_json(
    using: str, root: type[Model], child: type[Model], *, key: str, columns: list[str], order: str
) -> RawSQL:
    """Per `root` row: its `child` rows (`child.key` = root's primary key) as text JSON
    `[[column, ...], ...]` ordered by `order`; `[]` when it has none."""
    connection = connections[using]
    quote = connection.ops.quote_name
    root_table, child_table = quote(root._meta.db_table), quote(child._meta.db_table)
    root_key = quote(root._meta.pk.column)
    values = ", ".join(f"c.{quote(child._meta.get_field(name).column)}" for name in columns)
    fk = quote(child._meta.get_field(key).column)
    by = quote(child._meta.get_field(order).column)
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT COALESCE(json_agg(json_build_array({values}) ORDER BY c.{by}), '[]'::json)::text "  # noqa: S608 - the models' names
            f"FROM {child_table} c WHERE c.{fk} = {root_table}.{root_key}"
        )
    else:  # SQLite keeps a subquery's order in json_group_array
        sql = (
            f"SELECT COALESCE(json_group_array(json_array({values})), '[]') "  # noqa: S608 - the models' names
            f"FROM (SELECT * FROM {child_table} WHERE {fk} = {root_table}.{root_key} ORDER BY {by}) c"
        )
    return RawSQL(sql, [], output_field=TextField())  # noqa: S611 - no input


def loaded(value: str | None) -> list[list[Any]]:
    return json.loads(value) if value else []
