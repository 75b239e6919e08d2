"""Finding people and records from what a user types: a number, or a name.

A typed name is compared with case and accents ignored ("zoe" finds "Zoë", "LUKASZ" finds
"Łukasz"), and candidates are ranked; the first rank with any match decides:

1. the exact full name;
2. a whole word of the name (first name or surname) that belongs to exactly one person;
3. a prefix of the full name ("Tom H") or of any word of it ("arch" finds "Sam Archer").

More than one match at the deciding rank is an error that lists the candidates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from cosa import names
from cosa.errors import UserError
from cosa.store import Store

T = TypeVar("T")

_WORDS = re.compile(r"[\s\-]+")


def fold(text: str) -> str:
    """Lower case without accents, single spaces: the form names are compared in."""
    return names.fold(" ".join(text.split()))


def rank(items: Sequence[T], text: str, name: Callable[[T], str]) -> tuple[list[T], bool]:
    """The items the typed `text` names, best rank only, and whether that rank was decisive
    (one item, or several with the same full name)."""
    key = fold(text)
    if not key:
        return [], False
    folded = [(item, fold(name(item))) for item in items]
    exact = [item for item, full in folded if full == key]
    if exact:
        return exact, True
    words = [(item, full, [w for w in _WORDS.split(full) if w]) for item, full in folded]
    whole = [item for item, _, ws in words if key in ws]
    if len(whole) == 1:
        return whole, True
    prefix = [
        item
        for item, full, ws in words
        if full.startswith(key) or any(w.startswith(key) for w in ws)
    ]
    if len(whole) > 1:
        return whole, False
    return prefix, len(prefix) == 1


def ambiguous(kind: str, text: str, labels: list[str]) -> UserError:
    shown = ", ".join(labels[:10])
    more = f" and {len(labels) - 10} more" if len(labels) > 10 else ""
    return UserError(
        f"'{text}' matches several {kind}s: {shown}{more}",
        hint="use the number or more of the name",
    )


def person(
    store: Store, table: str, kind: str, ref: str, *, name_col: str = "name"
) -> dict[str, Any]:
    """A row of `table` by id (digits, `#12`) or by name (see the module's ranking)."""
    text = ref.strip()
    if not text:
        raise UserError(f"no {kind} given")
    if text.lstrip("#").isdigit():
        number = int(text.lstrip("#"))
        row = store.one(f"SELECT * FROM {table} WHERE id = ?", (number,))
        if row is None:
            raise UserError(f"{kind} {number} not found", hint=f"`cosa {kind} list` shows them")
        return row
    # Compare in Python: SQLite's lower()/LIKE only fold ASCII ("ÉMILE" must find "Émile").
    rows = store.query(f"SELECT * FROM {table} ORDER BY {name_col}, id")
    hits, _ = rank(rows, text, lambda r: str(r[name_col]))
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise UserError(f"no {kind} matches '{text}'", hint=f"`cosa {kind} list` shows them")
    raise ambiguous(kind, text, [f"{r['id']} {r[name_col]}" for r in hits])
