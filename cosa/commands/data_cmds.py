"""Data safety commands: `cosa backup` (and `--verify`) and `cosa restore`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cosa import secrets_input, vault
from cosa.commands.common import ForceOpt, JsonOpt, open_store, options
from cosa.errors import CosaError, LockedError, UserError
from cosa.output import dump_json, echo, message
from cosa.workspace import resolve_home

if TYPE_CHECKING:  # cosa.backup is imported by the commands that use it (start-up time)
    from cosa import backup

RecoveryFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--recovery-file",
        help="Open the backup with the recovery code in this file instead of the passphrase.",
        dir_okay=False,
    ),
]


@contextmanager
def _progress() -> Iterator[backup.Progress]:
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda phase, done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def update(phase: str, done: int, total: int) -> None:
            bar.update(task, description=phase, completed=done, total=total or None)

        yield update


def _secret_kind(text: str) -> tuple[str, bytes]:
    """A typed secret: a well-formed recovery code is used as one, anything else as a passphrase."""
    try:
        return "recovery", vault.recovery_secret(text)
    except UserError:
        return "passphrase", text.encode()


def _unlock(
    ctx: typer.Context, bf: backup.BackupFile, recovery_file: Path | None
) -> backup.Unlocked:
    """Open a backup: the recovery file, else the unlock session, passphrase sources, prompt."""
    opts = options(ctx)
    if recovery_file is not None:
        text = secrets_input.read_secret_file(recovery_file, "recovery code")
        return bf.unlock("recovery", vault.recovery_secret(text))
    key = _session_key(ctx)
    if key is not None and vault.key_id(key) == bf.header["keys"]["key_id"]:
        from cosa.backup import unlock_with_key

        return unlock_with_key(bf, key)
    secret = secrets_input.passphrase_from_sources(opts.passphrase_file)
    if secret is not None:
        return bf.unlock("passphrase", secret.encode())
    if not secrets_input.interactive():
        raise LockedError(
            "no passphrase or recovery code is available to open the backup",
            hint="use --passphrase-file PATH, COSA_PASSPHRASE_FILE, or --recovery-file PATH",
        )
    for attempt in range(3):
        kind, typed = _secret_kind(
            secrets_input.prompt_hidden(f"Passphrase or recovery code for {bf.path.name}: ")
        )
        try:
            return bf.unlock(kind, typed)
        except LockedError:
            if attempt == 2:
                raise
            message("  wrong passphrase or recovery code, try again")
    raise AssertionError("unreachable")


def _session_key(ctx: typer.Context) -> bytes | None:
    ws = options(ctx).workspace
    try:
        return ws.session_key(ws.load_keys().workspace)
    except (CosaError, OSError):
        return None


def _print_summary(summary: dict[str, Any]) -> None:
    head = summary["audit_head"]
    lines = [
        f"file          {summary['file']}",
        f"sha256        {summary['sha256']}",
        f"created       {summary['created_at']}",
        f"workspace     {summary['workspace']}",
        f"made by       cosa {summary['cosa_version']}",
        f"schema        version {summary['schema_version']}",
        f"audit head    entry {head['seq']} ({str(head['hash'])[:16]}…)",
        f"records       {summary['records']}",
    ]
    lines += [f"  {table:<24} {count}" for table, count in sorted(summary["counts"].items())]
    echo("\n".join(lines))


def backup_cmd(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help="The backup file to write (or, with --verify, to check).", dir_okay=False
        ),
    ],
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Check an existing backup (integrity, manifest counts) instead of writing one.",
        ),
    ] = False,
    recovery_file: RecoveryFileOpt = None,
    json_: JsonOpt = False,
    force: ForceOpt = False,
) -> None:
    """Write the whole workspace to one encrypted, verified backup file (0600).

    The backup opens with the passphrase or the recovery code valid today. Exit 4 when a
    backup checked with --verify is damaged, 3 when the secret is wrong.
    """
    from cosa import backup

    if verify:
        with _progress() as progress:
            bf = backup.read_backup(path, progress)
        unlocked = _unlock(ctx, bf, recovery_file)  # (may prompt: no progress bar meanwhile)
        with _progress() as progress:
            summary = backup.verify(unlocked, progress)
        if json_:
            dump_json(summary)
        else:
            _print_summary(summary)
        message("Backup verified: it opens, its integrity checks pass and its counts match.")
        return
    if recovery_file is not None:
        raise UserError("--recovery-file is used with --verify (or with `cosa restore`)")
    from cosa.fsutil import check_output

    check_output(path, force)  # before asking for the passphrase
    store = open_store(ctx)  # (may prompt: before the progress bar)
    with _progress() as progress:
        created = backup.create(store, path, progress, force=force)
    if json_:
        dump_json({"file": str(created.path), "sha256": created.sha256, **created.manifest})
    message(
        f"Backup written to {created.path}: {created.records} records, "
        f"audit entry {created.manifest['audit_head']['seq']}, {created.size:,} bytes; verified."
    )
    message("Keep it away from this laptop. It opens with your passphrase or recovery code.")
    if not created.recorded:
        message("note: the workspace is read-only, so this backup is not in its audit trail")


def restore_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The backup file to restore.", dir_okay=False)],
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Restore into this directory (default: the workspace given by the global"
            " --home, COSA_HOME or the user data dir).",
            file_okay=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an existing workspace (it is kept aside as <dir>.replaced-<time>).",
        ),
    ] = False,
    recovery_file: RecoveryFileOpt = None,
) -> None:
    """Rebuild a workspace from a backup, with the passphrase or the recovery code.

    Refuses to replace an existing workspace unless --force is given. The restore is recorded
    in the audit trail; afterwards the workspace opens with the passphrase and recovery code
    that were valid when the backup was made.
    """
    from cosa import backup

    opts = options(ctx)
    target = resolve_home(home if home is not None else opts.home)
    backup.check_restore_target(target, force)  # before asking for any secret
    operator = opts.explicit_operator()
    with _progress() as progress:
        bf = backup.read_backup(path, progress)
    unlocked = _unlock(ctx, bf, recovery_file)  # (may prompt: no progress bar meanwhile)
    with _progress() as progress:
        result = backup.restore(unlocked, target, force=force, operator=operator, progress=progress)
    summary = result.summary
    message(
        f"Restored the backup made {summary['created_at']} into {result.home}: "
        f"{summary['records']} records, audit entry {summary['audit_head']['seq']}."
    )
    if result.kept_aside is not None:
        message(
            f"The workspace that was there is kept at {result.kept_aside}; "
            "delete it once you are satisfied."
        )
    message("It opens with the passphrase and recovery code valid when the backup was made.")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
