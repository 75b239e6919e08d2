"""Retention: a schedule per record type, what is due under it, and erasure.

**Rules are data** (table `retention_rules`, one row per record type, defaults in
`DEFAULT_RULES`): a *trigger* event, a *period* (`6y`, `18m`, `2w`, `30d`) and an *action*:

* `review` — listed when due; nothing is changed automatically. The coordinator decides:
  keep it longer (`keep`, an exception with a reason and a date) or erase it now (`erase`);
* `anonymise` — identifying text is replaced by `MARKER` (names, identity rows, free text of
  minutes, notes, concerns, …), personal fields without text form (date of birth, email,
  phone) are cleared; dates, types, categories, RAG ratings, scores and counts stay, so
  statistics and funders' returns still add up;
* `delete` — the record and everything that hangs off it (its *bundle*, below) is deleted.

The audit trail is never deleted: it holds no content (actions, record types, ids, field
*names*, hashes) and its hash chain is what proves the history.

**What a record is.** Rules are per *subject*, and each subject brings its bundle:

* `member` — the core member with identity, licence conditions, risk assessments, consent,
  referrals and all his circles with their members, links, phases, goals and progress,
  meetings, attendance, minutes and amendments, contacts, concerns, notes, escalations,
  actions, reviews, risk reviews and disclosures. The bundle is every row that reaches the
  member through foreign keys (so a table added later is included without code here).
  Trigger `circle end`: the end of his last circle, once all his circles have ended.
* `volunteer` — name and contact details, vetting, training, supervision, hours and
  documents. Rows of
  circles that name the volunteer (membership, attendance, contacts) belong to the core
  member's file: deleting a volunteer still referenced there deletes their own records and
  anonymises the volunteer row (kept as a placeholder). Free-text mentions of a volunteer in
  minutes go with the core member's file. Trigger `volunteer leaving`.
* `vetting` — one DBS check's facts (never the certificate's content). Trigger `volunteer
  leaving`.
* `referral` — a declined or withdrawn referral with its decision history and documents;
  when its core member never had a circle and
  has no other referral, his file goes with it (someone who was never in a circle leaves no
  identity behind). Trigger `referral decision`.
* `professional` — name, phone and email of an outer-circle professional (and the recipient
  name on disclosures to them); review or anonymise only, as escalations and disclosures
  refer to them. Trigger `professional inactive` (their "active to" date).

**Holds and exceptions.** A legal hold (`retention_holds`) exempts a record and its bundle
from every erasure until released; a hold on a referral also holds its core member, and on a
vetting record its volunteer, and the other way round. An exception (`retention_exceptions`)
keeps a record past its due date until a given date, with a reason (and, the same way, its
parent or children: a bundle is erased whole or not at all); both show in the listing.
`erase` (by hand, after a review) overrides exceptions but never a hold. Holds, exceptions and the erasure register refer to records by UUID, so a record
number that SQLite reuses after a deletion never inherits them.

**Due** is computed in one SQL statement (a UNION over the rules): the trigger date plus the
period (months and years clamp to the month's end: 29 February + 1 year = 28 February), due
on or before today. A subject already anonymised is due again only under a `delete` rule.

**Applying** runs in one write transaction: every due `anonymise`/`delete` that is not held
or kept, each row changed or deleted with its own audit entry (`retention.anonymise` with the
new state hash, or `retention.delete` marked deleted, so `audit verify` keeps matching), the
search-index entries of every touched record removed (`search.unindex`; the index runs with
`secure-delete`, so the words leave its vocabulary at once), one summary entry per subject
(`retention.erase`: action, rule, trigger date, due date, row counts per record type — never
content) and a row in the erasure register (`retention_erasures`). After the commit, `scrub`
checkpoints and truncates the write-ahead log and runs `VACUUM`, so no page that held erased
content stays in the file (SQLCipher encrypts every page anyway; `secure_delete` zeroes freed
content).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from graphlib import TopologicalSorter
from typing import Any

from cosa import dates
from cosa.domain import search
from cosa.domain.members import number_ref, resolve_member
from cosa.domain.resolve import person
from cosa.domain.volunteers import check_choice, clean_text
from cosa.errors import UserError
from cosa.migrations import RECORD_TABLES
from cosa.store import Row, Store

MARKER = "[anonymised]"
ACTIONS = ("review", "anonymise", "delete")
ERASING = ("anonymise", "delete")
AUDIT = "audit"
BY_HAND = "by hand"

RULES = "retention_rules"
HOLDS = "retention_holds"
EXCEPTIONS = "retention_exceptions"
ERASURES = "retention_erasures"


@dataclass(frozen=True)
class Kind:
    """A record type that retention rules apply to."""

    name: str
    table: str
    triggers: tuple[str, ...]
    actions: tuple[str, ...]
    what: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "member",
            "core_members",
            ("circle end",),
            ACTIONS,
            "core member's file: identity, legal status, risk, consent, referrals, circles "
            "with meetings, minutes, contacts, concerns, escalations, actions, reviews, goals "
            "and disclosures",
        ),
        Kind(
            "volunteer",
            "volunteers",
            ("volunteer leaving",),
            ACTIONS,
            "volunteer's file: contact details, vetting, training, supervision, hours",
        ),
        Kind(
            "vetting",
            "volunteer_vetting",
            ("volunteer leaving",),
            ACTIONS,
            "DBS check details (level, certificate number, dates, decision)",
        ),
        Kind(
            "referral",
            "referrals",
            ("referral decision",),
            ACTIONS,
            "declined or withdrawn referral (with the core member's file when he never had "
            "a circle)",
        ),
        Kind(
            "professional",
            "professionals",
            ("professional inactive",),
            ("review", "anonymise"),
            "outer-circle professional's name, phone and email",
        ),
    )
}
#: The order rules are listed and applied in (children before the files that hold them).
ORDER = ("member", "volunteer", "vetting", "referral", "professional", AUDIT)
APPLY_ORDER = ("vetting", "referral", "professional", "volunteer", "member")

#: Defaults for UK CoSA practice: files kept six years after the relationship ended (the
#: Limitation Act period; Circles UK providers' usual schedule) and then reviewed, because
#: safeguarding may justify keeping a file longer; DBS details deleted six months after the
#: volunteer left (DBS code of practice: no longer than needed, normally six months);
#: declined and withdrawn referrals deleted two years after the decision.
DEFAULT_RULES: list[dict[str, str]] = [
    {
        "record_type": "member",
        "trigger": "circle end",
        "period": "6y",
        "action": "review",
        "note": "Six years after his last circle ended; review, then anonymise or delete.",
    },
    {
        "record_type": "volunteer",
        "trigger": "volunteer leaving",
        "period": "6y",
        "action": "review",
        "note": "Six years after leaving; review (safeguarding may justify longer).",
    },
    {
        "record_type": "vetting",
        "trigger": "volunteer leaving",
        "period": "6m",
        "action": "delete",
        "note": "DBS details: no longer than needed, six months after leaving.",
    },
    {
        "record_type": "referral",
        "trigger": "referral decision",
        "period": "2y",
        "action": "delete",
        "note": "Declined or withdrawn referrals, two years after the decision.",
    },
    {
        "record_type": "professional",
        "trigger": "professional inactive",
        "period": "6y",
        "action": "review",
        "note": "Six years after their active dates ended.",
    },
    {
        "record_type": AUDIT,
        "trigger": "never",
        "period": "never",
        "action": "keep",
        "note": "Never deleted: no content, and the hash chain proves the history.",
    },
]

#: What anonymisation does to each table: column -> MARKER (text) or None (cleared).
ANONYMISE: dict[str, dict[str, str | None]] = {
    "core_members": {"notification_requirements": MARKER, "other_orders": MARKER},
    "member_identity": {
        "legal_name": MARKER,
        "aliases": MARKER,
        "date_of_birth": None,
        "address": MARKER,
        "contact": MARKER,
    },
    "member_conditions": {"text": MARKER},
    "referrals": {"referrer": MARKER, "documents": MARKER, "reason": MARKER},
    "circles": {
        "coordinator": MARKER,
        "venue": MARKER,
        "forced_reason": MARKER,
        "ending_note": MARKER,
    },
    "circle_goals": {"text": MARKER, "outcome_note": MARKER},
    "circle_coordinators": {"coordinator": MARKER, "note": MARKER},
    "goal_updates": {"progress": MARKER, "note": MARKER},
    "meetings": {
        "venue": MARKER,
        "late_reason": MARKER,
        "no_meeting_reason": MARKER,
        "minutes": MARKER,
        "state_reason": MARKER,
    },
    "meeting_amendments": {"text": MARKER, "reason": MARKER, "changes": MARKER},
    "contacts": {"note": MARKER},
    "concerns": {
        "text": MARKER,
        "raised_by": MARKER,
        "closed_note": MARKER,
        "void_reason": MARKER,
    },
    "concern_notes": {"text": MARKER},
    "escalations": {"shared": MARKER, "response": MARKER},
    "actions": {"text": MARKER, "owner": MARKER, "closed_note": MARKER},
    "reviews": {"attendees": MARKER, "note": MARKER},
    "risk_reviews": {"note": MARKER},
    "disclosures": {"override_reason": MARKER, "note": MARKER},
    "member_history": {"value": MARKER, "note": MARKER},
    "referral_history": {"note": MARKER, "decided_by": MARKER},
    "followups": {"note": MARKER},
    "outcomes": {"note": MARKER},
    "documents": {"title": MARKER, "file_name": MARKER, "content": None},
    "circle_agreements": {"note": MARKER},
    "sars": {"via": MARKER, "note": MARKER},
    "sar_events": {"reason": MARKER},
    "complaints": {"complainant": MARKER, "about": MARKER, "note": MARKER},
    "volunteers": {"name": MARKER, "email": None, "phone": None, "left_reason": MARKER},
    "volunteer_vetting": {"certificate": MARKER},
    "volunteer_stages": {"note": MARKER},
    "volunteer_references": {"referee": MARKER},
    "volunteer_conflicts": {"reason": MARKER},
    "volunteer_status_history": {"note": MARKER},
    "volunteer_expenses": {"note": MARKER},
    "volunteer_supervision": {"wellbeing": MARKER, "note": MARKER},
    "professionals": {"name": MARKER, "phone": None, "email": None},
    HOLDS: {"reason": MARKER},
    EXCEPTIONS: {"reason": MARKER},
}

#: Text columns deliberately kept by anonymisation (codes, choices from fixed lists or
#: lookups, operators' names, hashes). Dates are recognised by name (`is_date_column`).
#: tests/test_retention.py checks that every text column of every record table is in one
#: of the two maps, so a new column is a decision, not an accident.
KEPT: dict[str, set[str]] = {
    "volunteers": {"status"},
    "lookups": {"kind", "value", "label"},
    "volunteer_vetting": {"level", "decision"},
    "volunteer_training": {"kind", "provider", "title"},
    "volunteer_supervision": {"kind"},
    "volunteer_hours": {"activity"},
    "volunteer_stages": {"stage"},
    "volunteer_references": {"outcome"},
    "volunteer_status_history": {"status"},
    "volunteer_expenses": {"kind"},
    "professionals": {"agency", "role"},
    "core_members": {"code", "mappa_verified", "licence_start", "licence_end"},
    "member_risk": {"instrument", "version", "scale", "value", "source"},
    "member_consent": {"agency"},
    "referrals": {"source", "decision", "reason_group", "decided_by"},
    "circles": {"type", "status", "meeting_day", "meeting_time", "ending_reason"},
    "circle_members": {"role"},
    "circle_phases": {"phase"},
    "circle_goals": {"domain", "outcome"},
    "meetings": {"type", "time", "cm_attended", "rag", "approved_by", "state"},
    "meeting_attendance": {"status"},
    "contacts": {"mode"},
    "concerns": {"severity", "category", "closed_by"},
    "escalations": {"via", "basis"},
    "actions": {"status"},
    "reviews": {"decision", "rag"},
    "risk_review_scores": {"item"},
    "disclosures": {
        "recipient",
        "kind",
        "items",
        "basis",
        "removed",
        "file_name",
        "sha256",
    },
    "member_history": {"field"},
    "referral_history": {"field", "value", "reason_group"},
    "followups": {"mode"},
    "outcomes": {"kind", "offence", "source"},
    "documents": {"kind", "sha256"},
    "circle_agreements": {"version"},
    "sar_events": {"kind", "file_name", "sha256"},
    "complaints": {"outcome"},
    RULES: {"record_type", "trigger", "period", "action", "note"},
    HOLDS: {"record_type", "record_uuid"},
    EXCEPTIONS: {"record_type", "record_uuid"},
    ERASURES: {"record_type", "record_uuid", "action", "rule", "row_counts"},
    # a register of bundles: hashes, workspace ids, pseudonymous codes, counts (no content)
    "transfers": {
        "direction",
        "circle_uuid",
        "bundle_sha256",
        "peer",
        "member_code",
        "member_code_sent",
        "counts",
    },
}

_DATE_SUFFIXES = ("_on", "_at", "_date", "_from", "_to")
_DATE_NAMES = ("at", "date", "due", "until", "next_review", "since")


def is_date_column(column: str) -> bool:
    """True for the columns that hold a date or date-time (by cosa's naming convention)."""
    return column.endswith(_DATE_SUFFIXES) or column in _DATE_NAMES


# -- periods -----------------------------------------------------------------------------------

_PERIOD_UNITS = {
    "y": "y",
    "yr": "y",
    "yrs": "y",
    "year": "y",
    "years": "y",
    "m": "m",
    "mo": "m",
    "mos": "m",
    "month": "m",
    "months": "m",
    "w": "w",
    "wk": "w",
    "wks": "w",
    "week": "w",
    "weeks": "w",
    "d": "d",
    "day": "d",
    "days": "d",
}
_UNIT_WORDS = {"y": "year", "m": "month", "w": "week", "d": "day"}
PERIOD_HINT = "use a number and a unit: 6y (years), 18m (months), 2w (weeks) or 30d (days)"


def parse_period(text: str) -> str:
    """The canonical form (`6y`, `18m`, `2w`, `30d`) of a period a user typed."""
    m = re.fullmatch(r"\s*(\d{1,4})\s*([a-z]+)\s*", text.lower())
    if m is None or m[2] not in _PERIOD_UNITS or int(m[1]) < 1:
        raise UserError(f"invalid --period '{text.strip()}'", hint=PERIOD_HINT)
    return f"{int(m[1])}{_PERIOD_UNITS[m[2]]}"


def describe_period(period: str) -> str:
    if period == "never":
        return "never"
    n, unit = int(period[:-1]), period[-1]
    return f"{n} {_UNIT_WORDS[unit]}{'s' if n != 1 else ''}"


def _modifier(period: str) -> str:
    """The SQLite date() modifier of a period (followed by 'floor' for month ends)."""
    n, unit = int(period[:-1]), period[-1]
    if unit == "w":
        return f"+{7 * n} days"
    return f"+{n} {dict(y='years', m='months', d='days')[unit]}"


def rule_text(rule: Mapping[str, Any]) -> str:
    """`circle end + 6 years` — how a rule is named in listings and audit details."""
    return f"{rule['trigger']} + {describe_period(str(rule['period']))}"


def parse_when(field: str, text: str, *, today: date | None = None) -> date:
    """A date a user typed for a future point (weekday names read forwards)."""
    try:
        return dates.parse_date(text, today=today, future=True)
    except UserError as exc:
        raise UserError(
            exc.message.replace("invalid date", f"invalid {field}", 1), hint=exc.hint
        ) from None


# -- rules -------------------------------------------------------------------------------------


def install_defaults(store: Store) -> None:
    """Insert the default rules that are missing (used by the migration)."""
    have = {r["record_type"] for r in store.query(f"SELECT record_type FROM {RULES}")}
    for rule in DEFAULT_RULES:
        if rule["record_type"] not in have:
            store.insert(RULES, "retention_rule", rule)


def rules(store: Store) -> list[Row]:
    """Every rule, in the documented order, with `what` the record type covers."""
    rows = {r["record_type"]: r for r in store.query(f"SELECT * FROM {RULES}")}
    out = []
    for name in [*ORDER, *sorted(set(rows) - set(ORDER))]:
        if name in rows:
            row = dict(rows[name])
            kind = KINDS.get(name)
            row["what"] = kind.what if kind else "audit entries (no content)"
            row["period_text"] = describe_period(row["period"])
            out.append(row)
    return out


def check_kind(value: str, *, field: str = "TYPE") -> Kind:
    name = value.strip().lower()
    if name == AUDIT:
        raise UserError(
            "audit entries are never erased: they hold no content, and their hash chain "
            "proves the history",
            hint=f"choose one of: {', '.join(KINDS)}",
        )
    return KINDS[check_choice(field, value, tuple(KINDS))]


def set_rule(
    store: Store,
    record_type: str,
    *,
    period: str | None = None,
    action: str | None = None,
    trigger: str | None = None,
    note: str | None = None,
) -> tuple[Row, list[str]]:
    """Change (or create) the rule of a record type; returns the rule and the changed fields."""
    kind = check_kind(record_type)
    changes: dict[str, Any] = {}
    if period is not None:
        changes["period"] = parse_period(period)
    if action is not None:
        changes["action"] = check_choice("--action", action, kind.actions)
    if trigger is not None:
        changes["trigger"] = check_choice("--trigger", trigger, kind.triggers)
    if note is not None:
        changes["note"] = clean_text("--note", note)
    if not changes:
        raise UserError("nothing to change", hint="give --period, --action, --trigger or --note")
    with store.atomic():
        row = store.one(f"SELECT * FROM {RULES} WHERE record_type = ?", (kind.name,))
        if row is None:
            values = {
                "record_type": kind.name,
                "trigger": kind.triggers[0],
                "period": "6y",
                "action": "review",
                "note": None,
                **changes,
            }
            rid = store.insert(RULES, "retention_rule", values, "retention_rule.set")
            changed = sorted(changes)
        else:
            rid = int(row["id"])
            changed = store.update(RULES, "retention_rule", rid, changes, "retention_rule.set")
        rule = store.one(f"SELECT * FROM {RULES} WHERE id = ?", (rid,))
    assert rule is not None
    return rule, changed


# -- what is due -------------------------------------------------------------------------------

#: Per kind: the candidates (record_id, record_uuid, label, trigger_date) and the SQL giving
#: the UUIDs of the records whose hold also holds this one (parent or children).
_CANDIDATES: dict[str, str] = {
    "member": (
        "SELECT m.id AS record_id, m.uuid AS record_uuid, m.code AS label,"
        " max(c.ended_on) AS trigger_date"
        " FROM core_members m JOIN circles c ON c.member_id = m.id GROUP BY m.id"
        " HAVING sum(c.status != 'ended' OR c.ended_on IS NULL) = 0"
    ),
    "volunteer": (
        "SELECT v.id AS record_id, v.uuid AS record_uuid, v.name AS label,"
        " v.left_on AS trigger_date FROM volunteers v"
        " WHERE v.status = 'left' AND v.left_on IS NOT NULL"
    ),
    "vetting": (
        "SELECT d.id AS record_id, d.uuid AS record_uuid,"
        " 'DBS check of ' || v.name || ' (' || d.level || ', issued ' || d.issued_on || ')'"
        " AS label, v.left_on AS trigger_date"
        " FROM volunteer_vetting d JOIN volunteers v ON v.id = d.volunteer_id"
        " WHERE v.status = 'left' AND v.left_on IS NOT NULL"
    ),
    "referral": (
        "SELECT r.id AS record_id, r.uuid AS record_uuid,"
        " 'referral received ' || r.received_on || ', ' || r.decision"
        " || coalesce(' (' || m.code || ')', '') AS label, r.decided_on AS trigger_date"
        " FROM referrals r LEFT JOIN core_members m ON m.id = r.member_id"
        " WHERE r.decision IN ('declined', 'withdrawn') AND r.decided_on IS NOT NULL"
    ),
    "professional": (
        "SELECT p.id AS record_id, p.uuid AS record_uuid,"
        " p.name || ' (' || p.agency || ')' AS label, p.active_to AS trigger_date"
        " FROM professionals p WHERE p.active_to IS NOT NULL"
    ),
}
_HELD_WITH: dict[str, str] = {
    "member": "SELECT r.uuid FROM referrals r WHERE r.member_id = x.record_id",
    "volunteer": "SELECT d.uuid FROM volunteer_vetting d WHERE d.volunteer_id = x.record_id",
    "vetting": (
        "SELECT v.uuid FROM volunteers v JOIN volunteer_vetting d ON d.volunteer_id = v.id"
        " WHERE d.id = x.record_id"
    ),
    "referral": (
        "SELECT m.uuid FROM core_members m JOIN referrals r ON r.member_id = m.id"
        " WHERE r.id = x.record_id"
    ),
    "professional": "SELECT NULL AS uuid WHERE x.record_id IS NULL",
}


def _branch(kind: str) -> str:
    return f"""
    SELECT ? AS record_type, x.record_id AS id, x.record_uuid, x.label, ? AS rule_id,
        ? AS trigger, ? AS period, ? AS action, x.trigger_date,
        date(x.trigger_date, ?, 'floor') AS due_on,
        (SELECT h.id FROM {HOLDS} h WHERE h.released_on IS NULL
            AND (h.record_uuid = x.record_uuid OR h.record_uuid IN ({_HELD_WITH[kind]}))
            ORDER BY h.id LIMIT 1) AS hold_id,
        (SELECT e.id FROM {EXCEPTIONS} e WHERE e.until >= ?
            AND (e.record_uuid = x.record_uuid OR e.record_uuid IN ({_HELD_WITH[kind]}))
            ORDER BY e.until DESC, e.id DESC LIMIT 1) AS exception_id
    FROM ({_CANDIDATES[kind]}) x
    WHERE NOT EXISTS (SELECT 1 FROM {ERASURES} z WHERE z.record_uuid = x.record_uuid
        AND (z.action = 'delete' OR ? != 'delete'))"""


def due(store: Store, *, today: date | None = None, as_of: date | None = None) -> list[Row]:
    """Every record whose rule has fallen due by `as_of` (default today), oldest first.

    Each row: record_type, id, record_uuid, label, trigger, period, action, trigger_date,
    due_on, status (`due`, `held` or `kept`), and the hold (`hold_reason`, `held_on`) or the
    exception (`kept_until`, `keep_reason`) that explains a status other than `due`.
    """
    day = dates.iso(today or date.today())
    until = dates.iso(as_of) if as_of is not None else day
    branches, params = [], []
    for rule in rules(store):
        kind = rule["record_type"]
        if kind not in KINDS or rule["period"] == "never":
            continue
        if rule["trigger"] not in KINDS[kind].triggers:
            continue  # a trigger this version does not know: nothing can be computed
        branches.append(_branch(kind))
        params += [
            kind,
            rule["id"],
            rule["trigger"],
            rule["period"],
            rule["action"],
            _modifier(rule["period"]),
            until,
            rule["action"],
        ]
    if not branches:
        return []
    sql = f"""
    SELECT d.*, h.reason AS hold_reason, h.held_on, e.until AS kept_until,
        e.reason AS keep_reason
    FROM ({" UNION ALL ".join(branches)}) d
    LEFT JOIN {HOLDS} h ON h.id = d.hold_id
    LEFT JOIN {EXCEPTIONS} e ON e.id = d.exception_id
    WHERE d.due_on <= ?
    ORDER BY d.due_on, d.record_type, d.id"""
    rows = store.query(sql, [*params, until])
    for row in rows:
        row["status"] = (
            "held"
            if row["hold_id"] is not None
            else "kept"
            if row["kept_until"] is not None
            else "due"
        )
        row["rule"] = rule_text(row)
        for key in ("hold_id", "exception_id", "rule_id"):
            row.pop(key)
    return rows


# -- resolving what the user names -------------------------------------------------------------


def resolve_subject(store: Store, record_type: str, ref: str) -> tuple[Kind, Row]:
    """The record a user named: a member by code, a volunteer or professional by number or
    name prefix, a referral or vetting record by number."""
    kind = check_kind(record_type)
    if kind.name == "member":
        return kind, resolve_member(store, ref)
    if kind.name == "volunteer":
        return kind, person(store, "volunteers", "volunteer", ref)
    if kind.name == "professional":
        return kind, person(store, "professionals", "pro", ref)
    rid = number_ref(kind.name, ref)
    row = store.one(f"SELECT * FROM {kind.table} WHERE id = ?", (rid,))
    if row is None:
        raise UserError(f"{kind.name} {rid} not found")
    return kind, row


def _label(kind: Kind, row: Row) -> str:
    if kind.name == "member":
        return str(row["code"])
    if kind.name in ("volunteer", "professional"):
        return f"{kind.name} {row['id']} ({row['name']})"
    return f"{kind.name} {row['id']}"


def _held_with(store: Store, kind: Kind, row: Row) -> list[str]:
    sql = _HELD_WITH[kind.name].replace("x.record_id", "?")
    return [str(r["uuid"]) for r in store.query(sql, (row["id"],)) if r.get("uuid")]


def active_hold(store: Store, kind: Kind, row: Row) -> Row | None:
    """The hold in force on this record, its parent or its children (if any)."""
    uuids = [row["uuid"], *_held_with(store, kind, row)]
    marks = ", ".join("?" * len(uuids))
    return store.one(
        f"SELECT * FROM {HOLDS} WHERE released_on IS NULL AND record_uuid IN ({marks})"
        " ORDER BY id LIMIT 1",
        uuids,
    )


# -- holds and exceptions ----------------------------------------------------------------------


def hold(
    store: Store, record_type: str, ref: str, *, reason: str, today: date | None = None
) -> Row:
    """Place a legal hold on a record (and its bundle): no erasure until it is released."""
    text = clean_text("--reason", reason, required=True)
    with store.atomic():
        kind, row = resolve_subject(store, record_type, ref)
        current = store.one(
            f"SELECT * FROM {HOLDS} WHERE record_uuid = ? AND released_on IS NULL",
            (row["uuid"],),
        )
        if current is not None:
            raise UserError(
                f"{_label(kind, row)} is already on hold since {current['held_on']}",
                hint=f"`cosa retention release {kind.name} {row['id']}` lifts it",
            )
        values = {
            "record_type": kind.name,
            "record_id": row["id"],
            "record_uuid": row["uuid"],
            "reason": text,
            "held_on": dates.iso(today or date.today()),
        }
        hid = store.insert(HOLDS, "retention_hold", values)
    return {**values, "id": hid, "label": _label(kind, row)}


def release(store: Store, record_type: str, ref: str, *, today: date | None = None) -> Row:
    """Lift the legal hold on a record (the hold stays on record, with its release date)."""
    with store.atomic():
        kind, row = resolve_subject(store, record_type, ref)
        current = store.one(
            f"SELECT * FROM {HOLDS} WHERE record_uuid = ? AND released_on IS NULL",
            (row["uuid"],),
        )
        if current is None:
            raise UserError(f"{_label(kind, row)} is not on hold")
        day = dates.iso(today or date.today())
        store.update(
            HOLDS, "retention_hold", current["id"], {"released_on": day}, "retention_hold.release"
        )
    return {**current, "released_on": day, "label": _label(kind, row)}


def keep(
    store: Store,
    record_type: str,
    ref: str,
    *,
    until: str | date,
    reason: str,
    today: date | None = None,
) -> Row:
    """Record an exception: keep a record past its due date until `until`, with a reason."""
    text = clean_text("--reason", reason, required=True)
    day = today or date.today()
    end = until if isinstance(until, date) else parse_when("--until", until, today=day)
    if end <= day:
        raise UserError(f"invalid --until {dates.iso(end)}: must be after today")
    with store.atomic():
        kind, row = resolve_subject(store, record_type, ref)
        values = {
            "record_type": kind.name,
            "record_id": row["id"],
            "record_uuid": row["uuid"],
            "until": dates.iso(end),
            "reason": text,
        }
        eid = store.insert(EXCEPTIONS, "retention_exception", values)
    return {**values, "id": eid, "label": _label(kind, row)}


def holds(store: Store, *, today: date | None = None) -> list[Row]:
    """Holds in force and exceptions not yet lapsed, with the record's current label."""
    day = dates.iso(today or date.today())
    rows = store.query(
        f"SELECT 'hold' AS kind, id, record_type, record_id, record_uuid, reason,"
        f" held_on AS since, NULL AS until FROM {HOLDS} WHERE released_on IS NULL"
        f" UNION ALL SELECT 'exception', id, record_type, record_id, record_uuid, reason,"
        f" substr(created_at, 1, 10), until FROM {EXCEPTIONS} WHERE until >= ?"
        " ORDER BY since, kind",
        (day,),
    )
    for row in rows:
        kind = KINDS.get(row["record_type"])
        current = (
            store.one(f"SELECT * FROM {kind.table} WHERE uuid = ?", (row["record_uuid"],))
            if kind
            else None
        )
        row["label"] = _label(kind, current) if kind and current else "(erased)"
    return rows


# -- erasure -----------------------------------------------------------------------------------

_TYPE_OF_TABLE: dict[str, str] = {}


def type_of(table: str) -> str:
    """The audit record type of a record table."""
    if not _TYPE_OF_TABLE:
        for rtype, tbl in RECORD_TABLES.items():
            _TYPE_OF_TABLE.setdefault(tbl, rtype)
    return _TYPE_OF_TABLE[table]


_FK_CACHE: dict[int, dict[str, list[tuple[str, str]]]] = {}


def _children(store: Store) -> dict[str, list[tuple[str, str]]]:
    """parent table -> [(child table, column)] for every foreign key between record tables
    (cached per schema version: every migrated database of a version has the same keys)."""
    version = store.schema_version()
    if version not in _FK_CACHE:
        out: dict[str, list[tuple[str, str]]] = {}
        for table in sorted(set(RECORD_TABLES.values())):
            for fk in store.query(f"PRAGMA foreign_key_list({table})"):
                out.setdefault(str(fk["table"]), []).append((table, str(fk["from"])))
        _FK_CACHE[version] = out
    return _FK_CACHE[version]


def _chunks(ids: Iterable[int], size: int = 500) -> Iterable[list[int]]:
    batch: list[int] = []
    for i in ids:
        batch.append(i)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _closure(
    store: Store, table: str, ids: Iterable[int], *, within: set[str] | None = None
) -> dict[str, set[int]]:
    """Rows of `table` with `ids` and every row that reaches them through foreign keys
    (limited to the tables in `within` when given)."""
    children = _children(store)
    found: dict[str, set[int]] = {table: set(ids)}
    queue = [(table, set(ids))]
    while queue:
        parent, new = queue.pop()
        for child, column in children.get(parent, []):
            if within is not None and child not in within:
                continue
            hits: set[int] = set()
            for batch in _chunks(sorted(new)):
                marks = ", ".join("?" * len(batch))
                hits |= {
                    int(r["id"])
                    for r in store.query(
                        f"SELECT id FROM {child} WHERE {column} IN ({marks})", batch
                    )
                }
            fresh = hits - found.get(child, set())
            if fresh:
                found.setdefault(child, set()).update(fresh)
                queue.append((child, fresh))
    return found


def _delete_order(store: Store, tables: Iterable[str]) -> list[str]:
    """`tables` ordered so that every table comes before the tables it refers to."""
    wanted = set(tables)
    graph: dict[str, set[str]] = {t: set() for t in wanted}
    for parent, kids in _children(store).items():
        if parent in wanted:
            graph[parent] |= {c for c, _ in kids if c in wanted and c != parent}
    return list(TopologicalSorter(graph).static_order())


_VOLUNTEER_OWN = {
    "documents",
    "volunteer_vetting",
    "volunteer_training",
    "volunteer_supervision",
    "volunteer_hours",
    "volunteer_stages",
    "volunteer_references",
    "volunteer_conflicts",
    "volunteer_status_history",
    "volunteer_expenses",
}


def _member_alone(store: Store, member_id: int, referral_id: int) -> bool:
    """True when the member has no circle and no referral but this one."""
    return not store.one(
        "SELECT 1 AS x FROM circles WHERE member_id = ?"
        " UNION ALL SELECT 1 FROM referrals WHERE member_id = ? AND id != ? LIMIT 1",
        (member_id, member_id, referral_id),
    )


def _bundle(store: Store, kind: Kind, row: Row, *, today: str) -> dict[str, set[int]]:
    """The rows that go with a subject."""
    if kind.name == "member":
        return _closure(store, kind.table, [row["id"]])
    if kind.name == "volunteer":
        return _closure(store, kind.table, [row["id"]], within=_VOLUNTEER_OWN)
    if kind.name == "referral":
        mid = row["member_id"]
        if mid is not None and _member_alone(store, mid, row["id"]):
            member = store.one("SELECT * FROM core_members WHERE id = ?", (mid,))
            assert member is not None
            kept = store.one(
                f"SELECT 1 AS x FROM {EXCEPTIONS} WHERE record_uuid = ? AND until >= ?",
                (member["uuid"], today),
            )
            if kept is None:
                return _closure(store, "core_members", [mid])
        return _closure(store, kind.table, [row["id"]])
    return {kind.table: {int(row["id"])}}


def _subject_uuids(store: Store, rows: Mapping[str, set[int]]) -> list[str]:
    """UUIDs of the records in a bundle that holds and exceptions can name."""
    tables = {k.table for k in KINDS.values()}
    out: list[str] = []
    for table, ids in rows.items():
        if table not in tables:
            continue
        for batch in _chunks(sorted(ids)):
            marks = ", ".join("?" * len(batch))
            out += [
                str(r["uuid"])
                for r in store.query(f"SELECT uuid FROM {table} WHERE id IN ({marks})", batch)
            ]
    return out


def _notes_about(store: Store, uuids: list[str]) -> dict[str, set[int]]:
    """Released holds and exceptions about the records of a bundle (their reasons are free
    text and go with the records)."""
    out: dict[str, set[int]] = {}
    for table in (HOLDS, EXCEPTIONS):
        for batch in _chunks(range(len(uuids))):
            part = [uuids[i] for i in batch]
            marks = ", ".join("?" * len(part))
            ids = {
                int(r["id"])
                for r in store.query(f"SELECT id FROM {table} WHERE record_uuid IN ({marks})", part)
            }
            if ids:
                out.setdefault(table, set()).update(ids)
    return out


def _count(counts: dict[str, int], table: str, n: int = 1) -> None:
    rtype = type_of(table)
    counts[rtype] = counts.get(rtype, 0) + n


def _unindex(store: Store, table: str, rid: int) -> None:
    rtype = type_of(table)
    if rtype in search.TYPE_CODES:
        search.unindex(store, rtype, rid)


def _unindex_all(store: Store, rows: Mapping[str, set[int]]) -> None:
    """Remove the search-index entries of every row first, in one run (interleaving FTS5
    secure-deletes with table writes costs several times as much)."""
    for table in sorted(rows):
        if type_of(table) in search.TYPE_CODES:
            for rid in sorted(rows[table]):
                _unindex(store, table, rid)


def _delete_rows(store: Store, rows: Mapping[str, set[int]], of: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    _unindex_all(store, rows)
    for table in _delete_order(store, rows):
        rtype = type_of(table)
        for rid in sorted(rows[table]):
            store.delete(table, rtype, rid, "retention.delete", detail={"part_of": of})
            _count(counts, table)
    return counts


def _anonymise_row(store: Store, table: str, rid: int) -> bool:
    spec = ANONYMISE.get(table)
    if not spec:
        return False
    current = store.one(f"SELECT * FROM {table} WHERE id = ?", (rid,))
    if current is None:
        return False
    changes = {
        col: value for col, value in spec.items() if current.get(col) not in (None, "", value)
    }
    if not changes:
        return False
    store.update(table, type_of(table), rid, changes, "retention.anonymise")
    return True


def _anonymise_rows(store: Store, rows: Mapping[str, set[int]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    _unindex_all(store, rows)
    for table in sorted(rows):
        for rid in sorted(rows[table]):
            if _anonymise_row(store, table, rid):
                _count(counts, table)
    return counts


def _referenced_elsewhere(store: Store, table: str, rid: int) -> bool:
    for child, column in _children(store).get(table, []):
        if store.one(f"SELECT 1 AS x FROM {child} WHERE {column} = ? LIMIT 1", (rid,)):
            return True
    return False


@dataclass
class Erasure:
    record_type: str
    id: int
    label: str
    action: str
    rule: str
    trigger_date: str | None
    due_on: str | None
    rows: dict[str, int]
    note: str | None = None

    def as_row(self) -> Row:
        return dict(self.__dict__)


def _erase(
    store: Store,
    kind: Kind,
    row: Row,
    action: str,
    *,
    rule: str,
    trigger_date: str | None,
    due_on: str | None,
    today: str,
) -> Erasure | None:
    """Anonymise or delete one subject and its bundle (inside the caller's transaction)."""
    label = str(row["code"]) if kind.name == "member" else f"{kind.name} {row['id']}"
    rows = _bundle(store, kind, row, today=today)
    uuids = _subject_uuids(store, rows)
    marks = ", ".join("?" * len(uuids))
    if store.one(
        f"SELECT 1 AS x FROM {HOLDS} WHERE released_on IS NULL AND record_uuid IN ({marks})",
        uuids,
    ):
        return None  # something in the bundle went on hold meanwhile: leave it all alone
    notes = _notes_about(store, uuids)
    of = f"{kind.name} {row['id']}"
    note = None
    if action == "delete":
        keep_row = kind.name == "volunteer"
        if keep_row:
            rows = {t: ids for t, ids in rows.items() if t != kind.table}
        counts = _delete_rows(store, {**rows, **notes}, of)
        if keep_row:
            if _referenced_elsewhere(store, kind.table, row["id"]):
                if _anonymise_row(store, kind.table, row["id"]):
                    _count(counts, kind.table)
                note = "volunteer row anonymised, not deleted: circle records refer to it"
            else:
                counts.update(_delete_rows(store, {kind.table: {int(row["id"])}}, of))
    else:
        counts = _anonymise_rows(store, {**rows, **notes})
        if kind.name == "professional":
            for d in store.query(
                "SELECT id FROM disclosures WHERE professional_id = ? AND recipient != ?",
                (row["id"], MARKER),
            ):
                store.update(
                    "disclosures",
                    "disclosure",
                    d["id"],
                    {"recipient": MARKER},
                    "retention.anonymise",
                )
                _count(counts, "disclosures")
    gone = store.one(f"SELECT 1 AS x FROM {kind.table} WHERE id = ?", (row["id"],)) is None
    detail = {
        "action": action,
        "rule": rule,
        "trigger_date": trigger_date,
        "due_on": due_on,
        "rows": counts,
    }
    if note:
        detail["note"] = note
    if gone:
        store.audit("retention.erase", kind.name, row["id"], deleted=True, detail=detail)
    else:
        store.audit("retention.erase", kind.name, row["id"], table=kind.table, detail=detail)
    store.insert(
        ERASURES,
        "retention_erasure",
        {
            "record_type": kind.name,
            "record_id": row["id"],
            "record_uuid": row["uuid"],
            "action": action,
            "rule": rule,
            "trigger_date": trigger_date,
            "due_on": due_on,
            "row_counts": json.dumps(counts, sort_keys=True),
        },
    )
    return Erasure(
        kind.name, int(row["id"]), label, action, rule, trigger_date, due_on, counts, note
    )


def pending(store: Store, *, today: date | None = None) -> list[Row]:
    """The due records `apply` would erase now (not held, not kept, action not review)."""
    return [r for r in due(store, today=today) if r["status"] == "due" and r["action"] in ERASING]


Progress = Callable[[int, int], None]

#: Page cache for an erasure (KiB, as a negative cache_size): a large file's deletions and
#: search-index updates in one transaction run about twice as fast with room to work.
ERASE_CACHE_KIB = 64 * 1024


@contextmanager
def _roomy_cache(store: Store) -> Iterator[None]:
    before = store.scalar("PRAGMA cache_size")
    store.conn.execute(f"PRAGMA cache_size = -{ERASE_CACHE_KIB}")
    try:
        yield
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(before)}")


def apply(
    store: Store,
    *,
    today: date | None = None,
    only: set[str] | None = None,
    progress: Progress | None = None,
) -> list[Erasure]:
    """Erase everything due now, in one transaction; then scrub the database file.

    `only`: the record UUIDs the user confirmed (anything that became due between the listing
    and the confirmation is left for the next run). `progress(done, total)` is called after
    each record.
    """
    day = today or date.today()
    done: list[Erasure] = []
    with _roomy_cache(store), store.atomic():
        items = pending(store, today=day)
        if only is not None:
            items = [i for i in items if i["record_uuid"] in only]
        items.sort(key=lambda i: (APPLY_ORDER.index(i["record_type"]), i["due_on"], i["id"]))
        for number, item in enumerate(items, 1):
            if progress is not None:
                progress(number - 1, len(items))
            kind = KINDS[item["record_type"]]
            row = store.one(
                f"SELECT * FROM {kind.table} WHERE id = ? AND uuid = ?",
                (item["id"], item["record_uuid"]),
            )
            if row is None:
                continue  # erased with an earlier item's bundle
            result = _erase(
                store,
                kind,
                row,
                item["action"],
                rule=item["rule"],
                trigger_date=item["trigger_date"],
                due_on=item["due_on"],
                today=dates.iso(day) or "",
            )
            if result is not None:
                done.append(result)
    if done:
        scrub(store)
    return done


def check_erase(store: Store, record_type: str, ref: str, action: str) -> tuple[Kind, Row, str]:
    """The record and action of an `erase`, or the reason it is refused (held, already
    anonymised, an action its type does not allow)."""
    kind, row = resolve_subject(store, record_type, ref)
    chosen = check_choice("--action", action, tuple(a for a in kind.actions if a in ERASING))
    held = active_hold(store, kind, row)
    if held is not None:
        raise UserError(
            f"{_label(kind, row)} is on hold since {held['held_on']}: {held['reason']}",
            hint=f"release the hold first (`cosa retention release {held['record_type']}"
            f" {held['record_id']}`)",
        )
    if chosen == "anonymise" and store.one(
        f"SELECT 1 AS x FROM {ERASURES} WHERE record_uuid = ?", (row["uuid"],)
    ):
        raise UserError(f"{_label(kind, row)} is already anonymised")
    return kind, row, chosen


def erase(
    store: Store, record_type: str, ref: str, *, action: str, today: date | None = None
) -> Erasure:
    """Anonymise or delete one record now, whatever its rule says (after a review, or for an
    erasure request). Refused while the record (or its bundle) is on hold."""
    day = dates.iso(today or date.today()) or ""
    with _roomy_cache(store), store.atomic():
        kind, row, chosen = check_erase(store, record_type, ref, action)
        result = _erase(
            store, kind, row, chosen, rule=BY_HAND, trigger_date=None, due_on=None, today=day
        )
        if result is None:  # pragma: no cover - the hold was checked above
            raise UserError(f"{_label(kind, row)} is on hold")
    scrub(store)
    return result


def scrub(store: Store) -> None:
    """After an erasure: checkpoint and truncate the WAL, rebuild the file (VACUUM, so no
    freed page keeps old content), and truncate the WAL again. Best effort: the erasure is
    already committed, so a busy reader only delays this (a warning says so)."""
    try:
        first = store.one("PRAGMA wal_checkpoint(TRUNCATE)")
        store.conn.execute("VACUUM")
        last = store.one("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        first = last = {"busy": 1}
    if any(r and next(iter(r.values())) for r in (first, last)):
        from cosa.output import message

        message(
            "warning: another cosa command is reading the workspace, so the write-ahead log"
            " could not be cleared now; the erased content is already gone from every table"
            " and the search index, and the log is cleared at the next checkpoint"
        )
