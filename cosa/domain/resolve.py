"""Finding people and records from what a user types: a number, or a unique name prefix."""

from __future__ import annotations

from typing import Any

from cosa.errors import UserError
from cosa.store import Store


def person(
    store: Store, table: str, kind: str, ref: str, *, name_col: str = "name"
) -> dict[str, Any]:
    """A row of `table` by id (digits) or unique case-insensitive name prefix."""
    text = ref.strip()
    if not text:
        raise UserError(f"no {kind} given")
    if text.isdigit():
        row = store.one(f"SELECT * FROM {table} WHERE id = ?", (int(text),))
        if row is None:
            raise UserError(f"{kind} {text} not found", hint=f"`cosa {kind} list` shows them")
        return row
    # Compare in Python: SQLite's lower()/LIKE only fold ASCII ("ÉMILE" must find "Émile").
    key = text.casefold()
    rows = [
        r
        for r in store.query(f"SELECT * FROM {table} ORDER BY {name_col}, id")
        if str(r[name_col]).casefold().startswith(key)
    ]
    exact = [r for r in rows if str(r[name_col]).casefold() == key]
    if len(exact) == 1:
        return exact[0]
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise UserError(f"no {kind} matches '{text}'", hint=f"`cosa {kind} list` shows them")
    names = ", ".join(f"{r['id']} {r[name_col]}" for r in rows[:10])
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    raise UserError(
        f"'{text}' matches several {kind}s: {names}{more}",
        hint="use the number or more of the name",
    )
