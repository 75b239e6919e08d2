"""What every report shares before any PDF is drawn: periods, settings, suppression, names.

Each report is split in two: a *data* function (SQL aggregates straight from the tables, no
query per row; the result is plain JSON-able data, what `--json` prints) and a *render*
function (that data to platypus flowables, in the same module, importing reportlab only when
called). Nothing in this module imports reportlab or pypdf.

Minimisation lives here too:

* `suppress` / `suppress_lines`: counts of 1 to `small_count_threshold` minus 1 (setting, default 5)
  become "<5" in aggregate returns; a second cell is withheld ("*") wherever a single small
  cell could otherwise be worked out from a total.
* `VolunteerNames`: volunteers as full names, first names, codes ("Volunteer 12") or role
  labels ("volunteer A"), with `redactor` replacing, by identity (`cosa.redact`), the
  names of every volunteer and professional in the workspace wherever free text mentions
  them (`ThirdParties`).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cosa.domain.members import date_field
from cosa.errors import UserError
from cosa.store import Row, Store

if TYPE_CHECKING:
    from cosa.redact import Matcher

CLASSIFICATION_SETTING = "report_classification"
CLASSIFICATION_DEFAULT = "OFFICIAL-SENSITIVE"
THRESHOLD_SETTING = "small_count_threshold"
THRESHOLD_DEFAULT = 5
#: Shown for a cell withheld only so that a small count cannot be worked out from a total.
SECONDARY = "*"

VOLUNTEER_NAME_MODES = ("full", "first", "code")

Count = int | str  # a number, or "<5" / "*" once suppressed


# -- settings --------------------------------------------------------------------------------


def classification(store: Store, override: str | None = None) -> str:
    """The classification line: `--classification`, else the setting, else the default."""
    text = override if override is not None else store.setting(CLASSIFICATION_SETTING)
    text = " ".join((text or "").split())
    if override is not None and not text:
        raise UserError("--classification must not be empty")
    return text or CLASSIFICATION_DEFAULT


def threshold(store: Store) -> int:
    """Counts below this (and above zero) are suppressed in aggregate returns."""
    raw = store.setting(THRESHOLD_SETTING)
    if raw is None:
        return THRESHOLD_DEFAULT
    text = raw.strip()
    if not text.isdigit() or int(text) < 2:
        raise UserError(
            f"the setting {THRESHOLD_SETTING} is '{raw}'",
            hint="it must be a whole number, 2 or more",
        )
    return int(text)


# -- periods ---------------------------------------------------------------------------------


def format_day(value: str | date | None) -> str:
    """'26 Nov 2026' from ISO text or a date; '—' for None."""
    if value is None or value == "":
        return "—"
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.day} {day:%b %Y}"


def format_moment(value: str | None) -> str:
    """'26 Nov 2026 18:30' from stored datetime text ('—' for None)."""
    if not value:
        return "—"
    text = str(value)
    if len(text) <= 10:
        return format_day(text)
    moment = datetime.fromisoformat(text)
    return f"{moment.day} {moment:%b %Y %H:%M}"


def slug(name: str) -> str:
    """A person's name as part of a file name (`--coordinator`): letters, digits, dashes."""
    import re

    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "coordinator"


def period_label(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{format_day(start)} \u2013 {format_day(end)}"
    if start:
        return f"from {format_day(start)}"
    if end:
        return f"up to {format_day(end)}"
    return "all records"


def date_range(from_: str | date | None, to: str | date | None) -> tuple[str | None, str | None]:
    """`--from` / `--to` as ISO dates (either may be None); refuses a reversed range."""
    start, end = date_field("--from", from_), date_field("--to", to)
    if start and end and end < start:
        raise UserError(f"--to {end} is before --from {start}")
    return start, end


@contextmanager
def snapshot(store: Store) -> Iterator[Store]:
    """A read transaction, so every query of a report (and the audit head printed on it)
    sees the same state of the database even while another cosa command writes."""
    if store.conn.in_transaction:
        yield store
        return
    store.conn.execute("BEGIN DEFERRED")
    try:
        yield store
    finally:
        if store.conn.in_transaction:
            store.conn.execute("COMMIT")


def months_between(start: str, end: str) -> list[str]:
    """Every month 'YYYY-MM' from the month of `start` to the month of `end`, in order."""
    year, month = int(start[:4]), int(start[5:7])
    last = (int(end[:4]), int(end[5:7]))
    out = []
    while (year, month) <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_label(month: str) -> str:
    """'Jul 2025' from '2025-07'."""
    return date.fromisoformat(month + "-01").strftime("%b %Y")


# -- numbers ---------------------------------------------------------------------------------


def hours(minutes: float | None) -> float:
    return round((minutes or 0) / 60, 1)


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def median(values: Iterable[float]) -> float | None:
    items = list(values)
    return round(statistics.median(items), 1) if items else None


def suppress(value: int, limit: int) -> Count:
    """A count for an aggregate return: counts from 1 to below `limit` become "<limit"; 0 stays 0."""
    return f"<{limit}" if 0 < value < limit else value


def suppress_lines(
    cells: Sequence[Sequence[int]],
    limit: int,
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    ncols: int | None = None,
) -> tuple[list[list[Count]], list[Count], list[Count], Count]:
    """Suppress a table of counts together with its totals.

    Returns (cells, row totals, column totals, grand total), small counts as "<5". Wherever a
    row or column (with its total shown) hides exactly one cell, a second cell is withheld
    too ("*", the smallest other non-zero one; else the total itself), so that no small count
    can be worked out by subtraction. Repeated until stable.
    """
    nrows = len(cells)
    if ncols is None:
        ncols = len(cells[0]) if nrows else 0
    rtot = [sum(r) for r in cells]
    ctot = [sum(cells[i][j] for i in range(nrows)) for j in range(ncols)]
    grand = sum(rtot)
    # A working grid with the totals as an extra column and row.
    grid: list[list[int]] = [[*cells[i], rtot[i]] for i in range(nrows)]
    grid.append([*ctot, grand])
    hidden: list[list[str | None]] = [
        [f"<{limit}" if 0 < v < limit else None for v in row] for row in grid
    ]
    show_rt, show_ct = row_totals, col_totals

    def lines() -> Iterator[list[tuple[int, int]]]:
        """Every line that ends in a shown total (a row or column without one is no line: its
        last cell is not the sum of the others)."""
        if show_rt:
            for i in range(nrows + (1 if show_ct else 0)):
                yield [(i, j) for j in range(ncols)] + [(i, ncols)]
        if show_ct:
            for j in range(ncols + (1 if show_rt else 0)):
                yield [(i, j) for i in range(nrows)] + [(nrows, j)]

    changed = True
    while changed:
        changed = False
        for line in lines():
            total_pos = line[-1]
            if hidden[total_pos[0]][total_pos[1]] is not None:
                continue
            inner = line[:-1]
            if sum(1 for i, j in inner if hidden[i][j] is not None) != 1:
                continue
            candidates = [
                (grid[i][j], i, j) for i, j in inner if hidden[i][j] is None and grid[i][j]
            ]
            _, i, j = min(candidates) if candidates else (0, *total_pos)
            hidden[i][j] = SECONDARY
            changed = True

    def out(i: int, j: int) -> Count:
        return hidden[i][j] or grid[i][j]

    return (
        [[out(i, j) for j in range(ncols)] for i in range(nrows)],
        [out(i, ncols) for i in range(nrows)],
        [out(nrows, j) for j in range(ncols)],
        out(nrows, ncols),
    )


# -- volunteers' names -----------------------------------------------------------------------


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else name


def letters(index: int) -> str:
    """A, B, …, Z, AA, AB, …"""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


@dataclass
class ThirdParties:
    """Everyone a pack must not name, read once per pack: every volunteer and professional
    in the workspace, and every name typed for someone (actions' owners, concerns' "raised
    by", referrers)."""

    volunteers: list[Row]
    professionals: list[Row]
    typed: list[str]

    @classmethod
    def load(cls, store: Store) -> ThirdParties:
        from cosa.redact import typed_names

        typed: list[str] = []
        for row in store.query(
            "SELECT DISTINCT owner AS t FROM actions WHERE owner IS NOT NULL"
            " UNION SELECT DISTINCT raised_by FROM concerns WHERE raised_by IS NOT NULL"
            " UNION SELECT DISTINCT referrer FROM referrals WHERE referrer IS NOT NULL"
        ):
            typed.extend(typed_names(row["t"]))
        return cls(
            volunteers=store.query("SELECT id, name FROM volunteers ORDER BY id"),
            professionals=store.query(
                "SELECT id, name, role, agency FROM professionals ORDER BY id"
            ),
            typed=sorted(set(typed)),
        )


class VolunteerNames:
    """How volunteers appear in a report: `full`, `first` (first name, with a surname initial
    when two share one), `code` ("Volunteer 12") or `role` ("volunteer A", in order of
    first appearance)."""

    def __init__(self, mode: str, volunteers: Sequence[Mapping[str, Any]] = ()) -> None:
        if mode not in (*VOLUNTEER_NAME_MODES, "role"):
            raise UserError(
                f"invalid --volunteer-names '{mode}'",
                hint=f"choose one of: {', '.join(VOLUNTEER_NAME_MODES)}",
            )
        self.mode = mode
        self._names: dict[int, str] = {}
        self._labels: dict[int, str] = {}
        self.extend(volunteers)

    def extend(self, volunteers: Iterable[Mapping[str, Any]]) -> None:
        for v in volunteers:
            self._names.setdefault(int(v["id"]), str(v["name"]))
        self._labels.clear()

    def _first_names(self) -> dict[int, str]:
        """First names; a surname initial where two share one; "(2)" where even that
        clashes, so that no two volunteers of a report ever carry the same label."""
        from cosa.names import fold
        from cosa.redact import unique_labels

        by_first: dict[str, list[int]] = {}
        for vid, name in self._names.items():
            by_first.setdefault(fold(first_name(name)), []).append(vid)
        out = {}
        for vid, name in self._names.items():
            first = first_name(name)
            clash = len(by_first[fold(first)]) > 1
            parts = name.split()
            out[vid] = f"{first} {parts[-1][0]}." if clash and len(parts) > 1 else first
        return unique_labels(out)

    def label(self, volunteer_id: int, name: str | None = None) -> str:
        if volunteer_id not in self._names:
            self._names[volunteer_id] = name or f"Volunteer {volunteer_id}"
            self._labels.clear()
        if not self._labels:
            if self.mode == "full":
                self._labels = dict(self._names)
            elif self.mode == "first":
                self._labels = self._first_names()
            elif self.mode == "code":
                self._labels = {vid: f"Volunteer {vid}" for vid in self._names}
            else:
                self._labels = {vid: f"volunteer {letters(i)}" for i, vid in enumerate(self._names)}
        return self._labels[volunteer_id]

    def redactor(
        self,
        people: ThirdParties,
        *,
        professionals: Callable[[int], str | None] | None = None,
        mentioned: Iterable[int] = (),
    ) -> Matcher:
        """A matcher for free text (see `cosa.redact`): this report's volunteers become their
        labels, every other volunteer in the workspace a generic label, names typed for
        someone "a third party". With `professionals` (id -> label), the professionals in
        `mentioned` become their labels and every other one "a professional". In `full` mode
        nothing is replaced (the coordinator's own copy)."""
        from cosa.redact import Matcher

        redact = Matcher(ambiguous="a third party" if self.mode == "role" else "a volunteer")
        if self.mode == "full":
            return redact
        for vid, name in self._names.items():
            redact.add([name], self.label(vid), key=("volunteer", vid))
        if professionals is not None:
            for pid in mentioned:
                names = [p["name"] for p in people.professionals if p["id"] == pid]
                redact.add(names, professionals(pid) or "a professional", key=("pro", pid))
        for v in people.volunteers:
            vid = int(v["id"])
            if vid not in self._names:
                redact.add([v["name"]], self._other_label(vid), key=("volunteer", vid), weak=True)
        if professionals is not None:
            for p in people.professionals:
                redact.add([p["name"]], "a professional", key=("pro", p["id"]), weak=True)
        for text in people.typed:
            redact.add([text], "a third party", key=("typed", text), weak=True)
        return redact

    def _other_label(self, volunteer_id: int) -> str:
        """A volunteer named in free text who is not one of this report's volunteers."""
        if self.mode == "code":
            return f"Volunteer {volunteer_id}"
        return "a volunteer"


# -- small helpers for data functions --------------------------------------------------------


def marks(values: Sequence[Any]) -> str:
    """Placeholders for `IN (…)` (NULL when empty, which matches nothing)."""
    return ", ".join("?" for _ in values) or "NULL"
