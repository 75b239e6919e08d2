"""Workspace and key commands: init, passwd, recover, rotate-key, unlock, lock."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cosa import secrets_input, vault
from cosa.commands.common import ForceOpt, options
from cosa.domain import users
from cosa.errors import IntegrityError, LockedError, UserError
from cosa.fsutil import check_output
from cosa.output import message, safe
from cosa.workspace import os_user, write_secret_file

RecoveryFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--recovery-file",
        help="Also write the new recovery code, alone, to this file (0600).",
        dir_okay=False,
    ),
]
NewPassFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--new-passphrase-file",
        help="Read the new passphrase from this file's first line.",
        dir_okay=False,
    ),
]

RECOVERY_ADVICE = """\
This is your RECOVERY CODE. It is shown only once.
It opens the workspace if the passphrase is lost (`cosa recover`).
Print it or write it down, and keep it in the office safe, away from this laptop.
Anyone holding it and this laptop can read every record."""


def _show_recovery_code(code: str, recovery_file: Path | None, force: bool) -> None:
    message("")
    message(RECOVERY_ADVICE)
    message("")
    message(f"    {code}")
    message("")
    if recovery_file is not None:  # (checked before any work: see `check_output`)
        write_secret_file(recovery_file, code, force=force)


def _operator(ctx: typer.Context) -> str | None:
    """`--operator` / COSA_OPERATOR: a label shown beside the person's name, never the name."""
    return options(ctx).explicit_operator()


def init(
    ctx: typer.Context,
    recovery_file: RecoveryFileOpt = None,
    recovery_sheet: Annotated[
        Path | None,
        typer.Option(
            "--recovery-sheet", help="Write a one-page recovery sheet PDF to print.", dir_okay=False
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", help="The first person's name (default: your login name)."),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Create an encrypted workspace: your passphrase (asked twice), data key, recovery code."""
    from cosa.workspace import check_person_name

    opts = options(ctx)
    ws = opts.workspace
    name = check_person_name(user if user is not None else os_user())
    if ws.exists():
        raise UserError(
            f"a workspace already exists at {ws.home}", hint="use --home DIR for another one"
        )
    for output in (recovery_file, recovery_sheet):
        if output is not None:
            check_output(output, force)
    passphrase = secrets_input.new_passphrase(opts.passphrase_file)
    code = vault.new_recovery_code()
    store = ws.create(passphrase, code, name, _operator(ctx))
    store.close()
    message(f"Created an encrypted workspace at {ws.home}; its first user is {name} (coordinator).")
    _show_recovery_code(code, recovery_file, force)
    if recovery_sheet is not None:
        from cosa.reports.recovery_sheet import write_recovery_sheet

        write_recovery_sheet(recovery_sheet, code, ws.home, force=force)
        message(f"Recovery sheet written to {recovery_sheet}: print it, then delete the file.")


def passwd(ctx: typer.Context, new_passphrase_file: NewPassFileOpt = None) -> None:
    """Change your own passphrase (instant: the database is not re-encrypted)."""
    opts = options(ctx)
    ws = opts.workspace
    store = ws.open(opts, use_session=False)
    try:
        if ws.load_keys().pending:
            raise UserError(
                "an interrupted key rotation must be finished first", hint="run `cosa rotate-key`"
            )
        new = secrets_input.new_passphrase(new_passphrase_file, env=False)
        users.set_own_passphrase(ws, store, new, "vault.passwd")
        who = users.acting(store)
    finally:
        store.close()
    message(f"Passphrase changed for {safe(who)}.")


def recover(
    ctx: typer.Context,
    recovery_file: Annotated[
        Path | None,
        typer.Option(
            "--recovery-file", help="Read the recovery code from this file.", dir_okay=False
        ),
    ] = None,
    new_passphrase_file: NewPassFileOpt = None,
    user: Annotated[
        str | None,
        typer.Option("--user", help="Whose passphrase to set (default: the first user)."),
    ] = None,
) -> None:
    """Unlock with the recovery code and set a new passphrase for one person."""
    ws = options(ctx).workspace
    kf = ws.load_keys()
    if recovery_file is not None:
        text = secrets_input.read_secret_file(recovery_file, "recovery code")
    elif secrets_input.interactive():
        text = secrets_input.prompt_hidden("Recovery code: ")
    else:
        raise secrets_input.no_secret_error("recovery code")
    secret = vault.recovery_secret(text)  # a typo is caught here, before the KDF
    store = ws.open_with_secret(kf, "recovery", secret, _operator(ctx))
    try:
        kf = ws.load_keys()
        if kf.pending:
            held = [
                k
                for k in kf.candidate_keys("recovery", secret)
                if vault.key_id(k) == kf.pending["key_id"]
            ]
            if held:
                ws.rekey(store, store.data_key, held[0])  # type: ignore[attr-defined]
            else:
                # The code may be one an interrupted rotation handed out (vault "earlier"):
                # make it the current recovery code, so it stays valid as promised below.
                key: bytes = store.data_key  # type: ignore[attr-defined]
                kdf = vault.new_kdf_params()
                slot = vault.make_slot("recovery", vault.derive_kek(secret, kdf), kdf, key)

                def settle(f: vault.KeyFile) -> None:
                    f.pending = None
                    f.set_slot(slot)

                ws.update_keys(key, settle)
        if not ws.load_keys().pending:
            try:
                ws.start_sealing(store, secret)  # a workspace made before sealing
            except LockedError:
                pass  # the code of an earlier rotation
            except IntegrityError as exc:  # a stripped seed: say so, but let the user back in
                message(f"warning: {exc.message}")
        people = ws.load_keys().people()
        person = ws.load_keys().find_person(user) if user is not None else people[0]
        if person is None:
            raise UserError(f"no user called {user!r}", hint="see `cosa user list`")
        store.person = person["name"]  # type: ignore[attr-defined]
        new = secrets_input.new_passphrase(new_passphrase_file, env=False)
        users.set_own_passphrase(ws, store, new, "vault.recover")
    finally:
        store.close()
    message(f"New passphrase set for {safe(person['name'])}. Your recovery code stays valid.")


def rotate_key(
    ctx: typer.Context, recovery_file: RecoveryFileOpt = None, force: ForceOpt = False
) -> None:
    """Make a new data key, re-encrypt the database, rewrap every slot, issue a new recovery code."""
    opts = options(ctx)
    ws = opts.workspace
    if recovery_file is not None:
        check_output(recovery_file, force)
    passphrase = secrets_input.passphrase(opts.passphrase_file, f"Passphrase for {ws.home}: ")
    kf = ws.load_keys()
    store = ws.open_with_secret(kf, "passphrase", passphrase.encode(), _operator(ctx))
    try:
        old_key: bytes = store.data_key  # type: ignore[attr-defined]
        new_key = vault.new_data_key()
        code = vault.new_recovery_code()
        users.require_coordinator(ws, store, "rotate the key (it ends everyone else's slot)")
        person = users.acting(store)
        kek: bytes = store.slot_kek  # type: ignore[attr-defined]
        others = [p["name"] for p in ws.load_keys().people() if p["name"] != person]

        def begin(f: vault.KeyFile) -> None:
            f.begin_rotation(old_key, new_key, kek, code, person)

        ws.update_keys(old_key, begin)
        _show_recovery_code(code, recovery_file, force)

        def delivered(f: vault.KeyFile) -> None:
            assert f.pending is not None
            f.pending["delivered"] = True

        ws.update_keys(old_key, delivered)
        ws.rekey(store, old_key, new_key)
        with store.atomic():
            store.audit(
                "vault.rotate-key", detail={"key_id": vault.key_id(new_key), "dropped": others}
            )
    finally:
        store.close()
    message(
        "Data key rotated; the database is re-encrypted. The old recovery code no longer works."
    )
    if others:
        message(
            f"The other people's slots wrapped the old key and are gone: add them again"
            f" (`cosa user add NAME`): {safe(', '.join(others))}."
        )


def unlock(
    ctx: typer.Context,
    for_: Annotated[
        str,
        typer.Option(
            "--for", help="Idle time before the session locks again (e.g. 15m, 2h; at most 8h)."
        ),
    ] = "15m",
) -> None:
    """Keep the workspace unlocked for a while (the data key in the kernel keyring on Linux,
    the Keychain on macOS, the Credential Manager on Windows)."""
    from cosa import session
    from cosa.dates import parse_duration
    from cosa.workspace import SESSION_HARD_LIMIT

    idle = int(parse_duration(for_).total_seconds())
    if idle > SESSION_HARD_LIMIT:
        raise UserError("an unlock session lasts at most 8h", hint="use --for 8h or less")
    if idle < 1:
        raise UserError("an unlock session lasts at least 1s", hint="e.g. --for 15m")
    try:
        where = session.backend().label
    except session.SessionUnavailable as exc:
        raise UserError(
            f"cosa cannot keep an unlock session here: {exc}",
            hint="cosa will ask for the passphrase (or read COSA_PASSPHRASE_FILE) at each command",
        ) from None
    opts = options(ctx)
    ws = opts.workspace
    store = ws.open(opts, use_session=False)
    try:
        try:
            until = ws.start_session(
                store.workspace_id,  # type: ignore[attr-defined]
                store.data_key,  # type: ignore[attr-defined]
                idle,
                users.acting(store),
            )
        except session.SessionUnavailable as exc:
            raise UserError(f"cosa cannot keep an unlock session here: {exc}") from None
        with store.atomic():
            store.audit("session.unlock", detail={"idle_seconds": idle})
    finally:
        store.close()
    message(
        f"Unlocked until {until:%H:%M} if idle (each command extends it; at most 8 h), the key"
        f" kept in {where}. `cosa lock` ends it."
    )


def lock(ctx: typer.Context) -> None:
    """End the unlock session now."""
    ws = options(ctx).workspace
    kf = ws.load_keys()
    message("Locked." if ws.end_session(kf.workspace) else "No unlock session was active.")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(passwd)
    app.command()(recover)
    app.command("rotate-key")(rotate_key)
    app.command()(unlock)
    app.command()(lock)
