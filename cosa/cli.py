"""The `cosa` command line: root options, the command groups, and the single exit point.

Commands live in `cosa.commands.*`, one group per module; this file assembles them. Every
error a user can act on is a `cosa.errors.CosaError`; `CosaGroup.invoke` is the one place
that turns it (or Ctrl-C, or a full disk) into one line on stderr and an exit code. Tracebacks
only with COSA_DEBUG=1, and never Typer's "pretty" tracebacks with locals (they could show a
passphrase).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click as click  # Typer vendors Click (pinned <0.29 in pyproject)
from typer.core import TyperGroup

from cosa import __version__
from cosa.commands import audit_cmds, lookup, vault_cmds, volunteer
from cosa.errors import CosaError, ExitCode
from cosa.workspace import Options


def _debug() -> bool:
    return os.environ.get("COSA_DEBUG", "") not in ("", "0")


def _fail(text: str, hint: str | None, code: int) -> None:
    typer.echo(f"Error: {text}", err=True)
    if hint:
        typer.echo(f"Hint: {hint}", err=True)
    sys.stdout.flush()
    raise typer.Exit(code)


class CosaGroup(TyperGroup):
    """The root group: maps every failure to one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, typer.Exit, typer.Abort, typer.TyperException):
            raise
        except CosaError as exc:
            if _debug():
                raise
            _fail(exc.message, exc.hint, int(exc.exit_code))
        except KeyboardInterrupt:
            if _debug():
                raise
            typer.echo("\nInterrupted; nothing was changed by the unfinished step.", err=True)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as exc:
            if _debug():
                raise
            from cosa.store import is_damaged, is_disk_full

            if is_disk_full(exc) or (isinstance(exc, OSError) and exc.errno == 28):
                _fail("the disk is full; nothing was written", "free some space and try again", 1)
            if is_damaged(exc):
                _fail(
                    f"the database is damaged ({exc})",
                    "run `cosa doctor`; restore a backup if it fails",
                    4,
                )
            if "database is locked" in str(exc):
                _fail("the workspace is busy (another cosa command is writing)", "try again", 1)
            _fail(
                f"unexpected {exc.__class__.__name__}; nothing was changed",
                "run again with COSA_DEBUG=1 for details, and report it",
                1,
            )
        return None


app = typer.Typer(
    name="cosa",
    cls=CosaGroup,
    help="Offline, encrypted case management for Circles of Support and Accountability.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cosa {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Workspace directory (default: COSA_HOME, else the user data dir).",
            file_okay=False,
        ),
    ] = None,
    operator: Annotated[
        str | None,
        typer.Option(
            "--operator",
            help="Who is operating, for the audit trail (default: COSA_OPERATOR, config, OS user).",
        ),
    ] = None,
    passphrase_file: Annotated[
        Path | None,
        typer.Option(
            "--passphrase-file",
            help="Read the passphrase from the first line of this file.",
            dir_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Offline, encrypted case management for Circles of Support and Accountability.

    The workspace is encrypted; commands unlock it with the passphrase (from
    --passphrase-file, COSA_PASSPHRASE_FILE, COSA_PASSPHRASE or a prompt) or an unlock
    session (`cosa unlock`).
    """
    ctx.obj = Options(home=home, operator=operator, passphrase_file=passphrase_file)


vault_cmds.register(app)
audit_cmds.register(app)
app.add_typer(volunteer.app, name="volunteer")
app.add_typer(lookup.app, name="lookup")


def main() -> None:
    app()
