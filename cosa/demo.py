"""A fictional workspace: a realistic year (small) or ten years (large) of CoSA work.

Everything is generated from a fixed seed through the same domain functions the commands use,
so the demo exercises validation, the audit trail and the search index exactly as real use
does. Names, places and events are invented. Records are written one circle per transaction
(a batch), which keeps the audit chain and the high-water mark in step without a commit per
record.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from cosa.domain import (
    actions,
    agreements,
    circles,
    concerns,
    contacts,
    documents,
    expenses,
    followup,
    meetings,
    members,
    pros,
    recruitment,
    referrals,
    reviews,
    settings,
    volunteers,
)
from cosa.errors import UserError
from cosa.store import Store

DEMO_PASSPHRASE = "fictional demo data only"

FIRST = [
    "Zoë", "Łukasz", "Siobhán", "Amara", "Mohammed", "Aoife", "Dafydd", "Ngozi", "Priya",
    "Tomás", "Bronwen", "Kwame", "Małgorzata", "José", "Ingrid", "Rhiannon", "Chidi", "Sinéad",
    "Björn", "Leilani", "Anaïs", "Ørjan", "Fatima", "Jürgen", "Ewa", "Declan", "Hiroshi",
    "Noémie", "Callum", "Yusuf", "Margaret", "David", "Sarah", "Peter", "Helen", "Gareth",
]  # fmt: skip
LAST = [
    "Łukasiewicz", "O'Brien", "Okafor", "Nguyễn", "Jones", "Müller", "Kowalczyk", "Ó Briain",
    "Patel", "Hughes", "Mensah", "Ferreira", "Lindqvist", "Evans", "Adeyemi", "Dubois",
    "MacLeod", "Søndergaard", "Khan", "Williams", "Szabó", "García", "Thomas", "Price",
]  # fmt: skip
AGENCIES = [
    ("National Probation Service — Thames Valley", "probation"),
    ("Thames Valley Police MOSOVO", "police"),
    ("Horizon Treatment Programme", "treatment"),
    ("HMP Grendon", "prison"),
    ("County Adult Social Care", "social care"),
    ("Approved Premises Housing Team", "housing"),
]
MINUTE_LINES = {
    "check-in": [
        "{cm} arrived on time and said the week had been quiet but lonely at weekends.",
        "{cm} was tired after night shifts but engaged well and joked with the group.",
        "{cm} reported feeling anxious about a letter from the housing office.",
        "{cm} said he had kept to his routine and been to the gym twice.",
        "{cm} was quieter than usual and took a while to settle.",
    ],
    "practical": [
        "Housing: the hostel move-on date is confirmed; {v1} will help with the tenancy forms.",
        "Work: he has an interview for warehouse work and asked {v2} to practise questions.",
        "Benefits: the Universal Credit journal was updated; no sanctions this month.",
        "Health: he has a GP appointment about sleep; {v1} offered to go with him.",
        "Education: he enrolled on an evening maths course at the college.",
        "Money: he is budgeting better and paid off the hardship loan.",
    ],
    "accountability": [
        "We asked about his internet use; he showed the monitoring software report without prompting.",
        "He mentioned meeting a woman at church; the circle asked whether she has children. He said he would tell his probation officer.",
        "We went through his relapse prevention plan and the warning signs he has noticed this week.",
        "He was open about feeling angry with his family and how he managed it.",
        "The circle challenged a comment minimising his offending; he reflected on it later in the meeting.",
        "He reported keeping to all licence conditions, including the exclusion zone.",
    ],
    "support": [
        "{v2} will meet him for coffee on Saturday; {v1} will phone on Wednesday.",
        "We celebrated three months without missing a meeting.",
        "The group talked about ways to fill Sunday afternoons: a walking group and volunteering at the food bank.",
        "He asked for help writing to his sister; {v2} will help draft the letter.",
    ],
    "next": [
        "Next meeting same time and venue.",
        "Next meeting moved to Thursday because of the bank holiday.",
        "Next meeting will include the quarterly review with probation.",
    ],
}
CONCERN_TEXTS = [
    ("new relationship", "amber", "Disclosed a new relationship with a woman who has a young daughter."),
    ("drink or drugs", "amber", "Smelled of alcohol at the start of the meeting; said it was one pint."),
    ("internet or device use", "red", "Said he had bought a second phone that his probation officer does not know about."),
    ("disengagement", "green", "Missed two individual contacts without explanation."),
    ("emotional wellbeing", "amber", "Low mood after a family argument; said he felt hopeless."),
    ("access to children", "red", "Seen near the primary school at home time by a volunteer."),
    ("housing or work", "green", "Worried about losing his hostel place after an argument with staff."),
    ("sexual preoccupation", "amber", "Talked at length about sexual thoughts that worried him."),
]  # fmt: skip
CONTACT_NOTES = [
    "Coffee in town; talked about the job search and football.",
    "Phone call; he sounded brighter and is looking forward to the course.",
    "Went with him to the housing appointment; the tenancy is agreed.",
    "Walk in the park; he talked about his mother's illness.",
    "Short text exchange to confirm Saturday.",
    "Helped him with a CV at the library.",
]
GOALS = [
    ("accommodation", "Move from Approved Premises into a settled tenancy"),
    ("work or education", "Find paid work or a college course"),
    ("relationships", "Rebuild contact with his sister"),
    ("leisure", "Join a walking group and go regularly"),
    ("health and wellbeing", "Register with a GP and attend about sleep"),
    ("risk management", "Keep to his relapse prevention plan and share warning signs"),
]


@dataclass(frozen=True)
class Scale:
    years: int
    circles: int
    volunteers: int
    meetings_per_circle: int
    contacts_per_meeting: float
    concerns: int
    active_circles: int


SCALES = {
    "small": Scale(years=1, circles=5, volunteers=30, meetings_per_circle=40, contacts_per_meeting=1.5,
                   concerns=14, active_circles=3),
    "medium": Scale(years=10, circles=33, volunteers=300, meetings_per_circle=84, contacts_per_meeting=6.0,
                    concerns=220, active_circles=8),
    "large": Scale(years=10, circles=300, volunteers=400, meetings_per_circle=84, contacts_per_meeting=6.0,
                   concerns=2000, active_circles=15),
}  # fmt: skip

Progress = Callable[[str, int, int], None]


def _minutes(rng: random.Random, cm: str, v1: str, v2: str) -> str:
    parts = []
    for heading, key in (
        ("Check-in", "check-in"),
        ("Practical updates", "practical"),
        ("Accountability", "accountability"),
        ("Support", "support"),
        ("Next meeting", "next"),
    ):
        lines = rng.sample(MINUTE_LINES[key], k=min(2, len(MINUTE_LINES[key])))
        parts.append(
            f"## {heading}\n" + "\n".join(line.format(cm=cm, v1=v1, v2=v2) for line in lines)
        )
    return "\n\n".join(parts)


def build(store: Store, scale: str | Scale = "small", *, seed: int = 2026, today: date | None = None,
          progress: Progress | None = None) -> dict[str, int]:  # fmt: skip
    """Fill an empty workspace with fictional records; returns counts by kind."""
    plan = SCALES[scale] if isinstance(scale, str) else scale
    rng = random.Random(seed)
    today = today or date.today()
    start = today - timedelta(days=365 * plan.years)
    counts: dict[str, int] = {}

    def bump(kind: str, n: int = 1) -> None:
        counts[kind] = counts.get(kind, 0) + n

    people = [f"{first} {last}" for first in FIRST for last in LAST]
    rng.shuffle(people)
    with store.atomic():
        settings.set_(store, "operator", "demo coordinator")
        store.operator = "demo coordinator"
        pro_ids: list[int] = []
        for i, (agency, role) in enumerate(AGENCIES * (2 if plan.years > 1 else 1)):
            pro_ids.append(pros.add(store, people.pop(), agency=agency, role=role,
                                    email=f"pp{i + 1}@example.gov.uk"))  # fmt: skip
            bump("professional")
        vol_names: list[str] = []
        for i in range(plan.volunteers):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i + 1:03d}"
            vid = volunteers.add(store, name, email=f"volunteer{i + 1}@example.org")
            approved = start - timedelta(days=rng.randrange(5, 60))
            _recruit(store, rng, vid, approved, certificate=f"00{1000000 + i}", today=today)
            vol_names.append(str(vid))
            bump("volunteer")
        # Recruits still in the pipeline: one is refused at a circle, then approved (below).
        pipeline: list[str] = []
        for i, stage in enumerate(["enquiry", "application", "interview", "references"]):
            vid = volunteers.add(store, f"{rng.choice(FIRST)} {rng.choice(LAST)} P{i + 1:02d}")
            day = today - timedelta(days=rng.randrange(60, 90))
            for step in ["enquiry", "application", "interview", "references"][: i + 1]:
                recruitment.set_stage(store, str(vid), step, on=day, today=today)
                day += timedelta(days=rng.randrange(7, 14))
            if stage == "references":
                recruitment.reference(store, str(vid), referee="Rev. A. Referee",
                                      requested=day - timedelta(days=5), today=today)  # fmt: skip
            pipeline.append(str(vid))
            bump("volunteer")
    if progress:
        progress("people", 1, plan.circles + 1)

    span_days = max(30, (today - start).days - 60)
    for c in range(plan.circles):
        with store.atomic():
            active = c >= plan.circles - plan.active_circles
            weeks = plan.meetings_per_circle
            if active:
                c_start = today - timedelta(days=7 * (weeks - 1) + rng.randrange(1, 7))
            else:
                c_start = start + timedelta(
                    days=rng.randrange(0, max(1, span_days - 7 * weeks - 30))
                )
            ref_day = c_start - timedelta(days=rng.randrange(30, 90))
            code = members.format_code(c + 1)
            mappa_level = rng.choice([1, 1, 2, 2, 3])
            release = c_start - timedelta(days=rng.randrange(10, 60))
            members.add(store, code, mappa_category=rng.choice([1, 1, 1, 2, 3]), mappa_level=mappa_level,
                        legal_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", release_date=release,
                        licence_start=release,
                        licence_end=release + timedelta(days=rng.choice([365, 730, 1095])),
                        on=ref_day)  # fmt: skip
            members.add_risk(store, code, instrument="OASys RoSH", scale="RoSH",
                             value=rng.choice(["medium", "high", "high", "very high"]),
                             on=ref_day, source="Probation")  # fmt: skip
            members.consent(store, code, AGENCIES[0][0], on=c_start)
            members.consent(store, code, AGENCIES[1][0], on=c_start)
            rid = referrals.add(store, received=ref_day, source=rng.choice(["probation"] * 8 + ["police", "prison"]),
                                member=code, referrer="Offender manager")  # fmt: skip
            referrals.decide(store, rid, "accepted", on=ref_day + timedelta(days=14), member=code)
            bump("referral")
            if rng.random() < 0.3:
                extra = referrals.add(store, received=ref_day + timedelta(days=3), source="probation",
                                      referrer="Offender manager")  # fmt: skip
                referrals.decide(store, extra, rng.choice(["declined", "withdrawn"]), reason_group="person",
                                 reason="not suitable at this time", on=ref_day + timedelta(days=20))  # fmt: skip
                bump("referral")
            circle_type = rng.choice(
                ["community"] * 6 + ["through-the-gate", "intellectual disability"]
            )
            cid = circles.add(store, member=code, circle_type=circle_type, start=c_start,
                              coordinator="demo coordinator", day=c_start.strftime("%A").lower(),
                              time="18:30", duration=90, venue=f"V{c % 12 + 1:02d}", cadence_days=7)  # fmt: skip
            crew = rng.sample(vol_names, k=5)
            for j, v in enumerate(crew):
                _keep_vetted(store, int(v), c_start, today)
                circles.join(store, cid, v, role=["primary", "minute-taker", "member", "member", "member"][j],
                             on=c_start)  # fmt: skip
                reached = recruitment.current_stage(store, int(v))
                if reached is not None and reached["stage"] == "approved":
                    recruitment.set_stage(store, v, "matched", on=c_start, today=today)
            if active and c == plan.circles - 1 and pipeline:
                # The gate at work: a recruit still in the pipeline is refused, then approved.
                recruit = pipeline[0]
                try:
                    circles.join(store, cid, recruit, on=today - timedelta(days=7))
                except UserError:
                    bump("refused join")
                _recruit(store, rng, int(recruit), today - timedelta(days=8),
                         certificate=f"00{2000000 + c}", today=today, from_stage=1)  # fmt: skip
                circles.join(store, cid, recruit, on=today - timedelta(days=7))
                # An override, audited: a recruit matched before their references came back.
                circles.join(store, cid - 1, pipeline[2],
                             on=today - timedelta(days=3),
                             override="matched early: references chased, agreed with the manager")  # fmt: skip
                bump("overridden join")
                # A conflict refuses a volunteer at another circle's core member; recorded.
                recruitment.conflict(store, crew[0], member=members.format_code(1),
                                     reason="lives in the same street", on=today, today=today)  # fmt: skip
            circles.link(store, cid, str(pro_ids[0]), on=c_start)
            circles.link(store, cid, str(pro_ids[1]), on=c_start)
            circles.set_phase(store, cid, "phase 1", on=c_start)
            goal_ids = [circles.add_goal(store, cid, domain=d, text=t, review=c_start + timedelta(days=180))
                        for d, t in rng.sample(GOALS, k=3)]  # fmt: skip
            _meetings(store, rng, cid, code, crew, c_start, weeks, plan, today, counts)
            last_day = c_start + timedelta(days=7 * weeks)
            for q in range(1, weeks // 13 + 1):
                r_day = c_start + timedelta(days=91 * q)
                if r_day >= today:
                    break
                reviews.add(store, cid, on=r_day, attendees="circle, probation, police",
                            decision="continue", rag=rng.choice(["green", "green", "amber"]),
                            note="Quarterly review: progress on goals discussed.")  # fmt: skip
                reviews.add_risk_review(store, cid, on=r_day, scores=[
                    f"social isolation={max(0, 3 - q)}", f"hope and goals={min(3, q)}",
                    f"stable accommodation={min(3, q)}", f"sexual preoccupation={rng.randint(0, 2)}",
                ])  # fmt: skip
                bump("review")
            for g in goal_ids:
                if not active:
                    circles.set_goal(store, g, rng.choice(["achieved", "achieved", "partly", "not-achieved"]),
                                     on=min(last_day, today))  # fmt: skip
            if not active:
                if last_day > c_start + timedelta(days=180):
                    circles.set_phase(store, cid, "phase 2", on=c_start + timedelta(days=180))
                reason = rng.choice(["completed"] * 6 + ["CM withdrew", "recalled", "moved away"])
                circles.end(store, cid, on=min(last_day, today - timedelta(days=1)), reason=reason)
            bump("circle")
        if progress:
            progress("circles", c + 2, plan.circles + 1)
    _concerns(store, rng, plan, pro_ids, today, counts)
    _volunteer_lifecycle(store, rng, today)
    _circle_life(store, rng, today, counts)
    return counts


#: A stand-in for a scanned, signed agreement (a one-line PDF; fictional).
DEMO_SCAN = b"%PDF-1.4\n% fictional circle agreement, signed by every member\n%%EOF\n"


def _circle_life(store: Store, rng: random.Random, today: date, counts: dict[str, int]) -> None:
    """Agreements (one waiting to be re-signed), a document, follow-up and outcomes of the
    ended circles, a move, changes of MAPPA level and a referral with a waiting history."""
    with store.atomic():
        running = store.query(
            "SELECT c.id, c.start_date, c.member_id, m.code FROM circles c"
            " JOIN core_members m ON m.id = c.member_id WHERE c.status != 'ended' ORDER BY c.id"
        )
        for i, c in enumerate(running):
            start = date.fromisoformat(c["start_date"])
            agreed = start + timedelta(days=7)
            row = agreements.add(store, c["id"], version="v1", on=agreed)
            if i == 0:
                did = documents.store_bytes(store, "circle_id", c["id"], DEMO_SCAN,
                                            file_name="agreement-v1.pdf", kind="agreement",
                                            title="Circle agreement v1 (signed scan)")  # fmt: skip
                store.update("circle_agreements", "agreement", row["id"], {"document_id": did})
                counts["document"] = counts.get("document", 0) + 1
            signers = ["CM"] + [
                str(store.scalar("SELECT name FROM volunteers WHERE id = ?", (m["volunteer_id"],)))
                for m in circles.current_members(store, c["id"], agreed)
            ]
            for who in signers:
                agreements.sign(store, c["id"], who, on=agreed)
            for m in circles.current_members(store, c["id"], today):  # joined since: signed
                if m["joined_on"] > agreed.isoformat():  # on the day they joined
                    agreements.sign(store, c["id"], m["volunteer_name"], on=m["joined_on"])
            counts["agreement"] = counts.get("agreement", 0) + 1
        if running:
            # a volunteer joins the first running circle after it signed: re-sign pending
            first = running[0]
            inside = {m["volunteer_id"] for m in circles.current_members(store, first["id"], today)}
            newcomer = store.one(
                "SELECT id FROM volunteers WHERE status = 'active' AND id NOT IN"
                f" ({', '.join(str(v) for v in inside) or '0'}) ORDER BY id LIMIT 1"
            )
            if newcomer is not None:
                circles.join(store, first["id"], str(newcomer["id"]), on=today - timedelta(days=10))
            # a move, and a MAPPA level lowered at a review
            members.move(store, first["code"], on=today - timedelta(days=40),
                         address="Flat 2, 14 Fictional Road", area="Reading",
                         note="moved on from Approved Premises")  # fmt: skip
            level = int(
                store.scalar(
                    "SELECT mappa_level FROM core_members WHERE id = ?", (first["member_id"],)
                )
            )
            members.edit(store, first["code"], mappa_level=2 if level == 1 else level - 1,
                         on=today - timedelta(days=30))  # fmt: skip
        ended = store.query(
            "SELECT c.id, c.ended_on FROM circles c WHERE c.status = 'ended' ORDER BY c.id"
        )
        for j, c in enumerate(ended):
            ended_on = date.fromisoformat(c["ended_on"])
            crew = store.query(
                "SELECT v.name FROM circle_members cm JOIN volunteers v ON v.id = cm.volunteer_id"
                " WHERE cm.circle_id = ? ORDER BY cm.id LIMIT 1",
                (c["id"],),
            )
            contact_day = min(today, ended_on + timedelta(days=80))
            if j % 2 == 0 and crew:
                followup.add(store, c["id"], on=contact_day, by=str(crew[0]["name"]),
                             mode="phone", note="Working and settled; still sees two volunteers.")  # fmt: skip
                counts["follow-up"] = counts.get("follow-up", 0) + 1
            kind = "none" if j % 2 == 0 else "breach"
            followup.add_outcome(store, c["id"], on=contact_day, kind=kind, source="probation",
                                 offence=None if kind == "none" else "other",
                                 note="Checked with the offender manager.")  # fmt: skip
            counts["outcome"] = counts.get("outcome", 0) + 1
        # a referral that waited: received, assessed, waiting for volunteers
        rid = referrals.add(store, received=today - timedelta(days=75), source="probation",
                            referrer="Offender manager")  # fmt: skip
        referrals.decide(store, rid, "assessed", on=today - timedelta(days=60),
                         reason="suitable; assessment meeting held")  # fmt: skip
        referrals.decide(store, rid, "waiting", on=today - timedelta(days=45), reason_group="other",
                         reason="waiting for trained volunteers")  # fmt: skip
        counts["referral"] = counts.get("referral", 0) + 1


def _recruit(store: Store, rng: random.Random, vid: int, approved: date, *, certificate: str,
             today: date, from_stage: int = 0) -> None:  # fmt: skip
    """The pipeline from enquiry to approval (ending on `approved`), two references, a
    cleared enhanced DBS check and initial training before it."""
    steps = ["enquiry", "application", "interview", "references", "training", "vetting"]
    gaps = [rng.randrange(5, 25) if from_stage == 0 else 1 for _ in steps]
    day = approved - timedelta(days=sum(gaps))
    for step, gap in zip(steps, gaps, strict=True):
        if steps.index(step) >= from_stage:
            recruitment.set_stage(store, str(vid), step, on=day, today=today)
        if step == "references":
            for referee in ("Referee One", "Referee Two"):
                recruitment.reference(store, str(vid), referee=referee, requested=day,
                                      received=day + timedelta(days=min(gap, 5)),
                                      outcome="satisfactory", today=today)  # fmt: skip
        if step == "training":
            volunteers.train(store, str(vid), kind="initial", on=day,
                             provider="Circles South East", hours=12)  # fmt: skip
        if step == "vetting":
            volunteers.vet(store, str(vid), level="enhanced", certificate=certificate, issued=day,
                           update_service=True, decision="cleared", today=today)  # fmt: skip
        day += timedelta(days=gap)
    recruitment.set_stage(store, str(vid), "approved", on=approved, today=today)


def _keep_vetted(store: Store, vid: int, day: date, today: date) -> None:
    """Update Service status checks before joining when the DBS re-check would be due on the
    joining day, or is due today (a back-dated join is checked on both days)."""
    for when in (day, today):
        last = volunteers.vettings(store, vid)[0]
        if last["recheck_due"] <= when.isoformat():
            volunteers.vet(store, str(vid), level=last["level"], certificate=last["certificate"],
                           issued=last["issued_on"], checked=when - timedelta(days=7),
                           update_service=True, decision="cleared", today=today)  # fmt: skip


def _volunteer_lifecycle(store: Store, rng: random.Random, today: date) -> None:
    """Volunteers outside the active circles rest or leave; those staying are re-vetted."""
    busy = {
        r["volunteer_id"]
        for r in store.query(
            "SELECT cm.volunteer_id FROM circle_members cm JOIN circles c ON c.id = cm.circle_id"
            " WHERE c.status = 'active' AND cm.left_on IS NULL"
        )
    }
    last_day = {
        r["volunteer_id"]: r["last"]
        for r in store.query(
            "SELECT volunteer_id, max(coalesce(left_on, joined_on)) AS last FROM circle_members GROUP BY volunteer_id"
        )
    }
    with store.atomic():
        for row in store.query("SELECT id FROM volunteers WHERE status != 'applicant' ORDER BY id"):
            vid = row["id"]
            if vid not in busy:
                last = date.fromisoformat(
                    last_day.get(vid) or (today - timedelta(days=400)).isoformat()
                )
                if rng.random() < 0.4 and last < today - timedelta(days=30):
                    volunteers.leave(
                        store,
                        str(vid),
                        reason="moved on",
                        on=last + timedelta(days=14),
                        today=today,
                    )
                    continue
                if rng.random() < 0.3:
                    volunteers.rest(store, str(vid), on=max(last, today - timedelta(days=20)),
                                    note="a break after their circle ended", today=today)  # fmt: skip
            checked = today - timedelta(days=rng.randrange(30, 3 * 365 - 30))
            volunteers.vet(store, str(vid), level="enhanced", certificate=f"01{2000000 + vid}", issued=checked,
                           update_service=True, decision="cleared", today=today)  # fmt: skip


def _meetings(store: Store, rng: random.Random, cid: int, code: str, crew: list[str], c_start: date,
              weeks: int, plan: Scale, today: date, counts: dict[str, int]) -> None:  # fmt: skip
    names = {v: store.scalar("SELECT name FROM volunteers WHERE id = ?", (int(v),)) for v in crew}
    contact_modes = [
        "phone",
        "face to face",
        "face to face",
        "accompanied appointment",
        "social",
        "text",
    ]
    for w in range(weeks):
        day = c_start + timedelta(days=7 * w)
        if day >= today:
            break
        if w % 17 == 5:  # a meeting that did not happen; every other one moved two days on
            _cancelled(store, cid, crew, day, moved=w % 34 == 5, today=today, counts=counts)
            continue
        present = [v for v in crew if rng.random() < 0.85] or crew[:1]
        apologies = [v for v in crew if v not in present]
        attended = rng.choices(["yes", "late", "no"], weights=[88, 7, 5])[0]
        first = [str(names[v]).split()[0] for v in crew]
        given: dict[str, Any] = {
            "date": day,
            "time": "18:30",
            "duration": 90,
            "type": "review" if w % 13 == 12 else ("social" if w % 9 == 8 else "formal"),
            "present": present,
            "apologies": apologies or None,
            "cm_attended": attended,
            "late_reason": "bus was late" if attended == "late" else None,
            "no_meeting_reason": "unwell" if attended == "no" else None,
            "rag": rng.choices(["green", "amber", "red"], weights=[80, 17, 3])[0],
            "minutes": _minutes(rng, code, first[0], first[1]),
        }
        if rng.random() < 0.15:
            given["actions"] = ["Help with housing forms before next meeting"]
            given["owner"] = str(names[crew[0]])
            given["due"] = day + timedelta(days=7)
        mid = meetings.add(store, cid, today=today, **given)
        if w % 23 == 11:  # typed in twice by mistake; the second record is voided
            twice = meetings.add(store, cid, today=today, force=True, date=day, present=present)
            meetings.void(store, twice, reason="recorded twice by mistake")
            counts["voided meeting"] = counts.get("voided meeting", 0) + 1
        if w % 4 == 3:  # a month's work outside meetings (the meetings count themselves)
            for v in crew:
                volunteers.log_hours(store, v, on=day, hours=1.5, activity="circle",
                                     travel_hours=2, circle=cid)  # fmt: skip
            volunteers.log_hours(store, crew[0], on=day, hours=1, activity="admin")
            counts["hours entry"] = counts.get("hours entry", 0) + len(crew) + 1
            claimant = crew[w // 4 % len(crew)]
            miles = rng.choice([6, 12, 18, 24])
            eid = expenses.add(store, claimant, on=day, amount=f"{miles * 45 // 100}.{miles * 45 % 100:02d}",
                               miles=miles, circle=str(cid), kind="travel", today=today)  # fmt: skip
            if day < today - timedelta(days=30):
                expenses.pay(store, eid, on=day + timedelta(days=rng.randrange(7, 28)), today=today)
            counts["expense"] = counts.get("expense", 0) + 1
        if w % 8 == 7 and day + timedelta(days=2) <= today:
            volunteers.supervise(store, crew[w // 8 % len(crew)], on=day + timedelta(days=2), kind="group",
                                 wellbeing="coping well", note="Group supervision after the meeting.")  # fmt: skip
        counts["meeting"] = counts.get("meeting", 0) + 1
        if day < today - timedelta(days=4) or rng.random() < 0.3:
            delay = timedelta(hours=rng.choice([20, 26, 30, 40, 44, 52, 70]))
            approved = datetime.combine(day, time(20, 0)) + delay
            meetings.approve(store, mid, at=min(approved, datetime.now()))
        n = int(plan.contacts_per_meeting) + (
            1 if rng.random() < plan.contacts_per_meeting % 1 else 0
        )
        for _ in range(n):
            c_day = day + timedelta(days=rng.randrange(1, 7))
            if c_day >= today:
                continue
            contacts.add(store, cid, by=rng.choice(crew), on=c_day, mode=rng.choice(contact_modes),
                         duration=rng.choice([10, 30, 45, 60, 90]), note=rng.choice(CONTACT_NOTES))  # fmt: skip
            counts["contact"] = counts.get("contact", 0) + 1
    for row in store.query(
        "SELECT id, due FROM actions WHERE circle_id = ? AND status = 'open'", (cid,)
    ):
        if (
            row["due"]
            and row["due"] < (today - timedelta(days=14)).isoformat()
            and rng.random() < 0.9
        ):
            actions.done(store, row["id"], note="Done.", on=row["due"])


def _cancelled(store: Store, cid: int, crew: list[str], day: date, *, moved: bool, today: date,
               counts: dict[str, int]) -> None:  # fmt: skip
    """A meeting cancelled (the core member unwell); when `moved`, held two days later."""
    new_day = day + timedelta(days=2)
    moved = moved and new_day < today
    meetings.cancel(store, cid, on=day, reason="core member unwell" if moved else "venue closed",
                    moved_to=new_day if moved else None)  # fmt: skip
    counts["cancelled meeting"] = counts.get("cancelled meeting", 0) + 1
    if moved:
        mid = meetings.add(store, cid, today=today, date=new_day, time="18:30", duration=90,
                           present=crew, cm_attended="yes", rag="green",
                           minutes="Held two days late: the core member had been unwell.")  # fmt: skip
        meetings.approve(store, mid, at=min(datetime.combine(new_day, time(21)), datetime.now()))
        counts["meeting"] = counts.get("meeting", 0) + 1


def _concerns(store: Store, rng: random.Random, plan: Scale, pro_ids: list[int], today: date,
              counts: dict[str, int]) -> None:  # fmt: skip
    rows = store.query("SELECT id, circle_id, date FROM meetings WHERE state = 'held' ORDER BY id")
    if not rows:
        return
    picks = rng.sample(rows[:-10], k=min(plan.concerns, len(rows) - 10) - 2) + rows[-2:]
    batch = 200
    for start in range(0, len(picks), batch):
        with store.atomic():
            for m in picks[start : start + batch]:
                category, severity, text = rng.choice(CONCERN_TEXTS)
                cid = concerns.add(store, m["circle_id"], severity=severity, category=category, text=text,
                                   on=m["date"], meeting_id=m["id"], raised_by="minute-taker")  # fmt: skip
                counts["concern"] = counts.get("concern", 0) + 1
                day = date.fromisoformat(m["date"])
                if severity in ("red", "amber"):
                    at = f"{m['date']} 21:{rng.randrange(10, 59):02d}"
                    concerns.escalate(store, cid, to=str(pro_ids[0]), via="phone", at=at, basis="consent",
                                      shared="Concern as recorded in the minutes.",
                                      response="Probation will discuss at the next supervision.",
                                      response_at=f"{(day + timedelta(days=1)).isoformat()} 10:00")  # fmt: skip
                if m in rows[-2:]:
                    continue  # the newest concerns stay open for `cosa status`
                if day < today - timedelta(days=21) or rng.random() < 0.3:
                    concerns.close(store, cid, note="Discussed with probation; no further action.",
                                   on=min(day + timedelta(days=rng.randrange(2, 20)), today))  # fmt: skip
