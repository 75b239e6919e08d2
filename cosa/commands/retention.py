"""`cosa retention …`: the retention schedule, what is due, erasure, holds and exceptions."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from cosa import secrets_input
from cosa.commands.common import CsvOpt, JsonOpt, YesOpt, open_store
from cosa.domain import retention
from cosa.errors import UserError
from cosa.grammar import LimitOpt, limited
from cosa.output import message, model_json, safe, table
from cosa.store import Store

KINDS = ", ".join(retention.KINDS)

app = typer.Typer(
    help="Retention: what is due for review, anonymisation or deletion; rules, legal holds "
    "and exceptions.",
    no_args_is_help=False,
)
rule_app = typer.Typer(help="Change the retention rules.", no_args_is_help=True)
app.add_typer(rule_app, name="rule")

TypeArg = Annotated[str, typer.Argument(help=f"Record type: {KINDS}.")]
RecordArg = Annotated[
    str,
    typer.Argument(
        help="The record: a core member's code, a volunteer's or professional's number or "
        "name prefix, a referral's or vetting record's number."
    ),
]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (recorded with it).")]

DUE_COLUMNS = [
    ("record_type", "Type"),
    ("id", "#"),
    ("label", "Record"),
    ("rule", "Rule"),
    ("trigger_date", "Since"),
    ("due_on", "Due"),
    ("action", "Action"),
    ("state", "Status"),
]
DONE_COLUMNS = [
    ("record_type", "Type"),
    ("id", "#"),
    ("label", "Record"),
    ("action", "Done"),
    ("rows_text", "Rows"),
    ("note", "Note"),
]


def _state(row: dict[str, Any]) -> str:
    if row["status"] == "held":
        return f"held since {row['held_on']}: {row['hold_reason']}"
    if row["status"] == "kept":
        return f"kept until {row['kept_until']}: {row['keep_reason']}"
    return "due"


def _summary(rows: list[dict[str, Any]]) -> str:
    due = [r for r in rows if r["status"] == "due"]
    parts = []
    for action, verb in (("review", "to review"), ("anonymise", "to anonymise")):
        n = sum(1 for r in due if r["action"] == action)
        if n:
            parts.append(f"{n} {verb}")
    n = sum(1 for r in due if r["action"] == "delete")
    if n:
        parts.append(f"{n} to delete")
    for status in ("held", "kept"):
        n = sum(1 for r in rows if r["status"] == status)
        if n:
            parts.append(f"{n} {status}")
    return ", ".join(parts)


def _confirm(question: str, yes: bool) -> None:
    """Ask on a terminal; refuse (exit 1) when nobody can answer and --yes was not given."""
    if yes:
        return
    if not secrets_input.interactive():
        raise UserError(
            "this erases records and needs a confirmation, but nobody can answer here",
            hint="run it in a terminal, or add --yes",
        )
    if not typer.confirm(safe(question), default=False, err=True):
        message("Nothing was changed.")
        raise typer.Exit(1)


@contextmanager
def _progress() -> Iterator[retention.Progress | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("Erasing"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _show_done(done: list[retention.Erasure], json_: bool) -> None:
    rows = [d.as_row() for d in done]
    if json_:
        from cosa.models import RetentionErasure

        model_json(RetentionErasure, rows)
        return
    for row in rows:
        row["rows_text"] = ", ".join(f"{t} {n}" for t, n in sorted(row["rows"].items()))
    table(rows, DONE_COLUMNS, empty="nothing was erased")


@app.callback(invoke_without_command=True)
def due_cmd(
    ctx: typer.Context,
    apply: Annotated[
        bool,
        typer.Option(
            "--apply",
            help="Anonymise or delete what is due now (not held, not kept, not for review), "
            "in one transaction, after a confirmation.",
        ),
    ] = False,
    yes: YesOpt = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="List what will be due by this date (planning; not with --apply)."
        ),
    ] = None,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List the records due under the retention rules; `--apply` erases them."""
    if ctx.invoked_subcommand is not None:
        return
    if apply and as_of is not None:
        raise UserError("--as-of is for planning; --apply always works on today's date")
    when = retention.parse_when("--as-of", as_of) if as_of is not None else None
    store = open_store(ctx)
    if apply:
        _apply(store, yes=yes, json_=json_)
        return
    every = retention.due(store, as_of=when)
    rows = limited(every, limit, quiet=json_ or csv_)
    if json_:
        from cosa.models import RetentionDue

        model_json(RetentionDue, rows)
        return
    for row in rows:
        row["state"] = _state(row)
    table(
        rows,
        DUE_COLUMNS,
        csv_out=csv_,
        empty="nothing is due under the retention rules (`cosa retention rules`)",
    )
    if rows and not csv_:
        message(f"{_summary(every)}.")
        if any(r["status"] == "due" and r["action"] in retention.ERASING for r in every):
            message("`cosa retention --apply` anonymises and deletes what is due.")


def _apply(store: Store, *, yes: bool, json_: bool) -> None:
    items = retention.pending(store)
    if not items:
        if json_:
            _show_done([], json_)
        message("Nothing to anonymise or delete today.")
        return
    message(f"Due now ({_summary(items)}):")
    for item in items:
        message(
            f"  {item['action']:<9}  {item['record_type']} {item['id']} {item['label']}"
            f"  ({item['rule']}, due {item['due_on']})"
        )
    _confirm(f"Erase these {len(items)} records? This cannot be undone.", yes)
    with _progress() as progress:
        done = retention.apply(store, only={i["record_uuid"] for i in items}, progress=progress)
    _show_done(done, json_)
    message(
        f"Erased {len(done)} record{'s' if len(done) != 1 else ''}"
        f" ({sum(sum(d.rows.values()) for d in done)} rows); each erasure is in the audit"
        " trail, without its content."
    )
    if done:
        _tell_about_backups(store)


def _tell_about_backups(store: Store) -> None:
    """Erasure cannot reach into backups made before it: say so, and name the ones we know."""
    from cosa import backup

    known = backup.recorded(store)
    message(
        "Backups made before this erasure still hold the erased records; a restore from one"
        " brings them back (apply retention again after any restore)."
    )
    if not known:
        message("  No backups of this workspace are recorded in its audit trail.")
        return
    message("  Backups recorded in the audit trail (destroy them, or let them expire):")
    for b in known:
        message(f"    {b['at']}  {b['file']}" + ("" if b["present"] else "  (no longer there)"))


@app.command("rules")
def rules_cmd(
    ctx: typer.Context, limit: LimitOpt = 0, json_: JsonOpt = False, csv_: CsvOpt = False
) -> None:
    """List the retention rules: record type, trigger, period, action."""
    rows = limited(retention.rules(open_store(ctx)), limit, quiet=json_ or csv_)
    if json_:
        from cosa.models import RetentionRule

        model_json(RetentionRule, rows)
        return
    table(
        rows,
        [
            ("record_type", "Type"),
            ("trigger", "Trigger"),
            ("period_text", "Period"),
            ("action", "Action"),
            ("note", "Note"),
        ],
        csv_out=csv_,
    )


@rule_app.command("set")
def rule_set(
    ctx: typer.Context,
    record_type: TypeArg,
    period: Annotated[
        str | None,
        typer.Option("--period", help="How long after the trigger: 6y, 18m, 2w or 30d."),
    ] = None,
    action: Annotated[
        str | None,
        typer.Option("--action", help="review, anonymise or delete (professional: no delete)."),
    ] = None,
    trigger: Annotated[
        str | None,
        typer.Option(
            "--trigger",
            help="The event the period runs from (member: circle end; volunteer, vetting: "
            "volunteer leaving; referral: referral decision; professional: professional "
            "inactive).",
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Why this rule (e.g. the policy it follows).")
    ] = None,
) -> None:
    """Change the retention rule of a record type."""
    rule, changed = retention.set_rule(
        open_store(ctx), record_type, period=period, action=action, trigger=trigger, note=note
    )
    what = f"{rule['record_type']}: {retention.rule_text(rule)}, {rule['action']}"
    message(f"Rule {what}" + (f" (changed {', '.join(changed)})" if changed else " (unchanged)"))


@app.command("hold")
def hold_cmd(
    ctx: typer.Context, record_type: TypeArg, record: RecordArg, reason: ReasonOpt
) -> None:
    """Place a legal hold: the record and its bundle are not erased until released."""
    row = retention.hold(open_store(ctx), record_type, record, reason=reason)
    message(f"{row['label']} is on hold.")


@app.command("release")
def release_cmd(ctx: typer.Context, record_type: TypeArg, record: RecordArg) -> None:
    """Lift a legal hold (the hold stays on record with its release date)."""
    row = retention.release(open_store(ctx), record_type, record)
    message(f"Hold on {row['label']} released.")


@app.command("keep")
def keep_cmd(
    ctx: typer.Context,
    record_type: TypeArg,
    record: RecordArg,
    until: Annotated[
        str, typer.Option("--until", help="Keep it until this date (then it is due again).")
    ],
    reason: ReasonOpt,
) -> None:
    """Record an exception: keep a record past its due date, with a reason."""
    row = retention.keep(open_store(ctx), record_type, record, until=until, reason=reason)
    message(f"{row['label']} is kept until {row['until']}.")


@app.command("holds")
def holds_cmd(
    ctx: typer.Context, limit: LimitOpt = 50, json_: JsonOpt = False, csv_: CsvOpt = False
) -> None:
    """List legal holds in force and exceptions not yet lapsed."""
    rows = limited(retention.holds(open_store(ctx)), limit, quiet=json_ or csv_)
    if json_:
        from cosa.models import RetentionHold

        model_json(RetentionHold, rows)
        return
    table(
        rows,
        [
            ("kind", "Kind"),
            ("record_type", "Type"),
            ("record_id", "#"),
            ("label", "Record"),
            ("since", "Since"),
            ("until", "Until"),
            ("reason", "Reason"),
        ],
        csv_out=csv_,
        empty="no holds or exceptions",
    )


@app.command("erase")
def erase_cmd(
    ctx: typer.Context,
    record_type: TypeArg,
    record: RecordArg,
    action: Annotated[
        str, typer.Option("--action", help="anonymise or delete (professional: anonymise).")
    ],
    yes: YesOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Anonymise or delete one record and its bundle now (after a review, or on request)."""
    store = open_store(ctx)
    kind, row, chosen = retention.check_erase(store, record_type, record, action)
    _confirm(f"{chosen.capitalize()} {kind.name} {row['id']}? This cannot be undone.", yes)
    ref = record if kind.name == "member" else str(row["id"])
    done = retention.erase(store, kind.name, ref, action=chosen)
    _show_done([done], json_)
    _tell_about_backups(store)
