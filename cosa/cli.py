"""The `cosa` command line: root options, the command groups, and the single exit point.

Commands live in `cosa.commands.*`, one group per module; this file assembles them. Every
error a user can act on is a `cosa.errors.CosaError`; `CosaGroup.invoke` is the one place
that turns it (or Ctrl-C, or a full disk) into one line on stderr and an exit code. Tracebacks
only with COSA_DEBUG=1, and never Typer's "pretty" tracebacks with locals (they could show a
passphrase).
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click as click  # Typer vendors Click (pinned <0.29 in pyproject)
from typer.core import TyperGroup

from cosa import __version__
from cosa.errors import CosaError, ExitCode
from cosa.workspace import Options

#: Every top-level command: name -> (module, one-line help), in the order `cosa --help`
#: lists them, by section. A module with `app` is a command group; any other module adds its
#: commands with `register(typer_app)`. Modules are imported and turned into Click commands
#: only when their command runs, so `cosa --help` and everyday commands do not pay for the
#: whole tree (Typer builds ~0.3 s of Click objects for all of them).
SECTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "Every day": {
        "status": ("status", "The Monday-morning dashboard: what needs doing now."),
        "meeting": ("meeting", "Circle meetings and their minutes (add, approve, amend)."),
        "contact": ("contact", "Individual contacts between a volunteer and the core member."),
        "concern": ("concern", "Concerns and escalations (append-only)."),
        "action": ("action", "Actions: who does what by when."),
        "calendar": ("calendar", "Write meetings and due dates to an iCalendar file."),
        "search": ("search", "Search minutes, amendments, concerns, notes and contacts."),
        "unlock": (
            "vault_cmds",
            "Keep the workspace unlocked for a while (kernel keyring, Keychain, Credential Manager).",
        ),
        "lock": ("vault_cmds", "End the unlock session now."),
    },
    "People and circles": {
        "volunteer": ("volunteer", "Volunteers: vetting, training, supervision, hours."),
        "member": ("member", "Core members: codes, identity, legal status, MAPPA, risk, consent."),
        "pro": ("pro", "Outer-circle professionals."),
        "referral": ("referral", "Referrals: received, source, documents, decision."),
        "circle": ("circle", "Circles: members, outer circle, phases, goals, ending."),
        "agreement": ("agreement", "Circle agreements: versions, scans and signatures."),
        "followup": ("followup", "Follow-up contacts after a circle ended."),
        "outcome": ("outcome", "Outcomes: recall, breach, reconviction, charge or none."),
        "document": ("document", "Documents kept encrypted in the workspace."),
        "review": ("review", "Circle reviews, dynamic risk reviews and goal progress."),
    },
    "Reports and sharing": {
        "report": (
            "report",
            "PDF reports: minutes, circle, quarter, volunteers, member, concerns.",
        ),
        "share": ("share", "Make a share pack of approved minutes and record the disclosure."),
        "disclosure": ("share", "Disclosures: who received what, when, on what basis."),
        "sar": ("sar", "Subject access requests: the register and its due dates."),
        "complaint": ("complaint", "Complaints: the register and its due dates."),
    },
    "Data safety": {
        "backup": ("data_cmds", "Write one encrypted, verified backup file."),
        "restore": ("data_cmds", "Rebuild a workspace from a backup."),
        "export": ("export", "Export the whole workspace as documented JSON."),
        "transfer": ("transfer_cmds", "Move a circle to another workspace (an age bundle)."),
        "receive": ("transfer_cmds", "Import a circle from a transfer bundle."),
        "workspace": ("transfer_cmds", "This workspace's age recipient (`workspace id`)."),
        "retention": ("retention", "Retention rules, what is due, and applying them."),
        "audit": ("audit_cmds", "The audit trail: who did what, when (and verify it)."),
        "doctor": ("audit_cmds", "Check the workspace's integrity; exit 4 on any failure."),
    },
    "Set-up and keys": {
        "init": ("vault_cmds", "Create an encrypted workspace and its recovery code."),
        "demo": ("demo", "Build a fictional workspace and sample reports to try cosa."),
        "passwd": ("vault_cmds", "Change your own passphrase."),
        "user": ("user", "People: each with their own passphrase; add, list, remove."),
        "recover": ("vault_cmds", "Unlock with the recovery code and set a new passphrase."),
        "rotate-key": ("vault_cmds", "New data key, database re-encrypted, new recovery code."),
        "config": ("config", "Workspace settings: operator, classification, thresholds."),
        "lookup": ("lookup", "Lists that vary by provider: circle types, categories and more."),
        "help": ("help_cmd", "Guides to dates, names, exit codes and the grammar of flags."),
    },
}
COMMANDS = {name: entry for section in SECTIONS.values() for name, entry in section.items()}


def _debug() -> bool:
    return os.environ.get("COSA_DEBUG", "") not in ("", "0")


def _fail(text: str, hint: str | None, code: int) -> None:
    from cosa.output import echo

    with contextlib.suppress(OSError, ValueError):  # stderr itself may be gone
        echo(f"Error: {text}", err=True)
        if hint:
            echo(f"Hint: {hint}", err=True)
        sys.stdout.flush()
    raise typer.Exit(code)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _note(text: str) -> None:
    """A last line on stderr, if stderr can still be written."""
    from cosa.output import echo

    with contextlib.suppress(OSError, ValueError):
        echo(text, err=True)


_loaded: dict[str, click.Command] = {}


def _load(name: str) -> click.Command:
    """Import the module behind `name` and build only its Click command."""
    module = importlib.import_module(f"cosa.commands.{COMMANDS[name][0]}")
    holder = typer.Typer(rich_markup_mode=None)
    if hasattr(module, "register"):
        module.register(holder)
    else:
        holder.add_typer(module.app, name=name)
    group = typer.main.get_group(holder)
    command = group.commands[name]
    from cosa.grammar import adopt

    adopt(command, (name,))
    return command


class CosaGroup(TyperGroup):
    """The root group: maps every failure to one line and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The root's own options are parsed before `invoke`: their usage errors quote what
        was typed too, so they are made terminal-safe here."""
        try:
            return super().parse_args(ctx, args)
        except click.ClickException as exc:
            from cosa.output import safe

            exc.message = safe(exc.message)
            raise

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in _loaded:
            _loaded[cmd_name] = _load(cmd_name)
        return _loaded[cmd_name]

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as exc:
            if args and "Did you mean" not in exc.message:
                from difflib import get_close_matches

                matches = get_close_matches(args[0], list(COMMANDS))
                if matches:  # worded as Typer words it for subcommands
                    names = ", ".join(f"'{m}'" for m in matches)
                    exc.message = f"{exc.message.rstrip('.')}. Did you mean {names}?"
            raise

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands by section from the registry, without importing any of them."""
        for section, entries in SECTIONS.items():
            with formatter.section(section):
                formatter.write_dl([(name, text) for name, (_, text) in entries.items()])

    def invoke(self, ctx: click.Context) -> Any:
        from cosa import output, screen
        from cosa.store import committed_writes

        committed_before = committed_writes()
        tokens = [*ctx._protected_args, *ctx.args]
        path = " ".join(tokens[:1] + [t for t in tokens[1:2] if not t.startswith("-")])
        show = screen.start(path, no_pager=bool(ctx.params.get("no_pager")))
        try:
            try:
                result = super().invoke(ctx)
            finally:
                if show is not None:
                    show()
            output.flush()  # a failing stdout surfaces here, not at interpreter exit
            return result
        except click.exceptions.NoSuchOption as exc:
            from cosa.grammar import hide_old_spellings

            hide_old_spellings(exc)
            exc.message = output.safe(exc.message)
            raise
        except click.ClickException as exc:
            exc.message = output.safe(exc.message)  # usage errors quote what was typed
            raise
        except (typer.Exit, typer.TyperException):
            raise
        except CosaError as exc:
            if _debug():
                raise
            from cosa.grammar import suggest_choice

            _fail(exc.message, suggest_choice(exc.message, exc.hint), int(exc.exit_code))
        except output.OutputFailed as exc:
            _silence_stdout()
            if exc.errno == errno.EPIPE:
                raise typer.Exit(0) from None  # `cosa … | head`: the reader had enough
            if committed_writes() > committed_before:
                # The change is committed; only printing about it failed. Failing now would
                # make a retry repeat the change, so this is a success.
                _note("note: the change was saved, but its confirmation could not be printed")
                raise typer.Exit(0) from None
            if _debug():
                raise
            _note(f"Error: the output could not be written ({exc.strerror}); nothing was changed")
            raise typer.Exit(1) from None
        except BrokenPipeError:
            # The reader went away (`cosa … | head`): stop quietly, as other tools do.
            _silence_stdout()
            raise typer.Exit(0) from None
        except (typer.Abort, EOFError):
            # Ctrl-D at a prompt (or Ctrl-C inside a Click prompt): nothing was answered.
            if _debug():
                raise
            _note("cancelled")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except KeyboardInterrupt:
            if _debug():
                raise
            _note("\nInterrupted; nothing was changed by the unfinished step.")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as exc:
            if _debug():
                raise
            from cosa.store import (
                is_damaged,
                is_disk_full,
                is_io_error,
                is_read_only,
                read_only_error,
            )

            if is_disk_full(exc):
                _fail("the disk is full; nothing was written", "free some space and try again", 1)
            if is_io_error(exc):
                _fail(
                    "the disk reported an I/O error, so the command stopped",
                    "the workspace is as it was before the command or after it, never half-way;"
                    " run `cosa doctor`, and check the disk",
                    1,
                )
            if is_read_only(exc):
                ro = read_only_error()
                _fail(ro.message, ro.hint, 1)
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
            help="A label shown beside your name in the audit trail, e.g. 'duty coordinator'"
            " (default: COSA_OPERATOR, then the operator setting). Who you are comes from"
            " your passphrase.",
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
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Never page long output (see `cosa help screen`).")
    ] = False,
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


def main() -> None:
    app()
