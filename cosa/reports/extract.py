"""`cosa report extract --from --to -o FILE.csv`: a research extract, one row per circle.

Who is in it: every circle active at any time from `--from` to `--to` (started by the end,
not ended before the start). What it holds (the columns, in order):

* `circle` — a random identifier made for this extract (`C` + 8 hex digits), never a circle
  number or a core member's code; two extracts give the same circle different identifiers;
* quasi-identifiers — `mappa_category`, `mappa_level` (both as they stood on the circle's
  start date, from the member's dated history), `circle_type`, `start_year`,
  `age_band` (age at the start: 18-24, 25-34, 35-44, 45-54, 55-64, 65+; `unknown` when no
  date of birth is held). The provider holds no area, so there is none;
* dates generalised to the month: `start_month`, `end_month` (empty while the circle runs);
* `ending_reason`, and counts over the circle's whole life: `meetings_held`,
  `meetings_cm_attended`, `contacts`, `concerns_red`, `concerns_amber`, `concerns_green`,
  `escalations`, `volunteers`, `goals_achieved`, `risk_items_scored_twice`,
  `risk_change_total` (last minus first score, summed over the items scored twice).

k-anonymity: every combination of the quasi-identifiers in the file is shared by at least
`k` rows (default 5, at least 2). Rows in smaller groups are coarsened step by step — first
`mappa_level`, then `age_band`, then `start_year` (with the months), then `mappa_category`,
then `circle_type` become `*` for those rows only — and rows still in a group smaller than
`k` are left out.
The file is written 0600 and recorded as a disclosure (`research extract`) with its SHA-256.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from cosa import history
from cosa.errors import UserError
from cosa.reports.data import date_range
from cosa.store import Store

KIND = "extract"
DEFAULT_K = 5
QUASI = ("mappa_category", "mappa_level", "circle_type", "start_year", "age_band")
#: The order in which quasi-identifiers are coarsened for rows in too small a group.
COARSEN = ("mappa_level", "age_band", "start_year", "mappa_category", "circle_type")
COLUMNS = (
    "circle",
    *QUASI,
    "start_month",
    "end_month",
    "ending_reason",
    "meetings_held",
    "meetings_cm_attended",
    "contacts",
    "concerns_red",
    "concerns_amber",
    "concerns_green",
    "escalations",
    "volunteers",
    "goals_achieved",
    "risk_items_scored_twice",
    "risk_change_total",
)
BANDS = ((18, "18-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"), (55, "55-64"), (65, "65+"))


def age_band(born: str | None, on: str | None) -> str:
    if not born or not on:
        return "unknown"
    b, d = date.fromisoformat(born[:10]), date.fromisoformat(on[:10])
    age = d.year - b.year - ((d.month, d.day) < (b.month, b.day))
    label = "under 18"
    for low, text in BANDS:
        if age >= low:
            label = text
    return label


def check_k(k: int) -> int:
    if k < 2:
        raise UserError(f"invalid --k {k}: k-anonymity needs k of 2 or more")
    return k


def anonymise(rows: list[dict[str, Any]], k: int) -> tuple[list[dict[str, Any]], int]:
    """Coarsen, then drop, rows whose quasi-identifiers are shared by fewer than k rows;
    returns (rows kept, rows dropped)."""

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(r[q] for q in QUASI)

    rows = [dict(r) for r in rows]
    for column in COARSEN:
        sizes = Counter(key(r) for r in rows)
        small = [r for r in rows if sizes[key(r)] < k]
        if not small:
            break
        for r in small:
            r[column] = "*"
            if column == "start_year":  # the months would give the year away
                r["start_month"] = r["end_month"] = "*"
    sizes = Counter(key(r) for r in rows)
    kept = [r for r in rows if sizes[key(r)] >= k]
    return kept, len(rows) - len(kept)


def _in_force(store: Store, circle: Any, field: str) -> Any:
    """A MAPPA field of the circle's core member as it stood on the circle's start date (the
    member's dated history; the current value when the history begins later)."""
    value = history.value_on(store, "member", int(circle["member_id"]), field, circle["start_date"])
    return circle[field] if value is None else int(value)


def rows(store: Store, start: str, end: str) -> list[dict[str, Any]]:
    """One row per circle active in the period, before anonymisation."""
    q = {"s": start, "e": end}
    circles = store.query(
        "SELECT c.id, c.member_id, c.type, c.start_date, c.ended_on, c.ending_reason,"
        " m.mappa_category,"
        " m.mappa_level, i.date_of_birth,"
        " (SELECT count(*) FROM meetings WHERE circle_id = c.id AND state = 'held') AS held,"
        " (SELECT count(*) FROM meetings WHERE circle_id = c.id AND state = 'held'"
        "  AND cm_attended IN ('yes', 'late')) AS attended,"
        " (SELECT count(*) FROM contacts WHERE circle_id = c.id) AS contacts,"
        " (SELECT count(*) FROM concerns WHERE circle_id = c.id AND severity = 'red'"
        "  AND void_reason IS NULL) AS red,"
        " (SELECT count(*) FROM concerns WHERE circle_id = c.id AND severity = 'amber'"
        "  AND void_reason IS NULL) AS amber,"
        " (SELECT count(*) FROM concerns WHERE circle_id = c.id AND severity = 'green'"
        "  AND void_reason IS NULL) AS green,"
        " (SELECT count(*) FROM escalations e JOIN concerns x ON x.id = e.concern_id"
        "  WHERE x.circle_id = c.id) AS escalations,"
        " (SELECT count(DISTINCT volunteer_id) FROM circle_members WHERE circle_id = c.id)"
        "  AS volunteers,"
        " (SELECT count(*) FROM circle_goals WHERE circle_id = c.id AND outcome = 'achieved')"
        "  AS goals"
        " FROM circles c JOIN core_members m ON m.id = c.member_id"
        " LEFT JOIN member_identity i ON i.member_id = m.id"
        " WHERE c.start_date IS NOT NULL AND c.start_date <= :e"
        " AND (c.ended_on IS NULL OR c.ended_on >= :s) ORDER BY random()",
        q,
    )
    scores = store.query(
        "SELECT rr.circle_id, s.item, s.score FROM risk_reviews rr"
        " JOIN risk_review_scores s ON s.risk_review_id = rr.id ORDER BY rr.date, rr.id, s.id"
    )
    first: dict[tuple[int, str], int] = {}
    last: dict[tuple[int, str], int] = {}
    times: Counter[tuple[int, str]] = Counter()
    for s in scores:
        k = (int(s["circle_id"]), str(s["item"]))
        first.setdefault(k, int(s["score"]))
        last[k] = int(s["score"])
        times[k] += 1
    twice: Counter[int] = Counter()
    change: Counter[int] = Counter()
    for (cid, item), n in times.items():
        if n >= 2:
            twice[cid] += 1
            change[cid] += last[(cid, item)] - first[(cid, item)]
    used: set[str] = set()
    out = []
    for c in circles:
        ident = f"C{secrets.token_hex(4)}"
        while ident in used:
            ident = f"C{secrets.token_hex(4)}"
        used.add(ident)
        out.append(
            {
                "circle": ident,
                "mappa_category": _in_force(store, c, "mappa_category"),
                "mappa_level": _in_force(store, c, "mappa_level"),
                "circle_type": c["type"],
                "start_year": str(c["start_date"])[:4],
                "age_band": age_band(c["date_of_birth"], c["start_date"]),
                "start_month": str(c["start_date"])[:7],
                "end_month": str(c["ended_on"])[:7] if c["ended_on"] else "",
                "ending_reason": c["ending_reason"] or "",
                "meetings_held": c["held"],
                "meetings_cm_attended": c["attended"],
                "contacts": c["contacts"],
                "concerns_red": c["red"],
                "concerns_amber": c["amber"],
                "concerns_green": c["green"],
                "escalations": c["escalations"],
                "volunteers": c["volunteers"],
                "goals_achieved": c["goals"],
                "risk_items_scored_twice": twice[int(c["id"])],
                "risk_change_total": change[int(c["id"])],
            }
        )
    return out


def build(
    store: Store, from_: str | None, to: str | None, k: int
) -> tuple[bytes, int, int, str, str]:
    """(CSV bytes, rows written, rows left out, from, to)."""
    check_k(k)
    start, end = date_range(from_, to)
    if start is None or end is None:
        raise UserError("--from and --to are both required")
    kept, dropped = anonymise(rows(store, start, end), k)
    return to_csv(kept), len(kept), dropped, start, end


def to_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode()
