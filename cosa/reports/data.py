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
  labels ("volunteer A"), with `redact` replacing their names in free text.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cosa.domain.members import date_field
from cosa.errors import UserError
from cosa.store import Store

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
        for i in range(nrows + (1 if show_ct else 0)):
            yield [(i, j) for j in range(ncols)] + ([(i, ncols)] if show_rt else [])
        for j in range(ncols + (1 if show_rt else 0)):
            yield [(i, j) for i in range(nrows)] + ([(nrows, j)] if show_ct else [])

    changed = True
    while changed:
        changed = False
        for line in lines():
            total_pos = line[-1]
            has_total = (total_pos[0] == nrows and show_ct) or (total_pos[1] == ncols and show_rt)
            if not has_total or hidden[total_pos[0]][total_pos[1]] is not None:
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


#: Words never replaced on their own (as a lone first name or surname): they are far more
#: often the RAG rating, a month or a day than a person. Full names are still replaced.
KEEP_WORDS = frozenset(
    [
        "Red",
        "Amber",
        "Green",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
)


def _pattern(words: Iterable[str], *, ignore_case: bool) -> re.Pattern[str] | None:
    unique = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    if not unique:
        return None
    body = "|".join(re.escape(w) for w in unique)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE if ignore_case else 0)


@dataclass
class Redactor:
    """Replaces known names in free text: full names whatever their case, single first names
    and surnames only as capitalised words (they are also ordinary words: Will, May, Green)."""

    full: dict[str, str] = field(default_factory=dict)  # casefolded full name -> label
    parts: dict[str, str] = field(default_factory=dict)  # exact word -> label
    count: int = 0
    _full_rx: re.Pattern[str] | None = None
    _parts_rx: re.Pattern[str] | None = None
    _ready: bool = False

    def add(self, name: str, label: str, *, parts: bool) -> None:
        clean = " ".join(name.split())
        if not clean or clean.casefold() == label.casefold():
            return
        self.full.setdefault(clean.casefold(), label)
        if parts:
            for word in clean.split():
                self.add_part(word, label)
        self._ready = False

    def add_part(self, word: str, label: str) -> None:
        """Replace `word` on its own (capitalised, as written) with `label`."""
        if len(word) > 1 and word != label and word not in KEEP_WORDS:
            self.parts.setdefault(word, label)
            self._ready = False

    def _compile(self) -> None:
        self._full_rx = _pattern(self.full, ignore_case=True)
        self._parts_rx = _pattern(self.parts, ignore_case=False)
        self._ready = True

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        if not self._ready:
            self._compile()

        def full(m: re.Match[str]) -> str:
            self.count += 1
            return self.full[m[0].casefold()]

        def part(m: re.Match[str]) -> str:
            self.count += 1
            return self.parts[m[0]]

        if self._full_rx is not None:
            text = self._full_rx.sub(full, text)
        if self._parts_rx is not None:
            text = self._parts_rx.sub(part, text)
        return text


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
        by_first: dict[str, list[int]] = {}
        for vid, name in self._names.items():
            by_first.setdefault(first_name(name).casefold(), []).append(vid)
        out = {}
        for vid, name in self._names.items():
            first = first_name(name)
            clash = len(by_first[first.casefold()]) > 1
            parts = name.split()
            out[vid] = f"{first} {parts[-1][0]}." if clash and len(parts) > 1 else first
        return out

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

    def redactor(self, others: Sequence[Mapping[str, Any]] = ()) -> Redactor:
        """A redactor for free text: the known volunteers' names (full names, and their
        single words) become their labels; `others` (id, name) only by full name."""
        redact = Redactor()
        if self.mode == "full":
            return redact
        for vid, name in self._names.items():
            label = self.label(vid)
            redact.add(name, label, parts=self.mode != "first")
            if self.mode == "first":
                # keep the first name, drop the surname: "Ann Smith" -> "Ann", "Smith" -> "Ann"
                for word in name.split()[1:]:
                    redact.add_part(word, label)
        for other in others:
            vid, name = int(other["id"]), str(other["name"])
            if vid not in self._names:
                redact.add(name, self._other_label(vid, name), parts=False)
        return redact

    def _other_label(self, volunteer_id: int, name: str) -> str:
        """A volunteer named in free text who is not one of this report's volunteers."""
        if self.mode == "first":
            return first_name(name)
        if self.mode == "code":
            return f"Volunteer {volunteer_id}"
        return "a volunteer"


# -- small helpers for data functions --------------------------------------------------------


def marks(values: Sequence[Any]) -> str:
    """Placeholders for `IN (…)` (NULL when empty, which matches nothing)."""
    return ", ".join("?" for _ in values) or "NULL"
