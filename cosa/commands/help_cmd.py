"""`cosa help [TOPIC]`: short guides to what every command shares."""

from __future__ import annotations

from typing import Annotated

import typer

from cosa.errors import UserError
from cosa.output import echo

TOPICS: dict[str, tuple[str, str]] = {
    "dates": (
        "How to type dates and times.",
        """\
Dates (ISO first, then UK order, day before month):
  2026-11-26   26/11/2026   26.11.2026   1/2/26 (= 1 February 2026)
  1 dec   1st December 2026   dec 1
  today   yesterday   tomorrow
  tue   last tue   next tue
  -3d   +2w   -1m   +1y   (days, weeks, months, years from today)

A bare weekday for something that happened (--on, --from) is the most recent one
before today: "--on tue" typed on a Tuesday means a week ago ("today" is today).
For a due date (--due friday) it is the next one, today included. "last tue" is
always before today, "next tue" always after it. A date without a year (1 dec) is
the nearest one in the same direction.

A date that only reads month-first (11/26/2026) is refused; the message names the
reading it refused.

Moments (--at): a date and a time, e.g. '26/11/2026 18:30', '2026-11-26T18:30',
'yesterday 6pm', 'mon 9:05'. A bare time (18:30) is today.
Durations (--for, --duration): 90 (minutes), 15m, 2h, 1h30m, 1.5h, 7d, 2w.
""",
    ),
    "names": (
        "How to name circles, people and records.",
        """\
Circles: the circle's number or its core member's code (3 or CM-0003).
People (volunteers, professionals): a number, or a unique, case-insensitive prefix
of the name ("ann" for Ann Smith). An ambiguous prefix is refused with the
candidates listed.
Core members: their code, CM-0003 (identity fields only with `member show --identity`).
Records (meetings, concerns, actions, reviews…): their own number, as shown by
`list` and `show`. `cosa concern respond 2` answers concern 2's latest escalation.
""",
    ),
    "exit-codes": (
        "What cosa's exit codes mean.",
        """\
0    done
1    bad input, not found, or a conflict; nothing was written
2    the command line itself is wrong (unknown command or option, missing argument)
3    locked: no passphrase available, or a wrong one
4    integrity: a damaged file, a broken audit chain, a rolled-back database
130  interrupted (Ctrl-C); the unfinished step changed nothing
""",
    ),
    "grammar": (
        "How every command spells the same idea (docs/grammar.md).",
        """\
--on DATE          the day something happened
--at DATETIME      the moment something happened
--issued, --received, --start, …   each date of a record with several dates
--due DATE         when something is due
--from/--to DATE   a period (both days included); never a person
--for DURATION     a length of time (cosa unlock --for 15m); never a person
--recipient        who receives something
--note TEXT        a note; --reason TEXT a justification (audited)
TEXT (positional)  text that is the record itself (an action, a concern)
-o/--output FILE   an output file (refused if it exists, unless --force)
--limit N, --json, --csv   on every list
Numbers: a record's own number everywhere.

Old spellings (--date, --to for a person, --since…) still work for one release and
print a one-line note saying the new one.
""",
    ),
    "screen": (
        "Colour and paging on a terminal.",
        """\
On a terminal, red, amber and green (RAG and severity) are coloured, and long output
of read-only commands (status, audit, search, lists, meeting show…) goes through a
pager: $PAGER, else `less -R`. Piped output is never coloured or paged.
NO_COLOR=1 turns colour off; `cosa --no-pager …` or PAGER= turns the pager off.
""",
    ),
}
ALIASES = {"exit": "exit-codes", "exit codes": "exit-codes", "date": "dates", "flags": "grammar"}


def help_cmd(
    topic: Annotated[list[str] | None, typer.Argument(help=f"One of: {', '.join(TOPICS)}.")] = None,
) -> None:
    """Short guides: dates, names, exit codes, the grammar of flags, and the screen."""
    if not topic:
        width = max(map(len, TOPICS))
        echo("Topics (cosa help TOPIC):")
        for name, (summary, _) in TOPICS.items():
            echo(f"  {name.ljust(width)}  {summary}")
        echo("Every command also has --help, ending with examples.")
        return
    typed = " ".join(topic).strip().lower()
    name = ALIASES.get(typed, typed)
    if name not in TOPICS:
        raise UserError(f"no help topic '{typed}'", hint=f"choose one of: {', '.join(TOPICS)}")
    echo(TOPICS[name][1].rstrip())


def register(app: typer.Typer) -> None:
    app.command("help")(help_cmd)
