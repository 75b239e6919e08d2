"""Upgrade tests: a database at every migration but the ones under test.

Test data is built with today's domain code, which writes today's tables; so an upgrade test
applies every *other* migration first (they are independent of the one under test), builds its
old data, then applies the migration under test and checks what it did.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cosa import migrations, vault
from cosa.store import Store


@contextmanager
def store_without(tmp_path: Path, *names: str) -> Iterator[Store]:
    """A new store with every migration applied except `names` (prefixes such as "m030")."""
    store = Store.open(tmp_path / "old.db", vault.new_data_key(), create=True, migrate=False)
    saved = list(migrations.MIGRATIONS)
    migrations.MIGRATIONS[:] = [fn for fn in saved if not fn.__name__.startswith(names)]
    try:
        migrations.apply_migrations(store)
    finally:
        migrations.MIGRATIONS[:] = saved
    try:
        yield store
    finally:
        store.close()
