"""`cosa referral …`: referrals and the decisions on them."""

from __future__ import annotations

from typing import Annotated

import typer

from cosa.commands.common import CsvOpt, JsonOpt, LimitOpt, limited, open_store
from cosa.domain import referrals
from cosa.grammar import DATE_HELP_SHORT
from cosa.output import Column, echo, message, model_json, record, table

app = typer.Typer(help="Referrals: received, source, documents, decision.", no_args_is_help=True)

DATE_FORMS = DATE_HELP_SHORT
ReferralArg = Annotated[str, typer.Argument(help="Referral number.")]
MemberOpt = Annotated[
    str | None, typer.Option("--member", help="The core member's code, e.g. CM-0003.")
]
COLUMNS: list[Column] = [
    ("id", "#"),
    ("received_on", "Received"),
    ("source", "Source"),
    ("referrer", "Referrer"),
    ("member_code", "Member"),
    ("decision_shown", "Decision"),
    ("decided_on", "Decided"),
    ("days_waiting", "Days waiting"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    received: Annotated[str, typer.Option("--received", help=f"Date received ({DATE_FORMS}).")],
    source: Annotated[
        str, typer.Option("--source", help="Route (lookup referral-source, e.g. probation).")
    ],
    member: MemberOpt = None,
    referrer: Annotated[
        str | None, typer.Option("--referrer", help="Who referred (name, role, agency).")
    ] = None,
    documents: Annotated[
        str | None, typer.Option("--documents", help="Documents received (e.g. OASys, ARMS).")
    ] = None,
) -> None:
    """Record a referral."""
    rid = referrals.add(
        open_store(ctx),
        received=received,
        source=source,
        member=member,
        referrer=referrer,
        documents=documents,
    )
    message(f"Added referral {rid}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    decision: Annotated[
        str | None,
        typer.Option(
            "--decision",
            help=f"Only this decision: {', '.join(referrals.DECISIONS)} or undecided.",
        ),
    ] = None,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List referrals, oldest first, with the days each waited (or waits) for a decision."""
    rows = limited(referrals.list_(open_store(ctx), decision=decision), limit)
    if json_:
        from cosa.models import Referral

        model_json(Referral, rows)
        return
    shown = [{**r, "decision_shown": r["decision"] or referrals.UNDECIDED} for r in rows]
    table(shown, COLUMNS, csv_out=csv_, empty="no referrals (`cosa referral add`)")


@app.command("show")
def show(ctx: typer.Context, referral: ReferralArg, json_: JsonOpt = False) -> None:
    """Show one referral, its decision and the history of its events."""
    row = referrals.detail(open_store(ctx), referral)
    if json_:
        from cosa.models import ReferralDetail

        model_json(ReferralDetail, row)
        return
    reason = " / ".join(r for r in (row["reason_group"], row["reason"]) if r)
    decided = f"{row['decided_on']} by {row['decided_by']}" if row["decided_on"] else None
    record(
        [
            ("Number", row["id"]),
            ("Received", row["received_on"]),
            ("Source", row["source"]),
            ("Referrer", row["referrer"]),
            ("Documents", row["documents"]),
            ("Member", row["member_code"]),
            ("Decision", row["decision"] or referrals.UNDECIDED),
            ("Reason", reason),
            ("Decided", decided),
            ("Days waiting", row["days_waiting"]),
            ("Added", row["created_at"]),
            ("Updated", f"{row['updated_at']} by {row['updated_by']}"),
        ]
    )
    events = [
        {
            **e,
            "reason_shown": " / ".join(x for x in (e["reason_group"], e["note"]) if x),
        }
        for e in row["events"]
    ]
    echo("\nHistory")
    table(
        events,
        [
            ("on_date", "Date"),
            ("value", "Event"),
            ("reason_shown", "Reason"),
            ("decided_by", "By"),
        ],
    )


@app.command("decide")
def decide(
    ctx: typer.Context,
    referral: ReferralArg,
    decision: Annotated[str, typer.Argument(help=f"One of: {', '.join(referrals.DECISIONS)}.")],
    reason_group: Annotated[
        str | None,
        typer.Option(
            "--reason-group",
            help="Grouped reason (lookup referral-reason: problem, person, sentence, other).",
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="The reason in words.")] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help=f"Date of the decision (default today; {DATE_FORMS})."),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Who decided (default: the operator).")
    ] = None,
    member: MemberOpt = None,
) -> None:
    """Record a decision on a referral (assessed, waiting, accepted, declined, withdrawn);
    earlier decisions stay in its history."""
    store = open_store(ctx)
    changed = referrals.decide(
        store,
        referral,
        decision,
        reason_group=reason_group,
        reason=reason,
        on=on,
        by=by,
        member=member,
    )
    row = referrals.get(store, referral)
    if changed:
        message(f"Referral {row['id']}: {row['decision']} on {row['decided_on']}")
