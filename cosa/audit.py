"""Reading and verifying the audit trail.

The chain: entry n stores `prev_hash` = hash of entry n-1 (the first: 64 zeros) and `hash` =
SHA-256 over its own fields and `prev_hash` (`cosa.store.entry_hash`). Verification walks the
whole chain, re-hashes the current state of every record whose last entry recorded one, and
compares the chain head with the high-water mark mirrored in `cosa.keys`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cosa.migrations import RECORD_TABLES
from cosa.store import GENESIS, Store, entry_hash, state_hash


@dataclass
class VerifyResult:
    entries: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    store: Store,
    head: dict[str, Any] | None = None,
    limit: int = 20,
    *,
    seal_n: int | None = None,
    since: tuple[int, str] | None = None,
) -> VerifyResult:
    """Check the hash chain, the record state hashes, (optionally) the high-water mark, and
    the shape of the seals: one per commit, no gap, the last on the head, and not behind the
    key file's ratchet position `seal_n` (recomputing them needs the seed: `cosa.seal`).

    With `since` = (seq, hash) of a head verified before, only the entries after it are
    checked (that they follow it), and only the records they touched are re-hashed.
    """
    result = VerifyResult()

    def problem(text: str) -> None:
        if len(result.problems) < limit:
            result.problems.append(text)

    prev, expected_seq = GENESIS, 1
    if since is not None:
        prev, expected_seq = since[1], since[0] + 1
    latest: dict[tuple[str, int], str] = {}
    for row in store.conn.execute(
        "SELECT * FROM audit WHERE seq >= ? ORDER BY seq", (expected_seq,)
    ):
        result.entries += 1
        if row["seq"] != expected_seq:
            problem(f"audit entry {expected_seq} is missing (next is {row['seq']})")
        expected_seq = row["seq"] + 1
        if row["prev_hash"] != prev:
            problem(f"audit entry {row['seq']} does not follow its predecessor")
        if entry_hash(row) != row["hash"]:
            problem(f"audit entry {row['seq']} was altered")
        prev = row["hash"]
        if row["state_hash"] is not None and row["record_type"] is not None:
            latest[(row["record_type"], row["record_id"])] = row["state_hash"]
    by_type: dict[str, dict[int, str]] = {}
    for (rtype, rid), shash in latest.items():
        by_type.setdefault(rtype, {})[rid] = shash
    for rtype, expected in by_type.items():
        table = RECORD_TABLES.get(rtype)
        if table is None:
            continue
        if since is not None:
            for rid, shash in expected.items():
                result.records += 1
                row = store.one(f"SELECT * FROM {table} WHERE id = ?", (rid,))
                if state_hash(row) != shash:
                    problem(f"{rtype} {rid} was changed outside cosa")
            continue
        actual = {r["id"]: state_hash(r) for r in store.conn.execute(f"SELECT * FROM {table}")}
        for rid, shash in expected.items():
            result.records += 1
            if actual.get(rid, "deleted") != shash:
                problem(f"{rtype} {rid} was changed outside cosa")
        for rid in actual.keys() - expected.keys():
            problem(f"{rtype} {rid} has no audit entry")
    for text in settings_problems(store):
        problem(text)
    for text in seal_shape(store, seal_n):
        problem(text)
    if head and int(head.get("seq", 0)):
        seq = int(head["seq"])
        row = store.one("SELECT hash FROM audit WHERE seq = ?", (seq,))
        if row is None or row["hash"] != head.get("hash"):
            problem(f"the audit trail does not reach the recorded high-water mark (entry {seq})")
    return result


def settings_problems(store: Store) -> list[str]:
    """Each setting whose stored value is not what its last `setting.set`/`setting.unset`
    entry recorded (settings are not records, so no state hash covers them: an old page of
    the settings table pasted back would otherwise pass). The table is a handful of rows."""
    expected: dict[str, str | None] = {}
    for row in store.query(
        "SELECT action, detail FROM audit WHERE action IN ('setting.set', 'setting.unset')"
        " ORDER BY seq"
    ):
        try:
            detail = json.loads(row["detail"] or "{}")
        except ValueError:
            continue
        if isinstance(detail, dict) and isinstance(detail.get("key"), str):
            set_ = row["action"] == "setting.set"
            expected[detail["key"]] = str(detail.get("value")) if set_ else None
    actual = {r["key"]: r["value"] for r in store.query("SELECT key, value FROM settings")}
    return [
        f"setting {key} was changed outside cosa"
        for key, value in sorted(expected.items())
        if actual.get(key) != value
    ]


def seal_shape(store: Store, seal_n: int | None = None) -> list[str]:
    if store.one("SELECT 1 FROM sqlite_master WHERE name = 'audit_seals'") is None:
        return []
    info = store.one("SELECT min(n) AS first, max(n) AS last, count(*) AS count FROM audit_seals")
    if info is None or not info["count"]:
        return [] if not seal_n else ["the audit seals are missing"]
    problems = []
    if info["last"] - info["first"] + 1 != info["count"]:
        problems.append("some audit seals are missing (a gap in their positions)")
    last_seq = store.scalar("SELECT seq FROM audit_seals WHERE n = ?", (info["last"],))
    head_seq, _ = store.audit_head()
    if last_seq != head_seq:
        problems.append(
            f"the last audit seal is on entry {last_seq}, not on the head (entry {head_seq})"
        )
    if seal_n is not None and seal_n > info["last"] + 1:
        problems.append(
            f"the key file's seal ratchet is at {seal_n} but the seals end at {info['last']}:"
            " seals were removed"
        )
    return problems


def entries(
    store: Store,
    *,
    since: str | None = None,
    until: str | None = None,
    record_type: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    sql = (
        "SELECT seq, at, operator, action, record_type, record_id, fields, detail, hash FROM audit"
    )
    where, params = [], []
    if since:
        where.append("at >= ?")
        params.append(since)
    if until:  # a day: entries up to the end of it
        where.append("at < ?")
        params.append(until + "~")
    if record_type:
        where.append("record_type = ?")
        params.append(record_type)
    if action:
        where.append("action LIKE ?")
        params.append(action + "%")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY seq DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = store.query(sql, params)
    for r in rows:
        r["fields"] = json.loads(r["fields"]) if r["fields"] else []
        r["detail"] = json.loads(r["detail"]) if r["detail"] else None
    rows.reverse()
    return rows


_unrecorded_said = False


def record_view(
    store: Store,
    command: str,
    record_type: str | None = None,
    record_id: int | None = None,
    *,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one `view` entry for a read of case content: who (the operator), what (the
    command, the record or the records listed), when. Never the content.

    For one record, also warn once on stderr if it no longer matches its audit trail (a page
    replayed or a row edited behind cosa). A view that cannot be recorded because the workspace is
    read-only is said once on stderr; the read itself goes on.
    """
    global _unrecorded_said
    table = RECORD_TABLES.get(record_type or "")
    if table is not None and record_id is not None:
        row = store.one(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
        if row is not None:
            store.warn_if_changed(str(record_type), record_id, row)
    try:
        with store.atomic():
            store.audit(
                "view", record_type, record_id, detail={"command": command, **(detail or {})}
            )
    except Exception as exc:
        if not _is_read_only(exc):
            raise
        if not _unrecorded_said:
            _unrecorded_said = True
            from cosa.output import message

            message(
                "note: the workspace is read-only, so this view is not recorded in the audit trail"
            )


def _is_read_only(exc: BaseException) -> bool:
    text = str(getattr(exc, "message", exc)).lower()
    return "readonly" in text or "read-only" in text or "read only" in text
