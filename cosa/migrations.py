"""Schema migrations: an ordered list of named functions, each applied once.

Each migration runs in its own `BEGIN IMMEDIATE` transaction together with the row in
`schema_migrations` that records it, so a crash leaves it either applied or not. A migration
that has shipped is never edited: change the schema by appending a new one (and update
`tests/schema.sql`, which the tests compare a blank database against).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cosa.errors import IntegrityError

if TYPE_CHECKING:
    from cosa.store import Store

Migration = Callable[["Store"], None]
MIGRATIONS: list[Migration] = []

#: Which table holds each audited record type (used by `audit verify` to re-hash rows).
RECORD_TABLES: dict[str, str] = {}

# Common columns of every record table.
RECORD_COLUMNS = """
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL"""


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


def apply_migrations(store: Store) -> list[str]:
    """Apply every pending migration; returns the names applied."""
    conn = store.conn
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations"
        " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {r["name"] for r in store.query("SELECT name FROM schema_migrations")}
    known = {fn.__name__ for fn in MIGRATIONS}
    if done - known:
        raise IntegrityError(
            "this workspace was written by a newer version of cosa "
            f"(unknown migrations: {', '.join(sorted(done - known))})",
            hint="upgrade cosa before opening it",
        )
    applied = []
    for fn in MIGRATIONS:
        if fn.__name__ in done:
            continue
        with store.atomic():
            fn(store)
            store.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, datetime('now'))",
                (fn.__name__,),
            )
        applied.append(fn.__name__)
    return applied


@migration
def m001_foundation(store: Store) -> None:
    store.script(
        f"""
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            operator TEXT NOT NULL,
            action TEXT NOT NULL,
            record_type TEXT,
            record_id INTEGER,
            fields TEXT NOT NULL,
            state_hash TEXT,
            detail TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_record ON audit (record_type, record_id);
        CREATE INDEX audit_at ON audit (at);
        CREATE TABLE volunteers ({RECORD_COLUMNS},
            name TEXT NOT NULL,
            email TEXT,
            phone TEXT,
            status TEXT NOT NULL DEFAULT 'applicant'
        );
        CREATE INDEX volunteers_name ON volunteers (name COLLATE NOCASE);
        """
    )


RECORD_TABLES["volunteer"] = "volunteers"


@migration
def m002_lookups(store: Store) -> None:
    """Provider-specific lists (circle types, ending reasons, …) as data with defaults."""
    store.script(
        f"""
        CREATE TABLE lookups ({RECORD_COLUMNS},
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            label TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1,
            UNIQUE (kind, value)
        );
        """
    )
    from cosa.domain.lookups import DEFAULTS

    for kind, values in DEFAULTS.items():
        for position, value in enumerate(values):
            store.insert("lookups", "lookup", {"kind": kind, "value": value, "position": position})


RECORD_TABLES["lookup"] = "lookups"
