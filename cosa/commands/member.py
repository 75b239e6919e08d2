"""`cosa member …`: core members by pseudonymous code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from cosa import audit
from cosa.commands.common import CsvOpt, JsonOpt, LimitOpt, limited, open_store
from cosa.domain import members
from cosa.grammar import DATE_HELP_SHORT
from cosa.output import Column, echo, message, model_json, record, table

app = typer.Typer(
    help="Core members: pseudonymous codes, legal status, MAPPA, risk assessments, consent.",
    no_args_is_help=True,
)
condition_app = typer.Typer(
    help="Licence conditions with start and end dates.", no_args_is_help=True
)
risk_app = typer.Typer(
    help="External risk assessments, stored as given (cosa never scores one).",
    no_args_is_help=True,
)
app.add_typer(condition_app, name="condition")
app.add_typer(risk_app, name="risk")

DATE_FORMS = DATE_HELP_SHORT
CodeArg = Annotated[str, typer.Argument(help="Core member code, e.g. CM-0003.")]
OnOpt = Annotated[str | None, typer.Option("--on", help=f"Date (default today; {DATE_FORMS}).")]

# Legal status and identity options, shared by `add` and `edit` (in `edit` "" clears a field).
MappaVerifiedOpt = Annotated[
    str | None,
    typer.Option("--mappa-verified", help="Date the MAPPA category and level were verified."),
]
SentenceOpt = Annotated[
    str | None, typer.Option("--sentenced", "--sentence-date", help="Date of sentence.")
]
ReleaseOpt = Annotated[
    str | None, typer.Option("--released", "--release-date", help="Date of release.")
]
LicenceStartOpt = Annotated[str | None, typer.Option("--licence-start", help="Licence start date.")]
LicenceEndOpt = Annotated[str | None, typer.Option("--licence-end", help="Licence end date.")]
NotificationsOpt = Annotated[
    str | None,
    typer.Option("--notifications", help="Notification requirements (e.g. register, period)."),
]
OtherOrdersOpt = Annotated[
    str | None, typer.Option("--other-orders", help="Other orders (e.g. SHPO and its terms).")
]
NameOpt = Annotated[
    str | None, typer.Option("--name", help="Legal name (identity: shown only by show --identity).")
]
AliasesOpt = Annotated[str | None, typer.Option("--aliases", help="Other names used (identity).")]
DobOpt = Annotated[str | None, typer.Option("--dob", help="Date of birth (identity).")]
AddressOpt = Annotated[
    str | None, typer.Option("--address", help="Address or Approved Premises (identity).")
]
ContactOpt = Annotated[
    str | None, typer.Option("--contact", help="Phone or other contact (identity).")
]

COLUMNS: list[Column] = [
    ("code", "Code"),
    ("mappa_category", "MAPPA cat."),
    ("mappa_level", "Level"),
    ("mappa_verified", "Verified"),
    ("release_date", "Released"),
    ("licence_end", "Licence ends"),
]
CONDITION_COLUMNS: list[Column] = [
    ("id", "#"),
    ("text", "Condition"),
    ("start_date", "From"),
    ("end_date", "To"),
]
RISK_COLUMNS: list[Column] = [
    ("id", "#"),
    ("assessed_on", "Date"),
    ("instrument", "Instrument"),
    ("version", "Version"),
    ("scale", "Scale"),
    ("value", "Value"),
    ("source", "Source"),
]
CONSENT_COLUMNS: list[Column] = [
    ("id", "#"),
    ("to", "To"),
    ("given_on", "Given"),
    ("withdrawn_on", "Withdrawn"),
    ("agreement_version", "Agreement"),
]
HISTORY_COLUMNS: list[Column] = [
    ("on_date", "From"),
    ("field", "Field"),
    ("value", "Value"),
    ("note", "Note"),
]


def _section(title: str, rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> None:
    echo(f"\n{title}")
    if rows:
        table(rows, columns)
    else:
        echo("  none")


@app.command("add")
def add(
    ctx: typer.Context,
    mappa_category: Annotated[int, typer.Option("--mappa-category", help="MAPPA category: 1-4.")],
    mappa_level: Annotated[int, typer.Option("--mappa-level", help="MAPPA level: 1-3.")],
    code: Annotated[
        str | None,
        typer.Argument(help="Code to give, e.g. CM-0042 (default: the next free number)."),
    ] = None,
    mappa_verified: MappaVerifiedOpt = None,
    name: NameOpt = None,
    aliases: AliasesOpt = None,
    dob: DobOpt = None,
    address: AddressOpt = None,
    contact: ContactOpt = None,
    sentence_date: SentenceOpt = None,
    release_date: ReleaseOpt = None,
    licence_start: LicenceStartOpt = None,
    licence_end: LicenceEndOpt = None,
    notifications: NotificationsOpt = None,
    other_orders: OtherOrdersOpt = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help=f"Day these details held from, starting the history (default today; {DATE_FORMS}).",
        ),
    ] = None,
) -> None:
    """Add a core member; the identity fields are kept apart from the pseudonymous record."""
    store = open_store(ctx)
    mid, assigned = members.add(
        store,
        code,
        on=on,
        mappa_category=mappa_category,
        mappa_level=mappa_level,
        mappa_verified=mappa_verified,
        legal_name=name,
        aliases=aliases,
        date_of_birth=dob,
        address=address,
        contact=contact,
        sentence_date=sentence_date,
        release_date=release_date,
        licence_start=licence_start,
        licence_end=licence_end,
        notification_requirements=notifications,
        other_orders=other_orders,
    )
    message(f"Added core member {assigned} (id {mid})")


@app.command("edit")
def edit(
    ctx: typer.Context,
    code: CodeArg,
    mappa_category: Annotated[
        int | None, typer.Option("--mappa-category", help="MAPPA category: 1-4.")
    ] = None,
    mappa_level: Annotated[
        int | None, typer.Option("--mappa-level", help="MAPPA level: 1-3.")
    ] = None,
    mappa_verified: MappaVerifiedOpt = None,
    name: NameOpt = None,
    aliases: AliasesOpt = None,
    dob: DobOpt = None,
    address: AddressOpt = None,
    contact: ContactOpt = None,
    sentence_date: SentenceOpt = None,
    release_date: ReleaseOpt = None,
    licence_start: LicenceStartOpt = None,
    licence_end: LicenceEndOpt = None,
    notifications: NotificationsOpt = None,
    other_orders: OtherOrdersOpt = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help=f"Day the change took effect (default today; {DATE_FORMS})."),
    ] = None,
) -> None:
    """Change a core member's legal status, MAPPA or identity fields ("" clears a field).
    MAPPA, legal status and address changes are kept as dated history (`--on`)."""
    store = open_store(ctx)
    changed = members.edit(
        store,
        code,
        on=on,
        mappa_category=mappa_category,
        mappa_level=mappa_level,
        mappa_verified=mappa_verified,
        legal_name=name,
        aliases=aliases,
        date_of_birth=dob,
        address=address,
        contact=contact,
        sentence_date=sentence_date,
        release_date=release_date,
        licence_start=licence_start,
        licence_end=licence_end,
        notification_requirements=notifications,
        other_orders=other_orders,
    )
    if changed:
        message(f"Updated {members.get(store, code)['code']}: {', '.join(changed)}")
    else:
        message("Nothing changed.")


@app.command("move")
def move(
    ctx: typer.Context,
    code: CodeArg,
    on: Annotated[str, typer.Option("--on", help=f"Day of the move ({DATE_FORMS}).")],
    address: Annotated[
        str | None,
        typer.Option("--address", help="New address or Approved Premises (identity)."),
    ] = None,
    area: Annotated[
        str | None, typer.Option("--area", help="New area (e.g. the town or district).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note on the move.")] = None,
) -> None:
    """Record a move on a date: the new address and/or area become a dated entry (the old
    ones stay in the history)."""
    row = members.move(open_store(ctx), code, on=on, address=address, area=area, note=note)
    message(f"Recorded {row['code']}'s move on {members.date_field('--on', on)}")


@app.command("list")
def list_cmd(
    ctx: typer.Context, limit: LimitOpt = 0, json_: JsonOpt = False, csv_: CsvOpt = False
) -> None:
    """List core members by code, with MAPPA and licence dates (never identity)."""
    rows = limited(members.list_(open_store(ctx)), limit)
    if json_:
        from cosa.models import CoreMember

        model_json(CoreMember, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no core members (`cosa member add`)")


def _consent_rows(consents: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **c,
            "to": c["professional_name"] if c["professional_id"] else f"agency: {c['agency']}",
        }
        for c in consents
    ]


@app.command("show")
def show(
    ctx: typer.Context,
    code: CodeArg,
    identity: Annotated[
        bool,
        typer.Option(
            "--identity", help="Also show the identity fields (recorded in the audit trail)."
        ),
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Show a core member: legal status, MAPPA, conditions, risk assessments, consents and
    the dated history (addresses only with --identity)."""
    store = open_store(ctx)
    who = members.identity(store, code) if identity else None
    row = members.detail(store, code, identity=identity)
    audit.record_view(store, "member show", "member", row["id"])
    if json_:
        if identity:
            from cosa.models import MemberDetailWithIdentity

            model_json(MemberDetailWithIdentity, {**row, "identity": who})
        else:
            from cosa.models import MemberDetail

            model_json(MemberDetail, row)
        return
    verified = f" (verified {row['mappa_verified']})" if row["mappa_verified"] else ""
    licence = " to ".join(d for d in (row["licence_start"], row["licence_end"]) if d)
    record(
        [
            ("Code", row["code"]),
            ("MAPPA", f"category {row['mappa_category']}, level {row['mappa_level']}{verified}"),
            ("Sentenced", row["sentence_date"]),
            ("Released", row["release_date"]),
            ("Licence", licence),
            ("Notification", row["notification_requirements"]),
            ("Other orders", row["other_orders"]),
            ("Area", row["area"]),
            ("Added", row["created_at"]),
            ("Updated", f"{row['updated_at']} by {row['updated_by']}"),
        ]
    )
    if identity:
        echo("\nIdentity (this view is recorded in the audit trail)")
        who = who or {}
        record(
            [
                ("  Legal name", who.get("legal_name")),
                ("  Aliases", who.get("aliases")),
                ("  Date of birth", who.get("date_of_birth")),
                ("  Address", who.get("address")),
                ("  Contact", who.get("contact")),
            ]
        )
    _section("Licence conditions", row["conditions"], CONDITION_COLUMNS)
    _section("Risk assessments", row["risks"], RISK_COLUMNS)
    _section("Consent to share", _consent_rows(row["consents"]), CONSENT_COLUMNS)
    _section("History", row["history"], HISTORY_COLUMNS)


@app.command("consent")
def consent(
    ctx: typer.Context,
    code: CodeArg,
    to: Annotated[
        str,
        typer.Option(
            "--recipient",
            "--to",
            help="A professional (number or unique name prefix) or an agency's name.",
        ),
    ],
    on: OnOpt = None,
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="Withdraw the consent from that date instead.")
    ] = False,
) -> None:
    """Record the core member's consent to share with a professional or agency (or withdraw it)."""
    store = open_store(ctx)
    row = members.consent(store, code, to, on=on, withdraw=withdraw)
    who = members.get(store, code)["code"]
    if withdraw:
        message(f"{who} withdrew consent to sharing with {row['label']} on {row['withdrawn_on']}")
    else:
        message(f"{who} consents to sharing with {row['label']} from {row['given_on']}")
    if not withdraw and not row["known_agency"]:
        message("Note: no professional on record works for that agency; check the spelling.")


# -- licence conditions ----------------------------------------------------------------------


@condition_app.command("add")
def condition_add(
    ctx: typer.Context,
    code: CodeArg,
    text: Annotated[str, typer.Argument(help="The condition, as worded on the licence.")],
    start: Annotated[str | None, typer.Option("--from", help=f"Start date ({DATE_FORMS}).")] = None,
    end: Annotated[str | None, typer.Option("--to", help=f"End date ({DATE_FORMS}).")] = None,
) -> None:
    """Add a licence condition."""
    store = open_store(ctx)
    cid = members.add_condition(store, code, text, start=start, end=end)
    message(f"Added licence condition {cid} to {members.get(store, code)['code']}")


@condition_app.command("end")
def condition_end(
    ctx: typer.Context,
    code: CodeArg,
    condition: Annotated[str, typer.Argument(help="Condition number (see `condition list`).")],
    on: OnOpt = None,
) -> None:
    """Record the end date of a licence condition."""
    day = members.end_condition(open_store(ctx), code, condition, on=on)
    message(f"Licence condition {condition.strip()} ends {day}")


@condition_app.command("list")
def condition_list(
    ctx: typer.Context,
    code: CodeArg,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List a core member's licence conditions."""
    store = open_store(ctx)
    rows = limited(members.conditions(store, members.get(store, code)["id"]), limit)
    if json_:
        from cosa.models import LicenceCondition

        model_json(LicenceCondition, rows)
        return
    table(rows, CONDITION_COLUMNS, csv_out=csv_, empty="no licence conditions")


# -- risk assessments ------------------------------------------------------------------------


@risk_app.command("add")
def risk_add(
    ctx: typer.Context,
    code: CodeArg,
    instrument: Annotated[
        str,
        typer.Option("--instrument", help="Instrument (lookup risk-instrument, e.g. OASys RoSH)."),
    ],
    scale: Annotated[
        str, typer.Option("--scale", help="What the value measures (e.g. RoSH level).")
    ],
    value: Annotated[str, typer.Option("--value", help="The value as given (e.g. high).")],
    on: Annotated[str, typer.Option("--on", help=f"Date of the assessment ({DATE_FORMS}).")],
    source: Annotated[str, typer.Option("--source", help="The agency that assessed.")],
    version: Annotated[str | None, typer.Option("--version", help="Instrument version.")] = None,
) -> None:
    """Record an external risk assessment (instrument, scale, value, date, source)."""
    store = open_store(ctx)
    rid = members.add_risk(
        store,
        code,
        instrument=instrument,
        scale=scale,
        value=value,
        on=on,
        source=source,
        version=version,
    )
    message(f"Added risk assessment {rid} to {members.get(store, code)['code']}")


@risk_app.command("list")
def risk_list(
    ctx: typer.Context,
    code: CodeArg,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List a core member's external risk assessments, oldest first."""
    rows = limited(members.risks_of(open_store(ctx), code), limit)
    if json_:
        from cosa.models import RiskAssessment

        model_json(RiskAssessment, rows)
        return
    table(rows, RISK_COLUMNS, csv_out=csv_, empty="no risk assessments")
