"""`cosa audit`, `cosa audit verify` and `cosa doctor`."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any

import typer

from cosa import audit as audit_mod
from cosa.commands.common import CsvOpt, JsonOpt, open_store, options
from cosa.errors import ExitCode, IntegrityError, LockedError
from cosa.output import dump_json, message, model_json, table
from cosa.store import is_damaged, is_read_only

audit_app = typer.Typer(help="The audit trail: who did what, when.", no_args_is_help=False)


@audit_app.callback(invoke_without_command=True)
def audit_list(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--from", "--since", help="From this day (e.g. -7d, 1 nov, 01/11/2026)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--to", "--until", help="Up to this day (included)."),
    ] = None,
    type_: Annotated[
        str | None, typer.Option("--type", help="Only this record type (e.g. volunteer).")
    ] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="Only actions starting with this.")
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", help="Show at most the last N entries (0 = all).", show_default=True
        ),
    ] = 50,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List audit entries (newest last). `cosa audit verify` checks the chain."""
    if ctx.invoked_subcommand is not None:
        return
    from cosa.dates import iso, parse_date

    store = open_store(ctx)
    since_iso = iso(parse_date(since)) if since else None
    until_iso = iso(parse_date(until)) if until else None
    rows = audit_mod.entries(
        store,
        since=since_iso,
        until=until_iso,
        record_type=type_,
        action=action,
        limit=limit if limit > 0 else None,
    )
    if json_:
        from cosa.models import AuditEntry

        model_json(AuditEntry, rows)
        return
    table(
        rows,
        [
            ("seq", "#"),
            ("at", "At"),
            ("operator", "Operator"),
            ("action", "Action"),
            ("record_type", "Record"),
            ("record_id", "Id"),
            ("fields", "Fields"),
        ],
        csv_out=csv_,
        empty="no audit entries match",
    )


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    recovery_file: Annotated[
        Path | None,
        typer.Option(
            "--recovery-file",
            help="Also recompute every forward-secure seal from the seed this recovery code"
            " unwraps (catches a trail resealed by a passphrase holder).",
            dir_okay=False,
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Check the hash chain, every record's hash, the high-water mark and the heads recorded
    outside the workspace (and, with the recovery code, every seal); exit 4 on any break."""
    from cosa import seal

    store = open_store(ctx)
    ws = options(ctx).workspace
    kf = ws.load_keys()
    result = audit_mod.verify(store, head=kf.head, seal_n=_seal_n(kf))
    result.problems += seal.check_witnesses(store, seal.witness_id(store))
    notes: list[str] = []
    sealed: dict[str, Any] | None = None
    if recovery_file is not None:
        from cosa import secrets_input, vault

        secret = vault.recovery_secret(
            secrets_input.read_secret_file(recovery_file, "recovery code")
        )
        started = ws.start_sealing(store, secret)
        if started is not None:
            notes.append(f"this workspace had no sealing seed: sealing starts at seal {started}")
            kf = ws.load_keys()
        check = seal.verify_seals(store, kf, store.data_key, secret)  # type: ignore[attr-defined]
        result.problems += check.problems
        notes += check.notes
        sealed = {"seals": check.seals, "checked_from": check.checked_from}
    elif _manager(kf, store):
        # A manager's slot is an escrow: their ratchet keys check the seals from when they
        # were added (seals before that need the recovery code).
        name = store.person  # type: ignore[attr-defined]
        kek = getattr(store, "slot_kek", b"") or _manager_kek(ctx, kf, name)
        data_key: bytes = store.data_key  # type: ignore[attr-defined]
        seeds = seal.open_person_seeds(kf, name, kek)
        check = seal.verify_seals(store, kf, data_key, b"", seeds=seeds)
        result.problems += check.problems
        notes += check.notes
        sealed = {"seals": check.seals, "checked_from": check.checked_from, "by": name}
    if json_:
        dump_json(
            {
                "ok": result.ok,
                "entries": result.entries,
                "records": result.records,
                "problems": result.problems,
                "notes": notes,
                "seals": sealed,
            }
        )
    for note in notes:
        message(f"note: {note}")
    if not result.ok:
        for p in result.problems:
            message(f"  - {p}")
        raise IntegrityError(
            f"the audit trail is broken ({len(result.problems)} problem(s) listed above)"
        )
    seal.witness(seal.witness_id(store), "audit verify", *store.audit_head())
    if not json_:
        what = f"{result.entries} entries, {result.records} records match"
        if sealed is not None:
            what += f", {sealed['seals']} seals verify"
        message(f"Audit trail verified: {what}.")


def _manager(kf: Any, store: Any) -> bool:
    """Whether the person who opened `store` is a manager (whose seed checks the seals; a
    manager whose seed is missing gets that reported as a problem)."""
    person = kf.find_person(getattr(store, "person", "") or "")
    return bool(person and person["role"] == "manager")


def _manager_kek(ctx: typer.Context, kf: Any, name: str) -> bytes:
    """The manager's passphrase KEK when the workspace was opened from an unlock session."""
    from cosa import secrets_input

    opts = options(ctx)
    secret = secrets_input.passphrase(
        opts.passphrase_file, f"{name}'s passphrase (to check the seals): "
    )
    unlocked = kf.unlock("passphrase", secret.encode())
    if unlocked.person != name:
        opts.workspace.record_failure("passphrase", name)  # asked for this person's
        raise LockedError(f"that is not {name}'s passphrase")
    kek: bytes = unlocked.kek
    return kek


def doctor(
    ctx: typer.Context,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Re-verify the whole audit trail and every record (default: the entries since"
            " the last verified head, and the records they touched), and run SQLCipher's own"
            " page check as well.",
        ),
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Check the workspace: key file, every page, database integrity, schema, search index, audit."""
    from concurrent.futures import ThreadPoolExecutor

    from cosa import pagecheck, seal
    from cosa.migrations import MIGRATIONS

    checks: list[dict[str, Any]] = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        checks.append({"check": name, "ok": ok, "detail": detail})
        if not json_:
            message(f"  {'ok  ' if ok else 'FAIL'}  {name}{(': ' + detail) if detail else ''}")

    opts = options(ctx)
    ws = opts.workspace
    if not json_:
        message(f"Checking {ws.home}")
    key = ws.unlock_key(opts)  # proven by the key file's MAC: damage below is damage
    check("key file parses and its MAC proves the key", True)
    failed_open: tuple[str, str] | None = None
    try:
        store = ws.open_with_key(key, opts.explicit_operator())
        ctx.call_on_close(store.close)
        with contextlib.suppress(Exception):  # WAL pages move into cosa.db, to be checked
            store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except IntegrityError as exc:
        failed_open = ("open workspace (key, high-water mark, SQLCipher settings)", exc.message)
    except Exception as exc:
        if not is_damaged(exc):
            raise
        failed_open = ("open workspace (database pages decrypt)", str(exc))
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The page HMACs are checked in a second thread while SQLite walks the b-trees in
        # this one: SQLite lets go of the GIL, so on two cores the page check costs no time.
        page_check = pool.submit(pagecheck.damaged_pages, ws.db_path, key)
        found: dict[str, list[str]] = {}
        if failed_open is None:
            found = _sqlite_checks(store, ws.db_path, full)
        pages, bad = page_check.result()
    short = None
    if failed_open is not None or any(v != ["ok"] for v in found.values()):
        short = pagecheck.cut_short(ws.db_path, key, pages)  # only where damage shows
    check(
        "page HMACs (every page of cosa.db)",
        not bad and short is None,
        f"damaged page(s): {', '.join(map(str, bad))}" if bad else short or f"{pages} pages",
    )
    if failed_open is not None:
        check(failed_open[0], False, failed_open[1])
        _finish(checks, json_)
        return
    for name, values in found.items():
        check(name, values == ["ok"], "; ".join(values[:5]) if values != ["ok"] else "")
    version = store.schema_version()
    check(
        "schema version", version == len(MIGRATIONS), f"{version} of {len(MIGRATIONS)} migrations"
    )
    kf = ws.load_keys()
    base = None if full else seal.last_witnessed(store, seal.witness_id(store))
    try:
        result = audit_mod.verify(store, head=kf.head, seal_n=_seal_n(kf), since=base)
        result.problems += seal.check_witnesses(store, seal.witness_id(store))
    except Exception as exc:
        if not is_damaged(exc):
            raise
        result = audit_mod.VerifyResult(problems=[str(exc)])
    scope = "" if base is None else f" since entry {base[0]} (--full: all)"
    check(
        "audit trail (chain, record hashes, seals, high-water mark, witnesses)",
        result.ok,
        "; ".join(result.problems[:5]) or f"{result.entries} entries{scope}",
    )
    if all(c["ok"] for c in checks):
        seal.witness(seal.witness_id(store), "doctor", *store.audit_head())
    _finish(checks, json_)


def _sqlite_checks(store: Any, db_path: Path, full: bool) -> dict[str, list[str]]:
    """SQLite's own checks, each as its problems or ["ok"]: with --full SQLCipher's page
    check (WAL frames included), then `integrity_check`, which also runs FTS5's check of
    each search index (SQLite 3.44+); its findings about an index (FTS5 names it
    `main.NAME` or `table "NAME"`) are that index's check. When `integrity_check` finds
    other damage it may stop before FTS5's check (at 100 problems, or at an error), so the
    index is then checked on its own (and so it is under an SQLite before 3.44); an error
    that stopped it fails `integrity_check` too. A sound index is then searched for a word at
    each letter of its vocabulary (`_search_index_probe`), which FTS5's check does not do.

    The page cache is made large enough to hold the database (up to 256 MiB) meanwhile, so
    that checking each index against its table decrypts every page once, not at every miss."""
    fts = [
        str(r["name"])
        for r in store.query(
            "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"
        )
    ]
    kib = min(db_path.stat().st_size // 1024 + 1024, 256 * 1024)
    previous = store.scalar("PRAGMA cache_size")
    store.conn.execute(f"PRAGMA cache_size = -{kib}")
    found: dict[str, list[str]] = {}
    stopped: list[str] = []
    try:
        if full:
            rows = store.query("PRAGMA cipher_integrity_check")
            found["cipher_integrity_check"] = [str(next(iter(r.values()))) for r in rows] or ["ok"]
        try:
            rows = store.query("PRAGMA integrity_check")
            values = [str(next(iter(r.values()))) for r in rows]
        except Exception as exc:
            # SQLITE_NOMEM (MemoryError) too: a damaged FTS5 structure record can claim a
            # size SQLite cannot allocate
            if not (is_damaged(exc) or isinstance(exc, MemoryError) or "fts5" in str(exc)):
                raise
            stopped = [f"{type(exc).__name__}: {exc}" if isinstance(exc, MemoryError) else str(exc)]
            values = []  # what it found before stopping is lost too
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(previous)}")
    # SQLite before 3.44 does not run FTS5's check inside integrity_check (cosa's wheels bundle
    # a later one; a sqlcipher3 built against an older system library would not).
    clean = values == ["ok"] and sqlite_version_info() >= (3, 44)
    for name in fts:
        about = [v for v in values + stopped if f"main.{name}" in v or f'table "{name}"' in v]
        values = [v for v in values if v not in about]
        if not about and not clean:
            about = _search_index_check(store, name)
        if not about or about == ["ok"]:
            about = _search_index_probe(store, name)
        found[f"search index {name}"] = about or ["ok"]
    found["integrity_check"] = values + stopped or ["ok"]
    return dict(sorted(found.items(), key=lambda kv: kv[0].startswith("search index")))


def sqlite_version_info() -> tuple[int, ...]:
    import sqlcipher3

    return tuple(sqlcipher3.sqlite_version_info)


def _search_index_probe(store: Any, name: str) -> list[str]:
    """Words the index lists are found by a search: one word at or after each letter and
    digit, through FTS5's term index (%_idx), which its own check does not read. A lost or
    emptied term index passes that check while every search comes back empty."""
    vocab = f"temp.{name}_doctor_terms"
    store.conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {vocab} USING fts5vocab(main, {name}, row)"
    )
    try:
        lost: list[str] = []
        for start in "0123456789abcdefghijklmnopqrstuvwxyz":
            row = store.one(f"SELECT term FROM {vocab} WHERE term >= ? LIMIT 1", (start,))
            if row is None or row["term"] in lost:
                continue
            query = '"' + str(row["term"]).replace('"', '""') + '"'
            if not store.scalar(
                f"SELECT count(*) FROM (SELECT 1 FROM {name} WHERE {name} MATCH ? LIMIT 1)",
                (query,),
            ):
                lost.append(str(row["term"]))
    finally:
        store.conn.execute(f"DROP TABLE IF EXISTS {vocab}")
    if lost:
        return [f"words in the index that no search finds: {', '.join(lost[:5])}"]
    return []


def _search_index_check(store: Any, name: str) -> list[str]:
    """FTS5's check of one search index on its own: a write command, which a read-only
    workspace refuses, and so does SQLCipher once it has met a damaged page."""
    refused = ["unknown: integrity_check found other damage first, and FTS5's own check"
               " cannot run on a read-only or damaged database"]  # fmt: skip
    if store.read_only:
        return refused
    try:
        store.conn.execute(f"INSERT INTO {name}({name}) VALUES ('integrity-check')")
    except Exception as exc:
        return refused if is_read_only(exc) else [str(exc)]
    return ["ok"]


def _seal_n(kf: Any) -> int | None:
    return None if kf.seal is None else int(kf.seal["n"])


def _finish(checks: list[dict[str, Any]], json_: bool) -> None:
    failed = [c["check"] for c in checks if not c["ok"]]
    if json_:
        dump_json({"ok": not failed, "checks": checks})
    if failed:
        if json_:
            raise typer.Exit(int(ExitCode.INTEGRITY))
        raise IntegrityError(f"doctor found problems: {', '.join(failed)}")
    if not json_:
        message("All checks passed.")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.command()(doctor)
