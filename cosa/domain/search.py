"""Full-text search over minutes, amendments, notes, concerns and contacts (SQLite FTS5).

The index lives inside the encrypted database and is kept in step by the domain functions in
the same transaction as the record they change (`index` / `unindex`). An entry's rowid is
built from the record's date, type and id (`day << 32 | type << 27 | id`), so FTS5 returns
the newest matches first straight from its index (`ORDER BY rowid DESC` reads only as many
entries as are shown); ranking every match by relevance (`best=True`, bm25) costs time in
proportion to the number of matches. `search_rows` maps each record to its current rowid, so
an update or erasure finds its entry without a scan even when the date changed. The table
uses FTS5's `secure-delete` option, so an erased record's words leave the index vocabulary at
once instead of lingering as delete markers.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date as date_type
from typing import Any

from cosa.names import fold
from cosa.store import Store

#: Stable codes for rowids: never renumber a shipped entry.
TYPE_CODES: dict[str, int] = {
    "meeting": 1,
    "amendment": 2,
    "concern": 3,
    "concern_note": 4,
    "escalation": 5,
    "contact": 6,
    "action": 7,
    "review": 8,
    "goal": 9,
}

CREATE_SQL = """
CREATE VIRTUAL TABLE search_index USING fts5(
    body, record_type UNINDEXED, record_id UNINDEXED, circle_id UNINDEXED, date UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1);
"""


def entry_rowid(record_type: str, record_id: int, day: str | None) -> int:
    """Newest first in rowid order: the date's day number, then type and id (unique)."""
    ordinal = date_type.fromisoformat(day[:10]).toordinal() if day else 0
    return (ordinal << 32) | (TYPE_CODES[record_type] << 27) | record_id


def index(store: Store, record_type: str, record_id: int, text: str | None, *,
          circle_id: int | None, date: str | None) -> None:  # fmt: skip
    """Add or replace the index entry of one record (no entry when `text` is empty)."""
    unindex(store, record_type, record_id)
    if text and text.strip():
        rowid = entry_rowid(record_type, record_id, date)
        store.execute(
            "INSERT INTO search_index (rowid, body, record_type, record_id, circle_id, date)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (rowid, text, record_type, record_id, circle_id, date),
        )
        store.execute(
            "INSERT INTO search_rows (record_type, record_id, row) VALUES (?, ?, ?)",
            (record_type, record_id, rowid),
        )


def unindex(store: Store, record_type: str, record_id: int) -> None:
    old = store.one(
        "SELECT row FROM search_rows WHERE record_type = ? AND record_id = ?",
        (record_type, record_id),
    )
    if old is not None:
        store.execute("DELETE FROM search_index WHERE rowid = ?", (old["row"],))
        store.execute(
            "DELETE FROM search_rows WHERE record_type = ? AND record_id = ?",
            (record_type, record_id),
        )


def rebuild_rowids(store: Store) -> None:
    """Move every entry to its date-ordered rowid and fill `search_rows` (migration m012)."""
    rows = store.query("SELECT rowid AS old, record_type, record_id, date FROM search_index")
    for r in rows:
        new = entry_rowid(r["record_type"], int(r["record_id"]), r["date"])
        store.execute(
            "INSERT INTO search_index (rowid, body, record_type, record_id, circle_id, date)"
            " SELECT ?, body, record_type, record_id, circle_id, date FROM search_index WHERE rowid = ?",
            (new, r["old"]),
        )
        store.execute("DELETE FROM search_index WHERE rowid = ?", (r["old"],))
        store.execute(
            "INSERT INTO search_rows (record_type, record_id, row) VALUES (?, ?, ?)",
            (r["record_type"], int(r["record_id"]), new),
        )


_TOKEN = re.compile(r"[\w'’-]+", re.UNICODE)


def to_fts_query(text: str) -> str:
    """A safe FTS5 query from what a user typed: every word must match (the last as a prefix).

    Words are quoted, so FTS5 operators and punctuation in the input cannot cause syntax errors.
    """
    words = [w.strip("'’-") for w in _TOKEN.findall(text)]
    words = [w for w in words if w]
    if not words:
        return ""
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def search(
    store: Store,
    text: str,
    *,
    limit: int = 50,
    circle_id: int | None = None,
    marks: tuple[str, str] = ("[", "]"),
    best: bool = False,
) -> list[dict[str, Any]]:
    """Matches, newest first (or by relevance with `best`): record type, id, circle id, date
    and a snippet with [marks]."""
    query = to_fts_query(text)
    if not query:
        return []
    sql = (
        "SELECT record_type, record_id, circle_id, date,"
        " CASE WHEN length(body) <= ? THEN snippet(search_index, 0, ?, ?, '…', 12) END AS snippet,"
        " CASE WHEN length(body) > ? THEN body END AS long_body"
        " FROM search_index WHERE search_index MATCH ?"
    )
    params: list[Any] = [LONG_BODY, *marks, LONG_BODY, query]
    if circle_id is not None:
        sql += " AND circle_id = ?"
        params.append(circle_id)
    sql += " ORDER BY rank LIMIT ?" if best else " ORDER BY rowid DESC LIMIT ?"
    params.append(limit)
    rows = store.query(sql, params)
    for row in rows:
        body = row.pop("long_body")
        if body is not None:
            row["snippet"] = long_snippet(body, text, marks)
    return rows


#: Longer texts (a pasted transcript) get their snippet from `long_snippet`: FTS5's own
#: `snippet()` scores every window of the whole text for every match in it, so a word frequent
#: in 1 MB of minutes cost ~30 ms a hit, 1.6 s a search (100,000 matches: 111 s).
LONG_BODY = 20_000
_BLOCK = 4096
#: A word as the index's tokenizer (unicode61, remove_diacritics) sees one: letters and digits,
#: with the combining accents it folds away; "_" separates words there.
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")


def long_snippet(body: str, text: str, marks: tuple[str, str], tokens: int = 12) -> str:
    """FTS5's snippet, approximately, for a long text: the `tokens` words around the first
    match of what was typed (each typed word a phrase of the index's words, so "O'Brien" is
    "o" then "brien"; accents and case ignored; the last word a prefix, as in the index), each
    match between `marks`, "…" where the text was cut."""
    phrases = [
        p for p in (tuple(fold(t) for t in _WORD.findall(w)) for w in _TOKEN.findall(text)) if p
    ]
    if not phrases:
        return ""
    last = len(phrases) - 1

    def matched(window: list[str]) -> int:
        """How many words of `window` (folded) a phrase ending at its last word takes."""
        for k, phrase in enumerate(phrases):
            n = len(phrase)
            if len(window) < n:
                continue
            tail = window[-n:]
            if all(tail[i] == phrase[i] for i in range(n - 1)) and (
                tail[-1].startswith(phrase[-1]) if k == last else tail[-1] == phrase[-1]
            ):
                return n
        return 0

    longest = max(map(len, phrases))
    keep = tokens // 3 if tokens > 3 else 0  # words shown before the match
    start: int | None = None
    seen: list[re.Match[str]] = []
    for pos in dict.fromkeys((_near_first_match(body, [max(p, key=len) for p in phrases]), 0)):
        seen, folded = [], []
        words = _WORD.finditer(body, pos)
        for word in words:
            seen.append(word)
            folded.append(fold(word.group()))
            if n := matched(folded[-longest:]):
                start = len(seen) - n
                break
            if len(seen) > keep + longest:  # only the words that can still be shown
                del seen[0], folded[0]
        if start is not None:
            break
    if start is None:  # no word matched (a tokenizer difference): the start of the text
        start, seen, words = 0, [], _WORD.finditer(body)
    chosen = seen[max(0, start - keep) :]
    for more in words:
        if len(chosen) >= tokens:
            break
        chosen.append(more)
    if not chosen:
        return ""
    ends: dict[int, int] = {}  # first word of a match -> its last word
    folded = [fold(w.group()) for w in chosen]
    for i in range(len(chosen)):
        if n := matched(folded[: i + 1][-longest:]):
            ends[i - n + 1] = i
    parts: list[str] = []
    closing: int | None = None
    for i, word in enumerate(chosen):
        if i:
            parts.append(body[chosen[i - 1].end() : word.start()])
        if closing is None and i in ends:
            parts.append(marks[0])
            closing = ends[i]
        parts.append(word.group())
        if closing == i:
            parts.append(marks[1])
            closing = None
    if closing is not None:
        parts.append(marks[1])
    head = "" if chosen[0].start() == 0 else "…"
    tail = "" if chosen[-1].end() >= len(body.rstrip()) else "…"
    return head + "".join(parts) + tail


def _near_first_match(body: str, terms: list[str]) -> int:
    """Where `long_snippet` starts looking: shortly before the first 4 KB block whose text,
    folded to ASCII in C, holds one of the (ASCII) `terms`; 0 when a term is not ASCII or no
    block holds one. Folding word by word in Python costs ~0.5 s for 1 MB; this ~10 ms. A
    block's fold can miss what a word's fold finds (ß, ligatures): the match shown is then a
    later one, never a wrong one (each word found is still checked as the index would)."""
    if not all(t.isascii() for t in terms):
        return 0
    overlap = max(map(len, terms))
    for start in range(0, len(body), _BLOCK):
        block = body[start : start + _BLOCK + overlap]
        ascii_ = unicodedata.normalize("NFKD", block).encode("ascii", "ignore").decode().lower()
        if any(t in ascii_ for t in terms):
            pos = max(0, start - 200)  # room for the words shown before the match …
            while pos > 0 and not body[pos - 1].isspace():  # … from a word's start
                pos -= 1
            return pos
    return 0


#: Where a hit's record is shown: (column, table, link column) — `meeting_id` for minutes and
#: amendments, `concern_id` for concerns, their notes and escalations.
_PARENTS: dict[str, tuple[str, str, str]] = {
    "meeting": ("meeting_id", "meetings", "id"),
    "amendment": ("meeting_id", "meeting_amendments", "meeting_id"),
    "concern": ("concern_id", "concerns", "id"),
    "concern_note": ("concern_id", "concern_notes", "concern_id"),
    "escalation": ("concern_id", "escalations", "concern_id"),
}


def hits(
    store: Store,
    text: str,
    *,
    limit: int = 50,
    circle_id: int | None = None,
    marks: tuple[str, str] = ("[", "]"),
    best: bool = False,
) -> list[dict[str, Any]]:
    """`search` results with the circle's core member `code`, and `meeting_id` / `concern_id`
    of the record that shows each hit (`cosa meeting show`, `cosa concern show`)."""
    rows = search(store, text, limit=limit, circle_id=circle_id, marks=marks, best=best)
    circles = sorted({r["circle_id"] for r in rows if r["circle_id"] is not None})
    codes: dict[int, str] = {}
    if circles:
        marks_sql = ", ".join("?" * len(circles))
        codes = {
            r["id"]: r["code"]
            for r in store.query(
                "SELECT c.id, m.code FROM circles c JOIN core_members m ON m.id = c.member_id"
                f" WHERE c.id IN ({marks_sql})",
                circles,
            )
        }
    out = []
    for r in rows:
        hit = {**r, "code": codes.get(r["circle_id"]), "meeting_id": None, "concern_id": None}
        if (parent := _PARENTS.get(r["record_type"])) is not None:
            column, table, link = parent
            hit[column] = store.scalar(
                f"SELECT {link} FROM {table} WHERE id = ?", (r["record_id"],)
            )
        out.append(hit)
    return out


def vocabulary_contains(store: Store, word: str) -> bool:
    """True if `word` is still a term of the index (used to prove erasure)."""
    store.conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, search_index, row)"
    )
    row = store.one("SELECT 1 AS hit FROM temp.search_vocab WHERE term = ?", (word.lower(),))
    return row is not None
