"""`cosa export PATH` (the whole workspace as JSON, encrypted by default) and
`cosa export --decrypt FILE -o OUT`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cosa import secrets_input
from cosa.commands.common import ForceOpt, YesOpt, open_store, options
from cosa.domain import export
from cosa.errors import LockedError, UserError
from cosa.fsutil import write_output
from cosa.output import message

PLAIN_WARNING = (
    "warning: a plain export is not encrypted: anyone who can read the file can read every"
    " record in it (criminal-offence and special-category data)"
)


def _new_password(password_file: Path | None) -> tuple[str, bool]:
    """(password, generated): from the file, asked twice on a terminal, or generated."""
    if password_file is not None:
        secret = secrets_input.read_secret_file(password_file, "password")
        export.check_password(secret)
        return secret, False
    if secrets_input.interactive():
        for _ in range(3):
            first = secrets_input.prompt_hidden(
                "Password for the export (empty: generate one for you): "
            )
            if not first:
                break
            try:
                export.check_password(first)
            except UserError as exc:
                message(f"  {exc.message}")
                continue
            if secrets_input.prompt_hidden("Repeat the password: ") == first:
                return first, False
            message("  the two entries differ; try again")
        else:
            raise UserError("no password was set; nothing was written")
    return export.generate_password(), True


def _password(password_file: Path | None, what: str) -> str:
    if password_file is not None:
        return secrets_input.read_secret_file(password_file, "password")
    if secrets_input.interactive():
        return secrets_input.prompt_hidden(f"Password for {what}: ")
    raise LockedError(
        f"a password is needed to decrypt {what} and none is available",
        hint="pass --password-file PATH, or run this in a terminal",
    )


def _decrypt(source: Path, out: Path | None, password_file: Path | None, force: bool) -> None:
    if out is None:
        raise UserError("--decrypt needs -o OUT (the file to write, or - for stdout)")
    try:
        blob = source.read_bytes()
    except FileNotFoundError:
        raise UserError(f"file not found: {source}") from None
    except OSError as exc:
        raise UserError(f"cannot read {source}: {exc.strerror or exc}") from None
    if str(out) != "-":
        export.check_target(out, force)
    doc = export.parse(blob, source.name)
    if not export.is_encrypted(doc):
        raise UserError(f"{source.name} is a plain export: it is not encrypted")
    plain = export.decrypt(blob, _password(password_file, source.name), source.name)
    if str(out) == "-":
        sys.stdout.buffer.write(plain)
        sys.stdout.flush()
        return
    write_output(out, plain, force=force)
    message(f"Wrote {out} ({len(plain):,} bytes, plain JSON: keep it safe, delete it after use)")


def export_cmd(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="The file to write (e.g. handover.cosa-export).", dir_okay=False),
    ] = None,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            help="Write plain, unencrypted JSON (asks for confirmation; --yes when not "
            "interactive).",
        ),
    ] = False,
    yes: YesOpt = False,
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file",
            help="Encrypt (or, with --decrypt, decrypt) with the password on the first line "
            "of this file.",
            dir_okay=False,
        ),
    ] = None,
    decrypt: Annotated[
        Path | None,
        typer.Option(
            "--decrypt",
            help="Decrypt this export file instead (needs -o; no workspace needed).",
            dir_okay=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="With --decrypt: the plain JSON file to write (- for stdout).",
            dir_okay=False,
        ),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Export the whole workspace as documented JSON (docs/export.md), for handover.

    Encrypted by default (AES-256-GCM, key from a password with Argon2id): the password is
    asked twice on a terminal, read from --password-file, or generated and shown once.
    Every export is recorded in the audit trail.
    """
    if decrypt is not None:
        if path is not None or plain:
            raise UserError("--decrypt FILE -o OUT takes no PATH and no --plain")
        _decrypt(decrypt, out, password_file, force)
        return
    if path is None:
        raise UserError(
            "missing PATH: the file to write",
            hint="e.g. `cosa export handover.cosa-export`",
        )
    if out is not None:
        raise UserError("-o goes with --decrypt; give the export's file as PATH")
    export.check_target(path, force)
    if plain:
        if password_file is not None:
            raise UserError("--plain and --password-file do not go together")
        message(PLAIN_WARNING)
        if not yes:
            if not secrets_input.interactive():
                raise UserError(
                    "a plain export needs a confirmation, but nobody can answer here",
                    hint="add --yes if you really want an unencrypted file, or leave out --plain",
                )
            if not typer.confirm("Write the workspace unencrypted?", default=False, err=True):
                message("Nothing was written.")
                raise typer.Exit(1)
    store = open_store(ctx)
    password, generated = (None, False) if plain else _new_password(password_file)
    if (
        password is not None
        and not generated
        and options(ctx).workspace.is_passphrase(store, password)
    ):
        raise UserError(
            "the export password must not be the workspace passphrase",
            hint="the export leaves the workspace: give it a password of its own",
        )
    done = export.write(store, path, password=password, force=force)
    how = "encrypted (AES-256-GCM)" if done.encrypted else "PLAIN, not encrypted"
    message(
        f"Wrote {done.path} ({sum(done.counts.values()):,} records, {done.size:,} bytes, {how};"
        f" SHA-256 {done.sha256})"
    )
    if generated:
        message(f"Password (shown once; keep it apart from the file): {password}")


def register(app: typer.Typer) -> None:
    app.command("export")(export_cmd)
