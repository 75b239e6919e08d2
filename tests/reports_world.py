"""A small fictional provider for the report and share tests, built with the domain functions.

Everything happens in 2025, mostly in 2025-Q3 (July to September), so the quarter and the
circle report have fixed, known counts:

* volunteers: Zoë Łukasiewicz, Ann Smith, Bob Jones, Cara Mendes, Dev Patel (circle 1) and
  Eve Adams (circle 2), all vetted and trained; Eve left in September;
* professionals: Pat Probation (NPS Thames Valley, probation) and Olly Officer (Thames
  Valley Police, police);
* CM-0001 (legal name "Jonathan Secretname") consents to sharing with NPS Thames Valley; his
  circle 1 (community) started 2025-06-02 with 7 meetings in Q3; CM-0002's circle 2 (young
  people) ended in August;
* one red concern escalated to the police with a response 5 hours later, one amber concern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cosa.domain import (
    actions,
    circles,
    concerns,
    contacts,
    meetings,
    members,
    pros,
    referrals,
    reviews,
    volunteers,
)

VOLUNTEERS = ["Zoë Łukasiewicz", "Ann Smith", "Bob Jones", "Cara Mendes", "Dev Patel"]
LEGAL_NAME = "Jonathan Secretname"
Q3_MEETINGS = [  # date, type, cm attended, rag
    ("2025-07-01", "formal", "yes", "green"),
    ("2025-07-08", "formal", "yes", "green"),
    ("2025-07-15", "formal", "late", "amber"),
    ("2025-07-22", "formal", "no", "red"),
    ("2025-08-05", "social", "yes", "amber"),
    ("2025-08-19", "formal", "yes", "green"),
    ("2025-09-02", "review", "yes", "green"),
]


@dataclass
class World:
    circle: int
    other_circle: int
    meetings: list[int]
    approved: int
    draft: int
    pat: int
    olly: int
    red_concern: int
    volunteer_ids: dict[str, int]


def build(store: Any) -> World:
    ids: dict[str, int] = {}
    for name in [*VOLUNTEERS, "Eve Adams"]:
        vid = volunteers.add(store, name, email=None)
        volunteers.vet(
            store,
            str(vid),
            level="enhanced",
            certificate=f"00123456789{vid}",
            issued="2024-01-10",
            decision="cleared",
        )
        volunteers.train(store, str(vid), kind="initial", on="2025-07-12", hours=12)
        volunteers.edit(store, str(vid), status="active")
        volunteers.supervise(store, str(vid), on="2025-08-01", wellbeing="fine")
        ids[name] = vid
    pat = pros.add(store, "Pat Probation", agency="NPS Thames Valley", role="probation")
    olly = pros.add(store, "Olly Officer", agency="Thames Valley Police", role="police")

    cm1 = members.add(store, mappa_category=1, mappa_level=2, legal_name=LEGAL_NAME)[1]
    cm2 = members.add(store, mappa_category=2, mappa_level=1)[1]
    members.consent(store, cm1, "NPS Thames Valley", on="2025-06-01")
    members.add_condition(store, cm1, "No contact with children under 18", start="2025-05-01")
    members.add_risk(
        store,
        cm1,
        instrument="OASys RoSH",
        scale="RoSH",
        value="medium",
        on="2025-05-01",
        source="NPS Thames Valley",
    )
    for day, source, member, decision in (
        ("2025-07-03", "probation", cm1, "accepted"),
        ("2025-07-10", "probation", None, "declined"),
        ("2025-08-10", "probation", None, "accepted"),
        ("2025-08-11", "probation", None, None),
        ("2025-08-12", "probation", None, "waiting"),
        ("2025-09-01", "police", None, "accepted"),
    ):
        rid = referrals.add(
            store, received=day, source=source, member=member, referrer="Pat Probation"
        )
        if decision:
            referrals.decide(store, rid, decision, reason_group="person", on=day)

    circle = circles.add(
        store,
        member=cm1,
        circle_type="community",
        start="2025-06-02",
        day="tuesday",
        time="18:30",
        duration=90,
        venue="Secret Hall",
    )
    for i, name in enumerate(VOLUNTEERS):
        circles.join(store, circle, name, role="primary" if i == 0 else "member", on="2025-06-02")
    circles.link(store, circle, "Pat", on="2025-06-02")
    circles.link(store, circle, "Olly", on="2025-06-02")
    circles.set_phase(store, circle, "phase 1", on="2025-06-02")
    goal = circles.add_goal(store, circle, domain="accommodation", text="Move to own flat")
    circles.add_goal(store, circle, domain="work or education", text="Find volunteering work")
    circles.set_goal(store, goal, "achieved", on="2025-09-10", note="Moved in September")

    other = circles.add(store, member=cm2, circle_type="young people", start="2025-06-10")
    circles.join(store, other, "Eve", on="2025-06-10")
    circles.set_phase(store, other, "phase 1", on="2025-06-10")
    meetings.add(
        store,
        other,
        date="2025-07-02",
        type="formal",
        present="Eve",
        cm_attended="yes",
        rag="green",
        minutes="Fine.",
    )
    circles.end(store, other, on="2025-08-20", reason="moved away")
    volunteers.leave(store, "Eve", reason="moved away", on="2025-09-15")

    mids = []
    for day, mtype, attended, rag in Q3_MEETINGS:
        mid = meetings.add(
            store,
            circle,
            date=day,
            type=mtype,
            present="Zoë,Ann,Bob,Cara",
            apologies="Dev",
            cm_attended=attended,
            late_reason="bus" if attended == "late" else None,
            no_meeting_reason="unwell" if attended == "no" else None,
            rag=rag,
            minutes=(
                f"Check-in on {day}. Ann Smith drove CM-0001 to the housing office; Smith "
                "said the flat is nearly ready. Bob gave an update.\n\nAccountability: "
                "talked about the week & <plans>."
            ),
        )
        mids.append(mid)
    for mid in mids[:6]:
        meetings.approve(store, mid)
    approved, draft = mids[0], mids[-1]
    # a meeting in the previous quarter (outside 2025-Q3)
    meetings.add(
        store,
        circle,
        date="2025-06-24",
        type="formal",
        present="Ann",
        cm_attended="yes",
        rag="green",
        minutes="June meeting.",
    )

    red = concerns.add(
        store,
        circle,
        severity="red",
        category="access to children",
        on="2025-07-22",
        text="Ann Smith saw CM-0001 near a school",
        meeting_id=mids[3],
        raised_by="Ann Smith",
    )
    concerns.escalate(
        store,
        red,
        to="Olly",
        via="phone",
        at="2025-07-22 19:00",
        basis="vital interests",
        shared="What Ann saw",
        response="Visited him",
        response_at="2025-07-23 00:00",
    )
    concerns.add(
        store,
        circle,
        severity="amber",
        category="drink or drugs",
        on="2025-08-05",
        text="Smelled of drink",
        meeting_id=mids[4],
    )
    actions.add(
        store,
        circle,
        "Ann Smith to call the housing office",
        owner="Ann Smith",
        due="2025-07-10",
        meeting_id=mids[0],
    )
    actions.add(store, circle, "Book the review", owner="Coordinator", meeting_id=mids[1])

    for day, by, minutes in (
        ("2025-07-03", "Ann", 30),
        ("2025-07-09", "Bob", 60),
        ("2025-08-14", "Ann", 45),
    ):
        contacts.add(
            store, circle, by=by, on=day, mode="phone", duration=minutes, note=f"Call with {by}"
        )
    for name in VOLUNTEERS:
        volunteers.log_hours(store, name, on="2025-07-01", hours=2, travel_hours=0.5, circle=circle)
        volunteers.log_hours(
            store, name, on="2025-08-05", hours=3, activity="circle", circle=circle
        )
    reviews.add(
        store,
        circle,
        on="2025-09-02",
        attendees="Pat Probation, Ann Smith",
        decision="continue",
        rag="green",
        note="Going well",
    )
    reviews.add_risk_review(
        store, circle, on="2025-06-02", scores=["hostility=2", "stable accommodation=1"]
    )
    reviews.add_risk_review(
        store, circle, on="2025-09-02", scores=["hostility=1", "stable accommodation=3"]
    )
    return World(
        circle=circle,
        other_circle=other,
        meetings=mids,
        approved=approved,
        draft=draft,
        pat=pat,
        olly=olly,
        red_concern=red,
        volunteer_ids=ids,
    )
