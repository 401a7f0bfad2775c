"""Bulk copies of rows the ORM made, for scripts/bench_data.py.

A handful of documents go through Odoo's real flows (confirm, deliver, invoice, post); the tens
of thousands of others are copies of them made in SQL, with the columns that tell them apart
(customer, product, lot, names, dates, links to their own parent rows) replaced. Every other
column (amounts, states, accounts, taxes, locations) is what the ORM wrote, so the copies are
as consistent as their prototypes.
"""

from collections import defaultdict


def columns(cr, table):
    cr.execute(
        """SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped
            ORDER BY attnum""",
        [table],
    )
    return [(name, kind) for name, kind in cr.fetchall() if name != "id"]


def new_ids(cr, table, count):
    cr.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [table, count],
    )
    return [row[0] for row in cr.fetchall()]


def clone(cr, table, protos, **overrides):
    """Copy row ``protos[i]`` of ``table`` once per i, with ``overrides[column][i]`` replacing
    that column; return the new ids, in the order of ``protos``."""
    if not protos:
        return []
    cols = columns(cr, table)
    kinds = dict(cols)
    unknown = set(overrides) - set(kinds)
    assert not unknown, f"{table} has no column {unknown}"
    ids = new_ids(cr, table, len(protos))
    names = ", ".join(f'"{name}"' for name, _kind in cols)
    select = ", ".join(
        f'v."{name}"' if name in overrides else f'p."{name}"' for name, _kind in cols
    )
    arrays = ", ".join(
        ["%s::int4[]", "%s::int4[]"] + [f"%s::{kinds[c]}[]" for c in overrides]
    )
    aliases = ", ".join(["id", "proto"] + [f'"{c}"' for c in overrides])
    cr.execute(
        f'INSERT INTO "{table}" (id, {names}) SELECT v.id, {select} '
        f'FROM unnest({arrays}) AS v({aliases}) JOIN "{table}" p ON p.id = v.proto',
        [ids, list(protos), *overrides.values()],
    )
    return ids


def clone_children(
    cr, table, parent_column, parent_protos, parent_ids, extra=(), **makers
):
    """Copy the rows of ``table`` under each prototype parent to the parent's copy.

    ``makers[column](index, row)`` gives the value of ``column`` for the copy of ``row`` (a dict
    with id and the ``extra`` columns) under parent copy number ``index``.
    Return (new ids, prototype ids, parent copy index) aligned lists."""
    cols = ", ".join(f'"{c}"' for c in ("id", parent_column, *extra))
    cr.execute(
        f'SELECT {cols} FROM "{table}" WHERE "{parent_column}" = ANY(%s) ORDER BY id',
        [list(set(parent_protos))],
    )
    names = [desc[0] for desc in cr.description]
    children = defaultdict(list)
    for values in cr.fetchall():
        row = dict(zip(names, values, strict=True))
        children[row[parent_column]].append(row)
    protos, indexes = [], []
    overrides = defaultdict(list)
    for index, (parent_proto, parent_id) in enumerate(
        zip(parent_protos, parent_ids, strict=True)
    ):
        for row in children[parent_proto]:
            protos.append(row["id"])
            indexes.append(index)
            overrides[parent_column].append(parent_id)
            for column, maker in makers.items():
                overrides[column].append(maker(index, row))
    return clone(cr, table, protos, **overrides), protos, indexes


def clone_relation(cr, table, column, pairs):
    """Copy the many2many rows of each prototype (``pairs``: (new id, prototype id))."""
    if not pairs:
        return
    others = [f'"{name}"' for name, _kind in columns(cr, table) if name != column]
    cr.execute(
        f'INSERT INTO "{table}" ("{column}", {", ".join(others)}) '
        f"SELECT v.new, {', '.join('r.' + o for o in others)} "
        f'FROM unnest(%s::int4[], %s::int4[]) AS v(new, proto) JOIN "{table}" r '
        f'ON r."{column}" = v.proto',
        [[new for new, _proto in pairs], [proto for _new, proto in pairs]],
    )
