"""`cosa report member CODE`: the subject access pack — everything held about one core member.

The pack is the member's own data: his identity and legal status, licence conditions, risk
assessments, consents, referrals, and for each of his circles its members, outer circle,
phases, goals, meetings with attendance and minutes, contacts, concerns with notes and
escalations, actions, reviews and risk reviews; and the disclosures made about him.

Third parties are reduced to role labels: volunteers to "volunteer A", "volunteer B", … (the
same letter throughout the pack), professionals to their role ("probation practitioner",
"police offender manager") with their agency, the referrer to the referring agency, staff to
"the coordinator". Their names are also replaced wherever they occur in free text, by
identity (`cosa.redact`): every name, first name and surname of every volunteer and
professional in the workspace, and every name typed for someone (an action's owner, a
concern's "raised by", a referrer), whole words, whatever their case or accents. What was
withheld, and why, is listed in the pack, with what the coordinator must still check by hand
before releasing it (a subject access request is answered by a person, not a program).

The PDF embeds the same data as JSON (an attachment, encrypted with the PDF under
`--encrypt`); `--json-output FILE` writes it beside the PDF as well. `--sar ID` links the
pack to the subject access request it answers (`cosa.domain.sars`).

A fixed number of queries (`circle_id IN (…)`), whatever the size of the record.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from cosa import history
from cosa.domain.members import resolve_member
from cosa.reports.data import (
    ThirdParties,
    VolunteerNames,
    format_day,
    format_moment,
    letters,
    marks,
)
from cosa.store import Row, Store
from cosa.words import count

KIND = "member"

ROLE_LABELS = {
    "probation": "probation practitioner",
    "police": "police offender manager",
    "treatment": "treatment provider",
    "prison": "prison officer",
    "social care": "social worker",
    "housing": "housing officer",
    "youth": "youth justice worker",
}


class ProfessionalLabels:
    """Professionals as their role: "probation practitioner", or "probation practitioner A"
    when the pack mentions more than one in that role."""

    def __init__(self, pros: Sequence[Row]) -> None:
        by_role: dict[str, list[int]] = {}
        for p in pros:
            by_role.setdefault(self.role(p["role"]), []).append(int(p["id"]))
        self.labels: dict[int, str] = {}
        for role, ids in by_role.items():
            for i, pid in enumerate(ids):
                self.labels[pid] = f"{role} {letters(i)}" if len(ids) > 1 else role
        self.agency = {int(p["id"]): p["agency"] for p in pros}

    @staticmethod
    def role(role: str | None) -> str:
        return ROLE_LABELS.get(role or "", f"{role} professional" if role else "professional")

    def __call__(self, pid: int | None) -> str | None:
        if pid is None:
            return None
        label = self.labels.get(int(pid), "a professional")
        agency = self.agency.get(int(pid))
        return f"{label} ({agency})" if agency else label


def _in(ids: Sequence[int]) -> tuple[str, tuple[int, ...]]:
    return marks(ids), tuple(ids)


def data(store: Store, code: str, *, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    member = resolve_member(store, code)
    mid = member["id"]
    identity = store.one(
        "SELECT legal_name, aliases, date_of_birth, address, contact FROM member_identity"
        " WHERE member_id = ?",
        (mid,),
    )
    circles = store.query(
        "SELECT id, type, status, start_date, ended_on, ending_reason, ending_note,"
        " meeting_day, meeting_time, venue FROM circles WHERE member_id = ? ORDER BY id",
        (mid,),
    )
    cm, cids = _in([c["id"] for c in circles])

    # everyone the pack mentions, first, so that labels are stable
    memberships = store.query(
        "SELECT cm.circle_id, cm.volunteer_id, v.name, cm.role, cm.joined_on, cm.left_on"
        f" FROM circle_members cm JOIN volunteers v ON v.id = cm.volunteer_id"
        f" WHERE cm.circle_id IN ({cm}) ORDER BY cm.joined_on, cm.id",
        cids,
    )
    who = VolunteerNames(
        "role", [{"id": m["volunteer_id"], "name": m["name"]} for m in memberships]
    )
    contact_rows = store.query(
        f"SELECT k.*, v.name FROM contacts k JOIN volunteers v ON v.id = k.volunteer_id"
        f" WHERE k.circle_id IN ({cm}) ORDER BY k.date, k.id",
        cids,
    )
    attendance = store.query(
        "SELECT a.meeting_id, a.volunteer_id, a.status, v.name FROM meeting_attendance a"
        " JOIN meetings m ON m.id = a.meeting_id JOIN volunteers v ON v.id = a.volunteer_id"
        f" WHERE m.circle_id IN ({cm}) AND m.state != 'void'"
        " ORDER BY a.meeting_id, a.status DESC, a.id",
        cids,
    )
    who.extend({"id": r["volunteer_id"], "name": r["name"]} for r in [*contact_rows, *attendance])
    pro_rows = store.query(
        "SELECT DISTINCT p.id, p.name, p.role, p.agency FROM professionals p WHERE p.id IN ("
        f" SELECT professional_id FROM circle_links WHERE circle_id IN ({cm})"
        " UNION SELECT professional_id FROM member_consent WHERE member_id = ?"
        " UNION SELECT e.professional_id FROM escalations e JOIN concerns c"
        f"  ON c.id = e.concern_id WHERE c.circle_id IN ({cm})"
        " UNION SELECT professional_id FROM disclosures WHERE member_id = ?)"
        " ORDER BY p.id",
        (*cids, mid, *cids, mid),
    )
    pro = ProfessionalLabels(pro_rows)
    redact = who.redactor(
        ThirdParties.load(store), professionals=pro, mentioned=[p["id"] for p in pro_rows]
    )

    def r(text: str | None) -> str | None:
        return redact(text)

    # -- about him
    person = {
        "code": member["code"],
        "identity": dict(identity) if identity else None,
        "mappa_category": member["mappa_category"],
        "mappa_level": member["mappa_level"],
        "mappa_verified": member["mappa_verified"],
        "sentence_date": member["sentence_date"],
        "release_date": member["release_date"],
        "licence_start": member["licence_start"],
        "licence_end": member["licence_end"],
        "notification_requirements": r(member["notification_requirements"]),
        "other_orders": r(member["other_orders"]),
        "recorded_on": str(member["created_at"])[:10],
    }
    conditions = [
        {"text": r(c["text"]), "start_date": c["start_date"], "end_date": c["end_date"]}
        for c in store.query(
            "SELECT text, start_date, end_date FROM member_conditions WHERE member_id = ?"
            " ORDER BY start_date, id",
            (mid,),
        )
    ]
    risks = store.query(
        "SELECT instrument, version, scale, value, assessed_on, source FROM member_risk"
        " WHERE member_id = ? ORDER BY assessed_on, id",
        (mid,),
    )
    consents = [
        {
            "with": pro(c["professional_id"]) if c["professional_id"] else f"agency {c['agency']}",
            "given_on": c["given_on"],
            "withdrawn_on": c["withdrawn_on"],
        }
        for c in store.query(
            "SELECT professional_id, agency, given_on, withdrawn_on FROM member_consent"
            " WHERE member_id = ? ORDER BY given_on, id",
            (mid,),
        )
    ]
    record_history = [
        {"on_date": h["on_date"], "field": h["field"], "value": r(h["value"]), "note": r(h["note"])}
        for h in history.entries(store, "member", mid)
    ]
    referrals = [
        {
            "received_on": x["received_on"],
            "source": x["source"],
            "referrer": f"referrer ({x['source']})" if x["referrer"] else None,
            "documents": r(x["documents"]),
            "decision": x["decision"] or "undecided",
            "reason_group": x["reason_group"],
            "reason": r(x["reason"]),
            "decided_on": x["decided_on"],
            "events": [
                {"on_date": e["on_date"], "event": e["value"], "reason": r(e["note"])}
                for e in history.entries(store, "referral", x["id"])
            ],
        }
        for x in store.query(
            "SELECT * FROM referrals WHERE member_id = ? ORDER BY received_on, id", (mid,)
        )
    ]

    # -- his circles (every table read once for all of them)
    phases = store.query(
        f"SELECT circle_id, phase, started_on FROM circle_phases WHERE circle_id IN ({cm})"
        " ORDER BY started_on, id",
        cids,
    )
    links = store.query(
        "SELECT circle_id, professional_id, linked_on, unlinked_on FROM circle_links"
        f" WHERE circle_id IN ({cm}) ORDER BY linked_on, id",
        cids,
    )
    goals = store.query(f"SELECT * FROM circle_goals WHERE circle_id IN ({cm}) ORDER BY id", cids)
    gm, gids = _in([g["id"] for g in goals])
    goal_updates = store.query(
        f"SELECT goal_id, date, progress, note FROM goal_updates WHERE goal_id IN ({gm})"
        " ORDER BY date, id",
        gids,
    )
    meetings = store.query(
        f"SELECT * FROM meetings WHERE circle_id IN ({cm}) AND state != 'void'"
        " ORDER BY date, time, id",
        cids,
    )
    amendments = store.query(
        "SELECT a.meeting_id, a.created_at, a.text, a.reason FROM meeting_amendments a"
        f" JOIN meetings m ON m.id = a.meeting_id WHERE m.circle_id IN ({cm}) ORDER BY a.id",
        cids,
    )
    concerns = store.query(
        f"SELECT * FROM concerns WHERE circle_id IN ({cm}) ORDER BY date, id", cids
    )
    notes = store.query(
        "SELECT n.concern_id, n.date, n.text FROM concern_notes n JOIN concerns c"
        f" ON c.id = n.concern_id WHERE c.circle_id IN ({cm}) ORDER BY n.date, n.id",
        cids,
    )
    escalations = store.query(
        "SELECT e.* FROM escalations e JOIN concerns c ON c.id = e.concern_id"
        f" WHERE c.circle_id IN ({cm}) ORDER BY e.at, e.id",
        cids,
    )
    actions = store.query(f"SELECT * FROM actions WHERE circle_id IN ({cm}) ORDER BY id", cids)
    reviews = store.query(
        f"SELECT * FROM reviews WHERE circle_id IN ({cm}) ORDER BY date, id", cids
    )
    scores = store.query(
        "SELECT rr.id, rr.circle_id, rr.date, rr.note, s.item, s.score FROM risk_reviews rr"
        f" LEFT JOIN risk_review_scores s ON s.risk_review_id = rr.id"
        f" WHERE rr.circle_id IN ({cm}) ORDER BY rr.date, rr.id, s.id",
        cids,
    )

    def of(rows: list[Row], key: str, value: int) -> list[Row]:
        return [x for x in rows if x[key] == value]

    out_circles = []
    for c in circles:
        cid = c["id"]
        risk_reviews: dict[int, dict[str, Any]] = {}
        for s in of(scores, "circle_id", cid):
            entry = risk_reviews.setdefault(
                s["id"], {"date": s["date"], "note": r(s["note"]), "scores": {}}
            )
            if s["item"] is not None:
                entry["scores"][s["item"]] = s["score"]
        out_circles.append(
            {
                "circle": cid,
                "type": c["type"],
                "status": c["status"],
                "start_date": c["start_date"],
                "ended_on": c["ended_on"],
                "ending_reason": c["ending_reason"],
                "ending_note": r(c["ending_note"]),
                "schedule": " ".join(x for x in (c["meeting_day"], c["meeting_time"]) if x) or None,
                "venue": c["venue"],
                "phases": [
                    {"phase": p["phase"], "started_on": p["started_on"]}
                    for p in of(phases, "circle_id", cid)
                ],
                "volunteers": [
                    {
                        "volunteer": who.label(m["volunteer_id"]),
                        "role": m["role"],
                        "joined_on": m["joined_on"],
                        "left_on": m["left_on"],
                    }
                    for m in of(memberships, "circle_id", cid)
                ],
                "outer_circle": [
                    {
                        "professional": pro(x["professional_id"]),
                        "linked_on": x["linked_on"],
                        "unlinked_on": x["unlinked_on"],
                    }
                    for x in of(links, "circle_id", cid)
                ],
                "goals": [
                    {
                        "domain": g["domain"],
                        "text": r(g["text"]),
                        "outcome": g["outcome"],
                        "outcome_on": g["outcome_on"],
                        "outcome_note": r(g["outcome_note"]),
                        "updates": [
                            {"date": u["date"], "progress": r(u["progress"]), "note": r(u["note"])}
                            for u in of(goal_updates, "goal_id", g["id"])
                        ],
                    }
                    for g in of(goals, "circle_id", cid)
                ],
                "meetings": [
                    _meeting(
                        m,
                        of(attendance, "meeting_id", m["id"]),
                        of(amendments, "meeting_id", m["id"]),
                        who,
                        r,
                    )
                    for m in of(meetings, "circle_id", cid)
                ],
                "contacts": [
                    {
                        "date": k["date"],
                        "volunteer": who.label(k["volunteer_id"]),
                        "mode": k["mode"],
                        "duration_minutes": k["duration_minutes"],
                        "note": r(k["note"]),
                    }
                    for k in of(contact_rows, "circle_id", cid)
                ],
                "concerns": [
                    {
                        "date": x["date"],
                        "severity": x["severity"],
                        "category": x["category"],
                        "text": r(x["text"]),
                        "raised_by": r(x["raised_by"]),
                        "closed_on": x["closed_on"],
                        "closed_note": r(x["closed_note"]),
                        "void_reason": r(x["void_reason"]),
                        "notes": [
                            {"date": n["date"], "text": r(n["text"])}
                            for n in of(notes, "concern_id", x["id"])
                        ],
                        "escalations": [
                            {
                                "at": e["at"],
                                "to": pro(e["professional_id"]),
                                "via": e["via"],
                                "shared": r(e["shared"]),
                                "basis": e["basis"],
                                "response": r(e["response"]),
                                "response_at": e["response_at"],
                            }
                            for e in of(escalations, "concern_id", x["id"])
                        ],
                    }
                    for x in of(concerns, "circle_id", cid)
                ],
                "actions": [
                    {
                        "text": r(a["text"]),
                        "owner": r(a["owner"]),
                        "due": a["due"],
                        "status": a["status"],
                        "closed_on": a["closed_on"],
                        "closed_note": r(a["closed_note"]),
                    }
                    for a in of(actions, "circle_id", cid)
                ],
                "reviews": [
                    {
                        "date": v["date"],
                        "attendees": r(v["attendees"]),
                        "decision": v["decision"],
                        "rag": v["rag"],
                        "next_review": v["next_review"],
                        "note": r(v["note"]),
                    }
                    for v in of(reviews, "circle_id", cid)
                ],
                "risk_reviews": list(risk_reviews.values()),
            }
        )

    disclosures = [
        {
            "date": d["disclosed_on"],
            "kind": d["kind"],
            "to": pro(d["professional_id"]) if d["professional_id"] else "you",
            "what": [r(x) for x in json.loads(d["items"])] + ([r(d["note"])] if d["note"] else []),
            "basis": d["basis"],
            "reason": r(d["override_reason"]),
        }
        for d in store.query(
            "SELECT * FROM disclosures WHERE member_id = ? ORDER BY disclosed_on, id", (mid,)
        )
    ]

    withheld = _withheld(redact.count, bool(referrals), bool(memberships), bool(pro_rows))
    return {
        "report": {
            "kind": KIND,
            "title": "Subject access pack",
            "subject": member["code"],
            "period": f"records held on {format_day(today)}",
            "to": today.isoformat(),
            "about": {"type": "member", "id": mid},
        },
        "member": person,
        "licence_conditions": conditions,
        "history": record_history,
        "risk_assessments": risks,
        "consents": consents,
        "referrals": referrals,
        "circles": out_circles,
        "disclosures": disclosures,
        "withheld": withheld,
        "_file": f"subject-access-{member['code']}-{today.isoformat()}",
    }


def _meeting(
    m: Row, attendance: list[Row], amendments: list[Row], who: VolunteerNames, r: Any
) -> dict[str, Any]:
    return {
        "date": m["date"],
        "time": m["time"],
        "duration_minutes": m["duration_minutes"],
        "type": m["type"],
        "state": m["state"],
        "cancelled_reason": r(m["state_reason"]) if m["state"] == "cancelled" else None,
        "venue": m["venue"],
        "attended": m["cm_attended"],
        "late_reason": r(m["late_reason"]),
        "no_meeting_reason": r(m["no_meeting_reason"]),
        "rag": m["rag"],
        "minutes_approved": m["approved_at"] is not None,
        "minutes": r(m["minutes"]),
        "present": [who.label(a["volunteer_id"]) for a in attendance if a["status"] == "present"],
        "apologies": [
            who.label(a["volunteer_id"]) for a in attendance if a["status"] == "apologies"
        ],
        "amendments": [
            {"date": str(a["created_at"])[:10], "text": r(a["text"]), "reason": r(a["reason"])}
            for a in amendments
        ],
    }


#: Reminders for the coordinator, printed by the command (not part of the pack).
BEFORE_RELEASE = [
    "Read the whole pack. Free text can mention people cosa does not know about (victims, "
    "family, neighbours, other core members): redact them by hand.",
    "Information shared with or received from the police or probation may be exempt where "
    "releasing it would prejudice the prevention or detection of crime (DPA 2018, Schedule 2, "
    "paragraph 2): consult the agency before release.",
    "Risk assessments come from partner agencies: ask the agency before releasing their content.",
    "Reply within one calendar month of receiving the request (the clock can pause while "
    "waiting for proof of identity or clarification).",
]


def _withheld(
    replacements: int, referrals: bool, volunteers: bool, professionals: bool
) -> list[dict[str, str]]:
    items = []
    if volunteers:
        items.append(
            {
                "what": "Names and contact details of volunteers",
                "why": "Third-party information (UK GDPR Art. 15(4); DPA 2018 Sch. 2 para 16): "
                "each volunteer is shown as 'volunteer A', 'volunteer B', … the same letter "
                "throughout this pack.",
            }
        )
    if professionals:
        items.append(
            {
                "what": "Names and contact details of professionals",
                "why": "Third-party information: each professional is shown by role and agency "
                "(e.g. 'probation practitioner (NPS …)').",
            }
        )
    if referrals:
        items.append(
            {
                "what": "The name of the person who referred you",
                "why": "Third-party information: the referring agency is shown instead.",
            }
        )
    items.append(
        {
            "what": "Names of staff who entered, approved or changed records",
            "why": "Not information about you; records are kept by the provider's coordinator.",
        }
    )
    items.append(
        {
            "what": f"{count(replacements, 'mention')} of volunteers' or professionals' names in notes, "
            "minutes and other free text",
            "why": "Replaced by the same labels as above.",
        }
    )
    items.append(
        {
            "what": "The audit trail and internal record identifiers",
            "why": "A technical log of who changed which record and when; it holds no "
            "information about you beyond what is in this pack.",
        }
    )
    return items


# -- rendering -------------------------------------------------------------------------------


def _day(value: str | None) -> str | None:
    return format_day(value) if value else None


def render(data: dict[str, Any]) -> list[Any]:
    from cosa.reports.pdf import heading, kv_table, para, table

    p = data["member"]
    story: list[Any] = [
        para(
            "This pack holds the information the provider keeps about you in its case records. "
            "Other people are not named: volunteers appear as 'volunteer A', 'volunteer B', …, "
            "professionals by their role. What was left out, and why, is listed at the end. "
            "The same information is attached to this PDF as a JSON file.",
        ),
        heading("About you"),
    ]
    ident = p["identity"] or {}
    story.append(
        kv_table(
            [
                ("Code", p["code"]),
                ("Legal name", ident.get("legal_name")),
                ("Other names", ident.get("aliases")),
                ("Date of birth", _day(ident.get("date_of_birth"))),
                ("Address", ident.get("address")),
                ("Contact", ident.get("contact")),
                (
                    "MAPPA",
                    f"category {p['mappa_category']}, level {p['mappa_level']}"
                    + (
                        f" (verified {format_day(p['mappa_verified'])})"
                        if p["mappa_verified"]
                        else ""
                    ),
                ),
                ("Sentence", _day(p["sentence_date"])),
                ("Release", _day(p["release_date"])),
                (
                    "Licence",
                    f"{_day(p['licence_start']) or '—'} to {_day(p['licence_end']) or '—'}",
                ),
                ("Notification requirements", p["notification_requirements"]),
                ("Other orders", p["other_orders"]),
                ("First recorded", _day(p["recorded_on"])),
            ]
        )
    )
    story.append(heading("Licence conditions", 3))
    story.append(
        table(
            ["Condition", "From", "To"],
            [
                [c["text"], _day(c["start_date"]), _day(c["end_date"])]
                for c in data["licence_conditions"]
            ],
        )
    )
    story.append(heading("History (address, area, MAPPA, legal status)", 3))
    story.append(
        table(
            ["From", "What", "Value", "Note"],
            [
                [_day(h["on_date"]), h["field"].replace("_", " "), h["value"], h["note"]]
                for h in data["history"]
            ],
        )
    )
    story.append(heading("Risk assessments", 3))
    story.append(
        table(
            ["Assessment", "Scale", "Result", "Date", "Source"],
            [
                [
                    " ".join(x for x in (a["instrument"], a["version"]) if x),
                    a["scale"],
                    a["value"],
                    _day(a["assessed_on"]),
                    a["source"],
                ]
                for a in data["risk_assessments"]
            ],
        )
    )
    story.append(heading("Consent to share", 3))
    story.append(
        table(
            ["With", "Given", "Withdrawn"],
            [[c["with"], _day(c["given_on"]), _day(c["withdrawn_on"])] for c in data["consents"]],
        )
    )
    story.append(heading("Referrals"))
    story.append(
        table(
            ["Received", "From", "Decision", "Reason", "Decided"],
            [
                [
                    _day(x["received_on"]),
                    x["referrer"] or x["source"],
                    x["decision"],
                    "; ".join(t for t in (x["reason_group"], x["reason"]) if t) or None,
                    _day(x["decided_on"]),
                ]
                for x in data["referrals"]
            ],
        )
    )
    for c in data["circles"]:
        story += _circle_story(c)
    story.append(heading("Disclosures"))
    story.append(
        para(
            "Information about you sent outside the provider: share packs of minutes, "
            "concerns passed to professionals, and subject access packs sent to you.",
            "small",
        )
    )
    story.append(
        table(
            ["Date", "To", "What", "Basis"],
            [
                [
                    _day(d["date"]),
                    d["to"],
                    ", ".join(d["what"]),
                    d["basis"] + (f": {d['reason']}" if d["reason"] else ""),
                ]
                for d in data["disclosures"]
            ],
        )
    )
    story.append(heading("What was withheld, and why"))
    story.append(table(["Withheld", "Why"], [[w["what"], w["why"]] for w in data["withheld"]]))
    return story


def _circle_story(c: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Spacer

    from cosa.reports import markdown
    from cosa.reports.pdf import heading, kv_table, para, table

    story: list[Any] = [heading(f"Circle {c['circle']} ({c['type']})")]
    story.append(
        kv_table(
            [
                ("Status", c["status"]),
                ("Started", _day(c["start_date"])),
                (
                    "Ended",
                    f"{format_day(c['ended_on'])} — {c['ending_reason']}"
                    if c["ended_on"]
                    else None,
                ),
                ("Ending note", c["ending_note"]),
                ("Meetings", c["schedule"]),
                (
                    "Phases",
                    ", ".join(
                        f"{p['phase']} from {format_day(p['started_on'])}" for p in c["phases"]
                    )
                    or None,
                ),
            ]
        )
    )
    story.append(heading("Circle members", 3))
    story.append(
        table(
            ["Volunteer", "Role", "Joined", "Left"],
            [
                [v["volunteer"], v["role"], _day(v["joined_on"]), _day(v["left_on"])]
                for v in c["volunteers"]
            ],
        )
    )
    story.append(heading("Outer circle", 3))
    story.append(
        table(
            ["Professional", "From", "To"],
            [
                [o["professional"], _day(o["linked_on"]), _day(o["unlinked_on"])]
                for o in c["outer_circle"]
            ],
        )
    )
    story.append(heading("Goals", 3))
    story.append(
        table(
            ["Area", "Goal", "Outcome", "Progress"],
            [
                [
                    g["domain"],
                    g["text"],
                    g["outcome"] + (f" ({format_day(g['outcome_on'])})" if g["outcome_on"] else ""),
                    "\n".join(f"{format_day(u['date'])}: {u['progress']}" for u in g["updates"])
                    or g["outcome_note"],
                ]
                for g in c["goals"]
            ],
        )
    )
    story.append(heading("Meetings", 3))
    if not c["meetings"]:
        story.append(para("None recorded.", "small"))
    for m in c["meetings"]:
        story.append(Spacer(1, 5))
        when = " ".join(x for x in (format_day(m["date"]), m["time"]) if x)
        if m.get("state") == "cancelled":
            story.append(
                para(f"{when} · {m['type']} · cancelled: {m['cancelled_reason']}", "cellbold")
            )
            continue
        attended = m["attended"] or "not recorded"
        reason = m["late_reason"] or m["no_meeting_reason"]
        line = (
            f"{when} · {m['type']} · you attended: {attended}"
            + (f" ({reason})" if reason else "")
            + (f" · RAG {m['rag']}" if m["rag"] else "")
            + ("" if m["minutes_approved"] else " · minutes not yet approved")
        )
        story.append(para(line, "cellbold"))
        people = ", ".join(m["present"]) or "none recorded"
        if m["apologies"]:
            people += f"; apologies: {', '.join(m['apologies'])}"
        story.append(para(f"Present: {people}", "small"))
        if m["minutes"]:
            story += markdown.flowables(m["minutes"])
        for a in m["amendments"]:
            story.append(
                para(
                    f"Amended {format_day(a['date'])}"
                    + (f" ({a['reason']})" if a["reason"] else "")
                    + f": {a['text']}",
                    "small",
                )
            )
    story.append(heading("Contacts between meetings", 3))
    story.append(
        table(
            ["Date", "With", "How", "Minutes", "Note"],
            [
                [_day(k["date"]), k["volunteer"], k["mode"], k["duration_minutes"], k["note"]]
                for k in c["contacts"]
            ],
        )
    )
    story.append(heading("Concerns", 3))
    story.append(
        table(
            ["Date", "RAG", "Category", "Concern", "Shared with", "Closed"],
            [
                [
                    _day(x["date"]),
                    x["severity"].upper(),
                    x["category"],
                    "\n".join(
                        [
                            *(
                                [f"VOID (recorded in error): {x['void_reason']}"]
                                if x["void_reason"] is not None
                                else []
                            ),
                            str(x["text"]),
                            *(f"{format_day(n['date'])}: {n['text']}" for n in x["notes"]),
                        ]
                    ),
                    "\n".join(
                        f"{e['to']}, {format_moment(e['at'])} ({e['basis']})"
                        for e in x["escalations"]
                    )
                    or None,
                    _day(x["closed_on"]),
                ]
                for x in c["concerns"]
            ],
        )
    )
    story.append(heading("Actions", 3))
    story.append(
        table(
            ["Action", "Who", "Due", "Status"],
            [[a["text"], a["owner"], _day(a["due"]), a["status"]] for a in c["actions"]],
        )
    )
    story.append(heading("Reviews", 3))
    story.append(
        table(
            ["Date", "Who attended", "Decision", "RAG", "Note"],
            [
                [_day(v["date"]), v["attendees"], v["decision"], v["rag"], v["note"]]
                for v in c["reviews"]
            ],
        )
    )
    if c["risk_reviews"]:
        story.append(heading("Risk reviews", 3))
        story.append(
            table(
                ["Date", "Scores (0 to 3)", "Note"],
                [
                    [
                        _day(x["date"]),
                        "\n".join(f"{k}: {v}" for k, v in x["scores"].items()),
                        x["note"],
                    ]
                    for x in c["risk_reviews"]
                ],
            )
        )
    return story


def attachment(data: dict[str, Any]) -> dict[str, bytes]:
    """The JSON embedded in the PDF."""
    from cosa.reports.publish import json_bytes

    return {f"{data['member']['code']}-subject-access.json": json_bytes(data)}
