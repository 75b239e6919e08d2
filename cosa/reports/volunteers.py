"""`cosa report volunteers`: the recruitment pipeline, vetting and re-checks due, training,
supervision, hours, expenses and joins let through the safeguarding gate by an override.

Status is the derived status in force today (`cosa.domain.volunteer_status`). The pipeline
counts, for each stage, the volunteers who reached it, those at it now (their latest stage,
not left) and the days from reaching it to reaching the next stage (median and mean over
those who moved on). Expenses are the claims dated in the period, in pence.

An internal report for the coordinator and their manager (volunteers by full name). Status,
vetting and supervision are as of today; hours cover `--from`/`--to` (default: the twelve
months up to today). One query for the roster (correlated subqueries on the per-volunteer
indexes) and one for the hours (`cosa.domain.hours`: held meetings' length for each volunteer
present, plus the hours logged, each hour once whichever circle it was for).

With `--coordinator` (docs/reports.md, "Filtered to a coordinator"): the volunteers are those
who were members of a circle that person coordinated on at least one day of the period (a
membership from joining to leaving, the coordinator by `cosa.history`); each one's status,
vetting, training and supervision are theirs, whole (they belong to the person, not to a
circle); hours, expenses and override joins count only what was for a circle that person
coordinated on the day (hours logged, or claims made, for no circle belong to no
coordinator); the recruitment pipeline stays the provider's (`provider_wide`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cosa import history
from cosa.domain import expenses, lookups, recruitment, volunteer_status
from cosa.domain import hours as hour_figures
from cosa.domain import volunteers as vols
from cosa.reports.data import (
    date_range,
    format_day,
    month_label,
    months_between,
    period_label,
    slug,
)
from cosa.store import Store

KIND = "volunteers"
RECHECK_WARNING_DAYS = 60
SUPERVISION_WARNING_DAYS = 14


def data(
    store: Store,
    from_: str | date | None = None,
    to: str | date | None = None,
    *,
    include_left: bool = False,
    coordinator: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    today = today or date.today()
    start, end = date_range(from_, to)
    end = end or today.isoformat()
    start = start or (date.fromisoformat(end) - timedelta(days=365) + timedelta(days=1)).isoformat()
    years = vols.recheck_years(store)
    interval = vols.supervision_interval(store)
    span = {"start": start, "end": end, "coordinator": coordinator}
    mine = (
        ""
        if coordinator is None
        else " WHERE v.id IN (SELECT cm.volunteer_id FROM circle_members cm"
        "  WHERE cm.joined_on <= :end AND (cm.left_on IS NULL OR cm.left_on >= :start) AND "
        + history.coordinated_between(
            "cm.circle_id", "max(cm.joined_on, :start)", "min(coalesce(cm.left_on, :end), :end)"
        )
        + ")"
    )
    roster = store.query(
        "SELECT v.id, v.name, v.left_on,"
        " t.level, t.decision, t.update_service,"
        " coalesce(t.checked_on, t.issued_on) AS last_checked,"
        " (SELECT min(date) FROM volunteer_training WHERE volunteer_id = v.id"
        "  AND kind = 'initial') AS initial_training,"
        " (SELECT count(*) FROM volunteer_training WHERE volunteer_id = v.id"
        "  AND kind = 'supplementary') AS supplementary,"
        " (SELECT coalesce(sum(hours), 0) FROM volunteer_training WHERE volunteer_id = v.id)"
        "  AS training_hours,"
        " (SELECT max(date) FROM volunteer_supervision WHERE volunteer_id = v.id)"
        "  AS last_supervision,"
        " (SELECT count(*) FROM volunteer_supervision WHERE volunteer_id = v.id"
        "  AND date BETWEEN :start AND :end) AS supervisions,"
        " (SELECT count(*) FROM circle_members WHERE volunteer_id = v.id AND left_on IS NULL)"
        "  AS circles"
        " FROM volunteers v LEFT JOIN volunteer_vetting t ON t.id = ("
        "   SELECT id FROM volunteer_vetting WHERE volunteer_id = v.id"
        "   ORDER BY coalesce(checked_on, issued_on) DESC, id DESC LIMIT 1)"
        f"{mine} ORDER BY v.name COLLATE NOCASE, v.id",
        span,
    )
    hour_rows = hour_figures.rows(store, start, end, coordinator=coordinator)
    per_volunteer = hour_figures.by_volunteer(hour_rows)
    no_hours = hour_figures.totals([])
    status = volunteer_status.statuses_on(store, today)
    for r in roster:
        r["status"] = status[int(r["id"])]
    if not include_left:
        roster = [r for r in roster if r["status"] != "left"]
    warn = (today + timedelta(days=RECHECK_WARNING_DAYS)).isoformat()
    sup_warn = (today + timedelta(days=SUPERVISION_WARNING_DAYS)).isoformat()
    people = []
    for r in roster:
        due = (
            vols.add_years(date.fromisoformat(r["last_checked"]), years).isoformat()
            if r["last_checked"] and r["status"] != "left"
            else None
        )
        if r["status"] == "left":
            vet_flag = None
        elif due is None:
            vet_flag = "never vetted" if r["status"] in vols.MUST_BE_VETTED else None
        elif due < today.isoformat():
            vet_flag = "overdue"
        elif due <= warn:
            vet_flag = "due soon"
        else:
            vet_flag = None
        supervised = r["status"] in vols.SUPERVISED_STATUSES
        next_sup = (
            (date.fromisoformat(r["last_supervision"]) + timedelta(days=interval)).isoformat()
            if r["last_supervision"] and supervised
            else None
        )
        sup_flag = None
        if supervised:
            if next_sup is None:
                sup_flag = "never supervised"
            elif next_sup < today.isoformat():
                sup_flag = "overdue"
            elif next_sup <= sup_warn:
                sup_flag = "due soon"
        people.append(
            {
                "id": r["id"],
                "name": r["name"],
                "status": r["status"],
                "left_on": r["left_on"],
                "circles": r["circles"],
                "dbs_level": r["level"],
                "dbs_decision": r["decision"],
                "update_service": None if r["level"] is None else bool(r["update_service"]),
                "last_checked": r["last_checked"],
                "recheck_due": due,
                "vetting_flag": vet_flag,
                "initial_training": r["initial_training"],
                "supplementary_trainings": r["supplementary"],
                "training_hours": round(float(r["training_hours"]), 1),
                "last_supervision": r["last_supervision"],
                "next_supervision": next_sup,
                "supervision_flag": sup_flag,
                "supervisions_in_period": r["supervisions"],
                **per_volunteer.get(r["id"], no_hours),
            }
        )
    by_status = {s: sum(p["status"] == s for p in people) for s in vols.STATUSES}
    if not include_left:
        by_status.pop("left")
    hours_total = hour_figures.totals(hour_rows)
    return {
        "report": {
            "kind": KIND,
            "title": "Volunteers"
            + (f" in {coordinator}'s circles" if coordinator is not None else ""),
            "subject": f"as of {format_day(today)}",
            "period": f"hours {period_label(start, end)}",
            "from": start,
            "to": end,
        },
        "as_of": today.isoformat(),
        "coordinator": coordinator,
        "provider_wide": ["pipeline"] if coordinator is not None else [],
        "settings": {
            "vetting_recheck_years": years,
            "supervision_interval_days": interval,
        },
        "by_status": by_status,
        "volunteers": people,
        "rechecks_due": [
            p for p in people if p["vetting_flag"] in ("overdue", "due soon", "never vetted")
        ],
        "supervision_due": [p for p in people if p["supervision_flag"]],
        "hours_total": hours_total,
        "hours_by_month": [
            {"month": m, "hours": h}
            for m, h in hour_figures.by_month(hour_rows, months_between(start, end)).items()
        ],
        "hours_by_activity": hour_figures.by_activity(hour_rows),
        "pipeline": pipeline(store, status),
        "expenses": expenses.totals(store, start, end, coordinator=coordinator),
        "expenses_unpaid_pence": expenses.totals(store, coordinator=coordinator)["unpaid_pence"],
        "overrides": [
            {
                k: o[k]
                for k in (
                    "joined_on",
                    "circle_id",
                    "volunteer_id",
                    "volunteer_name",
                    "reason",
                    "refusals",
                )
            }
            for o in recruitment.overrides(store, start, end, coordinator=coordinator)
        ],
        "_file": f"volunteers-{today.isoformat()}"
        + (f"-{slug(coordinator)}" if coordinator else ""),
    }


def pipeline(store: Store, status: dict[int, str]) -> list[dict[str, Any]]:
    """Each stage (lookup order, then any other recorded): reached, current, moved on, and
    the median and mean days to the next stage."""
    from statistics import median

    rows = store.query(
        "SELECT volunteer_id, stage, date, id FROM volunteer_stages ORDER BY volunteer_id, date, id"
    )
    order = lookups.values(store, recruitment.STAGE_KIND)
    order += sorted({r["stage"] for r in rows} - set(order))
    stats: dict[str, dict[str, Any]] = {
        s: {"reached": set(), "current": 0, "days": []} for s in order
    }
    for i, r in enumerate(rows):
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        entry = stats[r["stage"]]
        entry["reached"].add(r["volunteer_id"])
        if nxt is not None and nxt["volunteer_id"] == r["volunteer_id"]:
            entry["days"].append(
                (date.fromisoformat(nxt["date"]) - date.fromisoformat(r["date"])).days
            )
        elif status.get(int(r["volunteer_id"])) != "left":
            entry["current"] += 1
    return [
        {
            "stage": s,
            "reached": len(stats[s]["reached"]),
            "current": stats[s]["current"],
            "moved_on": len(stats[s]["days"]),
            "median_days": median(stats[s]["days"]) if stats[s]["days"] else None,
            "mean_days": round(sum(stats[s]["days"]) / len(stats[s]["days"]), 1)
            if stats[s]["days"]
            else None,
        }
        for s in order
    ]


# -- rendering -------------------------------------------------------------------------------


def _day(value: str | None) -> str | None:
    return format_day(value) if value else None


def render(data: dict[str, Any]) -> list[Any]:
    from cosa.reports.cells import wrapped_table
    from cosa.reports.pdf import bar_chart, heading, kv_table, para, table

    s = data["settings"]
    story: list[Any] = []
    if data.get("coordinator"):
        story.append(
            para(
                f"Volunteers who were in a circle {data['coordinator']} coordinated during the"
                " period; their hours, expenses and override joins are those for the circles"
                f" {data['coordinator']} coordinated on the day. The recruitment pipeline is"
                " the whole provider's.",
                "small",
            )
        )
    story.append(heading("Summary"))
    pairs: list[tuple[str, object]] = [
        (status.capitalize(), n) for status, n in data["by_status"].items()
    ]
    pairs.append(
        (
            "Rules",
            f"DBS re-check every {s['vetting_recheck_years']} years; supervision every "
            f"{s['supervision_interval_days']} days",
        ),
    )
    story.append(kv_table(pairs))

    story.append(heading("Recruitment pipeline"))
    story.append(
        para(
            "Volunteers who reached each stage, who are at it now, and the days it took to move on.",
            "small",
        )
    )
    story.append(
        table(
            ["Stage", "Reached", "At it now", "Moved on", "Median days", "Mean days"],
            [
                [
                    p["stage"],
                    p["reached"],
                    p["current"],
                    p["moved_on"],
                    p["median_days"],
                    p["mean_days"],
                ]
                for p in data["pipeline"]
            ],
        )
    )
    if data["overrides"]:
        story.append(heading("Joins let through the gate by an override", 3))
        story.append(
            table(
                ["Joined", "Circle", "Volunteer", "Refused because", "Override reason"],
                [
                    [
                        _day(o["joined_on"]),
                        str(o["circle_id"]),
                        o["volunteer_name"],
                        "; ".join(o["refusals"]),
                        o["reason"],
                    ]
                    for o in data["overrides"]
                ],
            )
        )
    from cosa.money import format_pence

    e = data["expenses"]
    story.append(heading("Expenses"))
    story.append(
        kv_table(
            [
                ("Claims in the period", e["claims"]),
                ("Claimed", format_pence(e["claimed_pence"])),
                ("Paid", format_pence(e["paid_pence"])),
                ("Unpaid (of these)", format_pence(e["unpaid_pence"])),
                ("Miles", e["miles"]),
                ("Unpaid (all claims)", format_pence(data["expenses_unpaid_pence"])),
            ]
        )
    )

    story.append(heading("DBS re-checks due"))
    story.append(
        para(
            f"Overdue, never vetted, or due within {RECHECK_WARNING_DAYS} days "
            "(available and active volunteers must be vetted).",
            "small",
        )
    )
    story.append(
        table(
            [
                "#",
                "Volunteer",
                "Status",
                "Level",
                "Decision",
                "Last checked",
                "Re-check due",
                "Flag",
            ],
            [
                [
                    str(p["id"]),
                    p["name"],
                    p["status"],
                    p["dbs_level"],
                    p["dbs_decision"],
                    _day(p["last_checked"]),
                    _day(p["recheck_due"]),
                    p["vetting_flag"].upper(),
                ]
                for p in data["rechecks_due"]
            ],
        )
    )
    story.append(heading("Supervision due"))
    story.append(
        table(
            ["#", "Volunteer", "Last supervision", "Next due", "Flag"],
            [
                [
                    str(p["id"]),
                    p["name"],
                    _day(p["last_supervision"]),
                    _day(p["next_supervision"]),
                    p["supervision_flag"].upper(),
                ]
                for p in data["supervision_due"]
            ],
        )
    )

    story.append(heading("Vetting and training"))
    story.append(
        wrapped_table(
            [
                "#",
                "Volunteer",
                "Status",
                "Circles",
                "DBS",
                "Re-check due",
                "Initial training",
                "Further trainings",
                "Training hours",
            ],
            [
                [
                    str(p["id"]),
                    p["name"],
                    p["status"],
                    p["circles"],
                    f"{p['dbs_level']}, {p['dbs_decision']}" if p["dbs_level"] else "none",
                    _day(p["recheck_due"]),
                    _day(p["initial_training"]),
                    p["supplementary_trainings"],
                    p["training_hours"],
                ]
                for p in data["volunteers"]
            ],
            ("999", 2, "training", "9", 2, "30 Sep 2025", "30 Sep 2025", "99", "99.9"),
        )
    )

    story.append(heading("Supervision and hours"))
    t = data["hours_total"]
    story.append(
        para(
            f"Sessions and hours in the period ({data['report']['period']}). All volunteers: "
            f"{t['hours']:g} h ({t['meeting_hours']:g} h at meetings, {t['logged_hours']:g} h "
            f"logged) + {t['travel_hours']:g} h travel. Hours at meetings are each held "
            "meeting's length for every volunteer present; logged hours are work outside "
            "meetings.",
            "small",
        )
    )
    story.append(
        table(
            [
                "#",
                "Volunteer",
                "Sessions",
                "Last supervision",
                "At meetings",
                "Logged",
                "Hours",
                "Travel hours",
            ],
            [
                [
                    str(p["id"]),
                    p["name"],
                    p["supervisions_in_period"],
                    _day(p["last_supervision"]),
                    p["meeting_hours"],
                    p["logged_hours"],
                    p["hours"],
                    p["travel_hours"],
                ]
                for p in data["volunteers"]
            ],
        )
    )
    months = data["hours_by_month"]
    story.append(
        bar_chart(
            "Volunteer hours by month",
            [month_label(m["month"]) for m in months] if any(m["hours"] for m in months) else [],
            [m["hours"] for m in months] if any(m["hours"] for m in months) else [],
        )
    )
    story.append(
        table(
            ["Activity", "Volunteers", "Hours", "Travel hours"],
            [
                [a["activity"], a["volunteers"], a["hours"], a["travel_hours"]]
                for a in data["hours_by_activity"]
            ],
        )
    )
    return story
