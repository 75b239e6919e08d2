"""The one grammar of cosa's flags (docs/grammar.md), and what the root group applies to every
command after Typer builds it.

`OPTIONS` is the table of option names a command may use, with what each means; the grammar
walk in tests/test_grammar.py fails when a command uses a name that is not in it. When a new
name is genuinely needed (a record's own date, say), add a row here and to docs/grammar.md.

`adopt(command)` runs once per lazily built top-level command (see `cosa.cli._load`):

* an option declared with more than one long name keeps the first as its name; every later
  long name is a **deprecated alias**: hidden from `--help` and docs/cli.md, still parsed,
  and using it prints one line on stderr ("Note: --date is now --on …");
* a command without an explicit short help gets its first sentence as the short help, so
  command lists show whole sentences rather than text cut mid-word.

Stdlib and Click only: this runs on every command, so it must stay cheap.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

import typer
from typer import _click as click
from typer._click import parser as click_parser
from typer.core import TyperGroup, TyperOption
from typer.models import TyperPath

#: Every option name a command may use, and what it means. One place, so that merging
#: another branch's command is one row here (and one in docs/grammar.md).
OPTIONS: dict[str, str] = {
    # when something happened
    "--on": "the day something happened (a date)",
    "--at": "the moment something happened (a date and time)",
    "--from": "start of a period (a date, included)",
    "--to": "end of a period (a date, included); never a person",
    "--due": "the day something is due (a date in the future)",
    "--for": "a length of time (`cosa unlock --for 15m`); never a person",
    # people and text
    "--recipient": "who receives something (a disclosure, an escalation, a report, a transfer)",
    "--by": "who did it (a volunteer's number or name)",
    "--owner": "who is responsible for an action",
    "--note": "a note: free text about the record",
    "--reason": "a justification (why), kept in the audit trail",
    # output
    "--output": "the file to write (-o); an existing file is refused unless --force",
    "--force": "replace what would otherwise be refused (an existing output file)",
    "--json": "output JSON (the documented, stable format)",
    "--csv": "output CSV",
    "--limit": "show at most N rows (0 = all)",
    "--yes": "do not ask for confirmation (-y)",
    # filters and common fields
    "--circle": "a circle's number or its core member's code",
    "--meeting": "a meeting's number",
    "--concern": "a concern's number (or, on add, a worry to record as a concern)",
    "--escalation": "an escalation's number",
    "--type": "a record type or a kind from a lookup",
    "--action": "an audit action, or what a retention rule does",
    "--all": "include what is hidden by default (closed, ended, left)",
    "--full": "do the whole, slower check instead of the quick one (doctor)",
    "--open": "only what is still open",
    "--overdue": "only what is past its due date",
    "--due-within": "only what is due within this many days",
    "--severity": "a concern's severity: green, amber, red",
    "--rag": "red, amber or green",
    "--category": "a concern category (from the lookup)",
    "--raised-by": "who raised a concern",
    "--mode": "how a contact happened (phone, visit, …)",
    "--duration": "a length of time in minutes (30, 1h, 1h30m)",
    "--best": "order search results by relevance",
    "--via": "how something was passed on (phone, email, …)",
    "--shared": "what was shared",
    "--basis": "the lawful basis for sharing",
    "--response": "the reply received",
    "--decision": "a decision from a fixed list",
    "--attendees": "who attended",
    "--progress": "how far a goal has come",
    "--score": "a dynamic risk review score",
    "--volunteer-names": "how volunteers are named in a report",
    "--encrypt": "encrypt the output PDF",
    "--password-file": "read a password from the first line of this file",
    "--classification": "the protective marking printed on a report",
    "--verify": "verify after writing",
    "--recovery-file": "read or write the recovery code in this file",
    "--recovery-sheet": "write the recovery sheet PDF to this file",
    "--new-passphrase-file": "read the new passphrase from this file",
    "--home": "the workspace directory",
    "--operator": "a label shown beside your name in the audit trail (not who you are)",
    "--user": "a person of the workspace (each has their own passphrase)",
    "--role": "a role: a person's (coordinator or manager), a professional's, a volunteer's in a circle",
    "--coordinator": "the coordinator responsible (a user's name, or me)",
    "--passphrase-file": "read the passphrase from the first line of this file",
    "--version": "show cosa's version; on a record, its version (an agreement's, an instrument's)",
    "--no-pager": "never page long output",
    "--plain": "write an unencrypted export",
    "--decrypt": "decrypt an encrypted export",
    "--keep": "transfer: keep the circle writable here (a copy, not a move)",
    "--reports": "also write sample reports (--no-reports: don't)",
    "--apply": "apply what is due (otherwise only show it)",
    "--as-of": "the day to compute what is due on",
    "--period": "how long a retention rule keeps records; the period a return covers (2026-Q3)",
    "--trigger": "what starts a retention period",
    # filters of lists
    "--member": "a core member's code (CM-0003)",
    "--volunteer": "a volunteer's number or name",
    "--status": "a record's status (circle, volunteer, meeting lists)",
    "--stage": "a volunteer's pipeline stage",
    "--upcoming": "the planned meetings rather than the recorded ones",
    "--unpaid": "only expense claims not yet paid",
    "--active": "only professionals whose active dates cover today",
    # people and organisations
    "--name": "a person's full name",
    "--email": "an email address",
    "--phone": "a phone number",
    "--agency": "the agency or team a professional works for",
    "--referrer": "who made a referral",
    "--referee": "who gives a volunteer's reference",
    "--complainant": "who makes a complaint",
    "--source": "where something came from (a referral route, an assessing agency, …)",
    "--provider": "who gave a training session",
    # a core member's details
    "--mappa-category": "MAPPA category (1-4)",
    "--mappa-level": "MAPPA level (1-3)",
    "--aliases": "other names a core member has used",
    "--address": "an address or Approved Premises (identity)",
    "--area": "the town or district a core member lives in",
    "--contact": "a core member's phone or other contact (identity)",
    "--notifications": "a core member's notification requirements",
    "--other-orders": "other orders a core member is under (SHPO and its terms)",
    "--identity": "also show (or, for `transfer`, also send) the identity fields (audited)",
    "--instrument": "a risk assessment instrument (lookup)",
    "--scale": "what a risk value measures; for `demo`, the size of the workspace",
    "--value": "a risk assessment's value, as given",
    # circles and meetings
    "--day": "a circle's meeting weekday",
    "--time": "a time of day (18:30)",
    "--venue": "a venue code (never an address)",
    "--cadence-days": "days between a circle's formal meetings",
    "--present": "volunteers present at a meeting",
    "--apologies": "volunteers who sent apologies",
    "--cm-attended": "whether the core member attended: yes, late, no",
    "--late-reason": "why the core member was late",
    "--no-meeting-reason": "why the core member did not attend",
    "--notify-pp": "the probation practitioner must be told",
    "--minutes": "a meeting's minutes, as text",
    "--minutes-file": "read a meeting's minutes from this file",
    "--concern-severity": "the severity of concerns raised with --concern",
    "--concern-category": "the category of concerns raised with --concern",
    "--no-prompt": "ask nothing and open no editor, even on a terminal",
    "--domain": "a Good Lives goal's domain (lookup)",
    "--unlink": "undo a link (take a professional out of the outer circle)",
    "--override": "do what a safeguard refuses, giving the reason (audited)",
    "--withdraw": "withdraw a consent instead of giving it",
    # volunteers
    "--level": "a DBS check's level",
    "--certificate": "a DBS certificate's number (never its content)",
    "--update-service": "whether a volunteer subscribes to the DBS Update Service",
    "--wellbeing": "how a volunteer is (supervision)",
    "--title": "what a training session or a document is",
    "--hours": "a number of hours given",
    "--travel-hours": "a number of hours spent travelling",
    "--activity": "what a volunteer's hours were spent on",
    "--amount": "an amount of money (12.40)",
    "--miles": "miles travelled",
    # other records
    "--outcome": "the result of a reference or of a complaint, from a fixed list",
    "--offence": "the type of offence of an outcome",
    "--reason-group": "a referral decision's grouped reason (lookup)",
    "--documents": "the documents received with a referral",
    "--about": "what a complaint is about",
    "--months": "a number of months (a subject access request's extension)",
    "--pack": "the disclosure that answered a subject access request",
    "--sar": "the subject access request a pack answers",
    "--file": "a file to keep, encrypted, with the record (a signed scan)",
    # returns and extracts
    "--json-output": "also write the report as JSON to this file",
    "--raw": "unsuppressed counts, for a national body under a sharing agreement",
    "--threshold": "counts below this are suppressed",
    "--k": "k-anonymity: every combination of quasi-identifiers is shared by k rows",
    "--help": "show help (-h)",
    "--install-completion": "install shell completion",
    "--show-completion": "show the shell completion script",
}

#: Records that carry several dates name each one (grammar: "a record carrying several dates
#: names them"); these names are allowed for those records only.
DATE_NAMES: dict[str, str] = {
    "--next": "review add: the next review's date",
    "--response-at": "concern escalate: when the response came",
    "--issued": "volunteer vet: the certificate's issue date",
    "--checked": "volunteer vet: when the Update Service was checked",
    "--received": "referral add: when the referral arrived; volunteer reference: when it came back",
    "--requested": "volunteer reference: when the reference was asked for",
    "--moved-to": "meeting cancel: the day the meeting moved to",
    # a core member's record carries its sentence's dates
    "--dob": "member add/edit: date of birth",
    "--sentenced": "member add/edit: the day of sentence",
    "--released": "member add/edit: the day of release",
    "--licence-start": "member add/edit: the licence's first day",
    "--licence-end": "member add/edit: the licence's last day",
    "--mappa-verified": "member add/edit: when the MAPPA category and level were verified",
    "--start": "circle add/edit: the circle's start date",
    "--until": "retention keep: keep the record until this day",
}

#: Commands of other branches whose flags are renamed there (issue 15's split): the walk
#: skips their names until those branches are merged. The lead empties this when merging.
PENDING: tuple[str, ...] = ()

#: The `--limit` every list has (0 = all; JSON and CSV obey it too).
LimitOpt = Annotated[
    int, typer.Option("--limit", help="Show at most N rows (0 = all).", show_default=True, min=0)
]

DATE_HELP_SHORT = "e.g. 2026-11-26, 26/11/2026, 1 dec, yesterday, last tue, -3d; `cosa help dates`"


T = TypeVar("T")


def limited(rows: Sequence[T], limit: int, *, quiet: bool = False, latest: bool = False) -> list[T]:
    """The first `limit` rows (the last, with `latest`; all when 0). Unless `quiet` (JSON,
    CSV), says on stderr what was left out."""
    if limit <= 0 or len(rows) <= limit:
        return list(rows)
    if not quiet:
        which = "most recent " if latest else ""
        from cosa.output import message

        message(f"(showing the {which}{limit} of {len(rows)}; --limit 0 shows all)")
    return list(rows[len(rows) - limit :] if latest else rows[:limit])


#: Metavars by option name (a date, a moment, a count…); other options show TEXT or N.
_METAVARS = {
    **dict.fromkeys(("--on", "--from", "--to", "--due", "--as-of", *DATE_NAMES), "DATE"),
    **dict.fromkeys(("--at", "--response-at"), "DATETIME"),
    **dict.fromkeys(("--limit", "--meeting", "--escalation"), "N"),
    **dict.fromkeys(("--for", "--duration", "--due-within", "--period"), "DURATION"),
}


def _metavar(param: click.Parameter) -> str | None:
    if param.param_type_name == "argument":
        return (param.name or "").upper()
    if getattr(param, "is_flag", False) or param.metavar:
        return param.metavar
    long = _long_names(param)
    if long and long[0] in _METAVARS:
        return _METAVARS[long[0]]
    if isinstance(param.type, click.types.IntParamType):
        return "N"
    if isinstance(param.type, TyperPath):
        return "DIR" if not param.type.file_okay else "FILE"
    return "TEXT"


def _long_names(option: click.Parameter) -> list[str]:
    return [o for o in option.opts if o.startswith("--")]


class _NotingParserOption(click_parser._Option):
    """A parser entry for a deprecated spelling: parses as the option, then says so once."""

    def __init__(self, original: click_parser._Option, alias: str, primary: str) -> None:
        super().__init__(
            original.obj,
            [alias],
            original.dest,
            action=original.action,
            nargs=original.nargs,
            const=original.const,
        )
        self.alias, self.primary = alias, primary

    def process(self, value: Any, state: click_parser._ParsingState) -> None:
        deprecated_spelling(self.alias, self.primary)
        super().process(value, state)


class AliasedOption(TyperOption):
    """An option whose second and later long names are hidden, deprecated spellings."""

    deprecated: list[str]

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        opts = self.opts
        self.opts = [o for o in opts if o not in self.deprecated]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = opts

    def add_to_parser(self, parser: click_parser._OptionParser, ctx: click.Context) -> None:
        super().add_to_parser(parser, ctx)
        primary = _long_names(self)[0]
        for alias in self.deprecated:
            key = click_parser._normalize_opt(alias, ctx)
            parser._long_opt[key] = _NotingParserOption(parser._long_opt[key], key, primary)


def _first_sentence(text: str) -> str:
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    match = re.match(r"(.+?[.!?])(\s|$)", paragraph)
    return match[1] if match else paragraph


def adopt(command: click.Command, path: tuple[str, ...] = ()) -> None:
    """Apply the grammar's build-time rules to `command` and everything under it."""
    from cosa.complete import attach
    from cosa.examples import epilog

    for param in command.params:
        param.metavar = _metavar(param)
        attach(" ".join(path), param)
        if isinstance(param, TyperOption) and len(_long_names(param)) > 1:
            param.__class__ = AliasedOption
            assert isinstance(param, AliasedOption)
            param.deprecated = _long_names(param)[1:]
    if command.help and not command.short_help:
        command.short_help = _first_sentence(command.help)
    if not command.epilog:
        command.epilog = epilog(" ".join(path))
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            adopt(sub, (*path, name))


def hide_old_spellings(exc: click.exceptions.NoSuchOption) -> None:
    """In "(Possible options: …)" for a mistyped option, name the current spelling of an old
    one (`--dat` suggests `--on`, not `--date`)."""
    if exc.possibilities and exc.ctx is not None:
        now = {
            alias: _long_names(p)[0]
            for p in exc.ctx.command.params
            for alias in getattr(p, "deprecated", [])
        }
        exc.possibilities = sorted({now.get(p, p) for p in exc.possibilities})


def primary_names(option: click.Parameter) -> list[str]:
    """The option's names as `--help` shows them (deprecated spellings left out)."""
    hidden = getattr(option, "deprecated", [])
    return [o for o in option.opts if o not in hidden]


def did_you_mean(value: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """`did you mean 'green'?` for a near miss among `choices`, else None."""
    import difflib

    matches = difflib.get_close_matches(value.strip().lower(), list(choices), n=3, cutoff=0.6)
    if not matches:
        return None
    return "did you mean " + " or ".join(f"'{m}'" for m in matches) + "?"


def deprecated_spelling(old: str, new: str) -> None:
    """The one-line note for an old spelling that is not a second long name."""
    from cosa.output import message

    message(f"Note: {old} is now {new} (the old spelling goes in the next release).")


def suggest_choice(message: str, hint: str | None) -> str | None:
    """Prefix "did you mean 'green'?" to a `choose one of: …` hint when the refused value (the
    first quoted word of `message`) is a near miss. Every enum and lookup check words its
    error this way, so one place serves them all."""
    if not hint or not hint.startswith("choose one of: "):
        return hint
    typed = re.search(r"'([^']*)'", message)
    if typed is None:
        return hint
    listed = hint.removeprefix("choose one of: ").split(" (")[0]
    suggestion = did_you_mean(typed[1], [c.strip() for c in listed.split(",")])
    return f"{suggestion} {hint}" if suggestion else hint
