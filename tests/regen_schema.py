"""Regenerate tests/schema.sql from a blank database (run: python -m tests.regen_schema)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from cosa import vault
from cosa.workspace import Workspace

from .test_store import SCHEMA_FILE, schema_of

if __name__ == "__main__":
    vault.DEFAULT_KDF = {"t": 1, "m": 8 * 1024, "p": 1}
    with tempfile.TemporaryDirectory() as tmp:
        store = Workspace(Path(tmp) / "ws").create("x" * 12, vault.new_recovery_code(), "schema")
        SCHEMA_FILE.write_text(schema_of(store))
        store.close()
    print(f"wrote {SCHEMA_FILE}")
