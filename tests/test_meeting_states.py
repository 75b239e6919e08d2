"""Meetings as they really happened: held, cancelled and void meetings, duplicates, the
schedule, corrections after approval, absences, and the figures built on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cosa.domain import meetings
from cosa.store import Store

from .conftest import PASSPHRASE, Cli
from .demo_world import build_demo
from .test_meetings import START, World, _add, _head, _run_in_pty, build
from .weekly import days_ago, workspace_store


@pytest.fixture
def world(initialised: Path) -> World:
    with workspace_store(initialised) as store:
        return build(store)


@pytest.fixture
def dworld(store: Store) -> World:
    return build(store)


def _last_thursday(before: int = 0) -> str:
    """A Thursday (circle 1's meeting day) at least `before` days ago."""
    day = date.today() - timedelta(days=before)
    return (day - timedelta(days=(day.weekday() - 3) % 7)).isoformat()


def _report(cli: Cli, *args: str) -> Any:
    return cli.json("report", *args)


# -- cancelled meetings ------------------------------------------------------------------------


def test_a_cancelled_meeting_owes_no_minutes_is_never_late_and_counts_only_as_cancelled(
    cli: Cli, world: World
) -> None:
    held = _add(cli, "1", "--on", days_ago(20), "--present", "all", "--cm-attended", "yes")
    result = cli("meeting", "cancel", "1", "--on", days_ago(13), "--reason", "CM unwell",
                 "--moved-to", days_ago(11))  # fmt: skip
    cancelled = int(result.stdout)
    assert result.stderr.strip() == (
        f"Recorded meeting {cancelled} for CM-0001 on {days_ago(13)} as cancelled;"
        f" moved to {days_ago(11)}"
    )
    rows = {r["id"]: r for r in cli.json("meeting", "list")}
    assert (rows[cancelled]["state"], rows[cancelled]["state_reason"]) == ("cancelled", "CM unwell")
    assert rows[cancelled]["moved_to"] == days_ago(11)
    assert rows[cancelled]["minutes_state"] == "none" and rows[held]["state"] == "held"
    assert "cancelled" in cli("meeting", "list").stdout
    shown = cli("meeting", "show", str(cancelled)).stdout
    assert f"cancelled: CM unwell; moved to {days_ago(11)}" in shown
    # never late, never to approve or edit
    status = cli.json("status")
    assert [m["meeting_id"] for m in status["minutes_late"]] == [held]
    assert [m["id"] for m in meetings_due(cli)] == [held]
    assert "was cancelled" in cli("meeting", "approve", str(cancelled), code=1).stderr
    assert "was cancelled" in cli("meeting", "edit", str(cancelled), "--rag", "red",
                                  code=1).stderr  # fmt: skip
    summary = _report(cli, "circle", "1")["summary"]
    assert (summary["meetings_held"], summary["meetings_cancelled"]) == (1, 1)
    assert summary["cm_attendance_rate"] == 100.0
    assert [m["id"] for m in cli.json("meeting", "list", "--status", "cancelled")] == [cancelled]
    cli("audit", "verify")


def meetings_due(cli: Cli) -> list[dict[str, Any]]:
    return [m for m in cli.json("meeting", "list") if m["minutes_state"] in ("late", "draft")]


def test_status_counts_held_and_cancelled_meetings_of_active_circles(
    cli: Cli, world: World
) -> None:
    _add(cli, "1", "--on", days_ago(20))
    cli("meeting", "cancel", "1", "--on", days_ago(13), "--reason", "venue closed")
    circles = {c["id"]: c for c in cli.json("status")["circles"]}
    assert (circles[1]["meetings_held"], circles[1]["meetings_cancelled"]) == (1, 1)
    assert circles[1]["last_meeting"] == days_ago(20)


# -- bad input: one line, exit 1, nothing written -----------------------------------------------


def test_bad_state_changes_are_one_line_exit_1_and_write_nothing(cli: Cli, world: World) -> None:
    held = str(_add(cli, "1", "--on", days_ago(6), "--minutes", "ok"))
    cli("meeting", "approve", held)
    void = str(_add(cli, "1", "--on", days_ago(13)))
    cli("meeting", "void", void, "--reason", "wrong circle")
    head = _head(cli)
    cases = [
        (["meeting", "cancel", "1", "--on", days_ago(6), "--reason", "x"],
         f"Error: circle 1 (CM-0001) has a held formal meeting on {days_ago(6)}: meeting {held}"),
        (["meeting", "cancel", "1", "--on", days_ago(5)], "Error: --reason is required"),
        (["meeting", "cancel", "1", "--on", days_ago(5), "--reason", " "],
         "Error: --reason is required"),
        (["meeting", "cancel", "1", "--reason", "x"], "Error: --on is required"),
        (["meeting", "cancel", "1", "--on", days_ago(101), "--reason", "x"],
         f"Error: circle 1 (CM-0001) started on {START}"),
        (["meeting", "void", void, "--reason", "again"], f"Error: meeting {void} is already void"),
        (["meeting", "void", held], "Error: --reason is required"),
        (["meeting", "amend", held, "The RAG was red."], "Error: --reason is required"),
        (["meeting", "amend", held, "--rag", "red"], "Error: --reason is required"),
        (["meeting", "amend", held, "--rag", "purple", "--reason", "x"], "Error: invalid --rag"),
        (["meeting", "list", "--status", "maybe"], "Error: invalid --status 'maybe'"),
        (["meeting", "add", "1", "--on", days_ago(6)],
         f"Error: circle 1 (CM-0001) already has a held formal meeting on {days_ago(6)}:"
         f" meeting {held}"),
        (["meeting", "show", void], f"Error: meeting {void} is void"),
        (["meeting", "edit", void, "--rag", "red"], f"Error: meeting {void} is void"),
        (["concern", "add", "1", "x", "--severity", "amber", "--category", "other",
          "--meeting", void], f"Error: meeting {void} is void: nothing can be raised at it"),
        (["action", "add", "1", "Ring", "--meeting", void], f"Error: meeting {void} is void"),
    ]  # fmt: skip
    for args, start in cases:
        result = cli(*args, code=1)
        assert result.stderr.startswith(start), (args, result.stderr)
        assert len([x for x in result.stderr.splitlines() if x.startswith("Error")]) == 1
        assert result.stdout == ""
    assert _head(cli) == head


# -- void meetings ------------------------------------------------------------------------------


def test_a_void_meeting_leaves_every_list_and_figure_but_stays_readable_with_all(
    cli: Cli, world: World
) -> None:
    keep = str(_add(cli, "1", "--on", days_ago(13), "--present", "all", "--cm-attended", "yes",
                    "--minutes", "Kept."))  # fmt: skip
    wrong = str(_add(cli, "1", "--on", days_ago(6), "--present", "ann", "--cm-attended", "no",
                     "--minutes", "Typed into the wrong circle."))  # fmt: skip
    cli("meeting", "approve", wrong)
    cli("meeting", "amend", wrong, "Also the wrong date.", "--reason", "typo")
    assert cli.json("search", "wrong date")
    before = _report(cli, "circle", "1")["summary"]
    assert before["meetings_held"] == 2 and before["cm_attendance_rate"] == 50.0
    result = cli("meeting", "void", wrong, "--reason", "belongs to another circle")
    assert result.stderr.strip() == f"Voided meeting {wrong} (CM-0001, {days_ago(6)})."
    assert [m["id"] for m in cli.json("meeting", "list")] == [int(keep)]
    listed = cli.json("meeting", "list", "--all")
    assert [(m["id"], m["state"]) for m in listed] == [(int(wrong), "void"), (int(keep), "held")]
    shown = cli.json("meeting", "show", wrong, "--all")
    assert shown["minutes"] == "Typed into the wrong circle." and shown["approved_at"]
    assert "VOID (recorded in error): belongs to another circle" in cli(
        "meeting", "show", wrong, "--all").stdout  # fmt: skip
    after = _report(cli, "circle", "1")["summary"]
    assert (after["meetings_held"], after["meetings_cancelled"]) == (1, 0)
    assert after["cm_attendance_rate"] == 100.0
    assert not cli.json("search", "wrong circle") and not cli.json("search", "wrong date")
    entries = [e for e in cli.json("audit", "--limit", "0") if e["action"] == "meeting.void"]
    assert len(entries) == 1
    cli("audit", "verify")


# -- duplicates ---------------------------------------------------------------------------------


def test_a_second_held_meeting_of_the_same_type_that_day_is_refused_unless_forced(
    cli: Cli, world: World
) -> None:
    first = _add(cli, "1", "--on", days_ago(2))
    head = _head(cli)
    result = cli("meeting", "add", "1", "--on", days_ago(2), code=1)
    assert result.stderr.splitlines()[0] == (
        f"Error: circle 1 (CM-0001) already has a held formal meeting on {days_ago(2)}:"
        f" meeting {first}"
    )
    assert _head(cli) == head
    social = _add(cli, "1", "--on", days_ago(2), "--type", "social")  # another type is fine
    forced = _add(cli, "1", "--on", days_ago(2), "--force")
    assert len({first, social, forced}) == 3
    # a cancelled or void meeting is no duplicate
    cli("meeting", "void", str(forced), "--reason", "twice")
    cli("meeting", "cancel", "1", "--on", days_ago(3), "--reason", "snow")
    _add(cli, "1", "--on", days_ago(3), "--type", "social")
    # an edit that would make one is refused too
    other = _add(cli, "1", "--on", days_ago(4))
    result = cli("meeting", "edit", str(other), "--on", days_ago(2), code=1)
    assert f"already has a held formal meeting on {days_ago(2)}: meeting {first}" in result.stderr


def test_on_a_terminal_a_duplicate_is_asked_about(
    cli: Cli, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import secrets_input

    first = _add(cli, "1", "--on", days_ago(2), "--no-prompt")
    monkeypatch.setattr(secrets_input, "interactive", lambda: True)
    args = ["meeting", "add", "1", "--on", days_ago(2), "--type", "formal", "--present", "all",
            "--cm-attended", "yes", "--rag", "green", "--minutes", "x"]  # fmt: skip
    result = cli(*args, input="n\n", code=1)
    assert f"already has a held formal meeting on {days_ago(2)} (meeting {first})" in result.stderr
    assert len(cli.json("meeting", "list")) == 1
    result = cli(*args, input="y\n")
    assert result.stdout.split()[-1] == str(first + 1)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes")
def test_five_parallel_adds_of_the_same_meeting_record_one(cli: Cli, world: World) -> None:
    exe = Path(sys.executable).parent / "cosa"
    if not exe.exists():
        pytest.skip("the cosa console script is not installed")
    env = {**os.environ, "COSA_PASSPHRASE": PASSPHRASE}
    procs = [
        subprocess.Popen(
            [str(exe), "meeting", "add", "1", "--on", days_ago(2), "--no-prompt"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(5)
    ]
    results = []
    for p in procs:
        _, err = p.communicate(timeout=120)
        results.append((p.returncode, err))
    assert sorted(code for code, _ in results) == [0, 1, 1, 1, 1], results
    for code, err in results:
        if code:
            assert "already has a held formal meeting" in err
    assert len(cli.json("meeting", "list")) == 1
    cli("audit", "verify")


# -- corrections after approval ------------------------------------------------------------------


def test_an_amendment_corrects_the_structured_fields_keeps_before_and_after_and_figures_follow(
    cli: Cli, world: World
) -> None:
    mid = str(_add(cli, "1", "--on", days_ago(6), "--present", "ann,bob", "--apologies", "carol",
                   "--cm-attended", "no", "--rag", "green", "--minutes", "As it was."))  # fmt: skip
    cli("meeting", "approve", mid)
    assert _report(cli, "circle", "1")["summary"]["cm_attended"] == 0
    cli("meeting", "amend", mid, "--cm-attended", "yes", "--rag", "amber", "--present", "all",
        "--apologies", "bob", "--on", days_ago(7), "--reason", "the PP's notes differ")  # fmt: skip
    shown = cli.json("meeting", "show", mid)
    assert (shown["cm_attended"], shown["rag"], shown["date"]) == ("yes", "amber", days_ago(7))
    assert shown["minutes"] == "As it was."  # the approved text never changes
    assert sorted((a["volunteer_id"], a["status"]) for a in shown["attendance"]) == [
        (1, "present"), (2, "apologies"), (3, "present")]  # fmt: skip
    (amendment,) = shown["amendments"]
    changes = json.loads(amendment["changes"])
    assert changes["cm_attended"] == ["no", "yes"] and changes["rag"] == ["green", "amber"]
    assert changes["date"] == [days_ago(6), days_ago(7)]
    assert changes["attendance"] == [
        "present: 1 Ann Example, 2 Bob Baker; apologies: 3 Carol Jones",
        "present: 1 Ann Example, 3 Carol Jones; apologies: 2 Bob Baker",
    ]
    assert amendment["reason"] == "the PP's notes differ"
    assert amendment["text"].startswith("Corrected date: ")
    text = cli("meeting", "show", mid).stdout
    assert "cm_attended: no → yes" in text
    summary = _report(cli, "circle", "1")["summary"]
    assert (summary["cm_attended"], summary["cm_recorded"]) == (1, 1)
    head = _head(cli)
    result = cli("meeting", "amend", mid, "--rag", "amber", "--reason", "again", code=1)
    assert "already have those values" in result.stderr
    assert _head(cli) == head
    cli("audit", "verify")


# -- the schedule ---------------------------------------------------------------------------------


def test_upcoming_lists_the_planned_days_and_skips_those_recorded_or_cancelled(
    cli: Cli, world: World
) -> None:
    planned = cli.json("meeting", "list", "--upcoming", "1")
    days = [date.fromisoformat(p["date"]) for p in planned]
    assert days and all(d.weekday() == 3 for d in days)  # Thursdays
    assert days[0] >= date.today() and days == sorted(days) and len(days) == 4
    assert (days[1] - days[0]).days == 7
    cli("meeting", "cancel", "1", "--on", days[0].isoformat(), "--reason", "bank holiday")
    again = [p["date"] for p in cli.json("meeting", "list", "--upcoming", "1")]
    assert days[0].isoformat() not in again and again[0] == days[1].isoformat()
    every = cli("meeting", "list", "--upcoming").stdout  # circle 2 has no meeting day
    assert every.count("CM-0001") == 3 and "CM-0002" not in every
    status = {c["id"]: c for c in cli.json("status")["circles"]}
    assert status[1]["next_meeting"] == days[1].isoformat()


def test_the_date_defaults_to_the_last_scheduled_day_without_a_record(
    store: Store, dworld: World
) -> None:
    circle = meetings.resolve_circle(store, 1)
    assert meetings.next_unrecorded_day(store, circle) == _last_thursday()
    meetings.add(store, 1, date=_last_thursday())
    later = meetings.next_unrecorded_day(store, circle)
    assert later == (date.fromisoformat(_last_thursday()) - timedelta(days=7)).isoformat()
    meetings.cancel(store, 1, on=later, reason="snow")
    earlier = (date.fromisoformat(later) - timedelta(days=7)).isoformat()
    assert meetings.next_unrecorded_day(store, circle) == earlier
    # a circle with no meeting day has no schedule: today
    other = meetings.resolve_circle(store, 2)
    assert meetings.next_unrecorded_day(store, other) == date.today().isoformat()
    assert meetings.upcoming(store, 2) == []


# -- absent without apology ---------------------------------------------------------------------


def test_members_neither_present_nor_apologising_are_absent_in_show_minutes_and_figures(
    cli: Cli, world: World
) -> None:
    mid = str(_add(cli, "1", "--on", days_ago(6), "--present", "ann", "--apologies", "bob",
                   "--cm-attended", "yes", "--minutes", "Short."))  # fmt: skip
    shown = cli.json("meeting", "show", mid)
    assert shown["absent"] == [{"volunteer_id": 3, "volunteer_name": "Carol Jones"}]
    assert "Absent       Carol Jones" in cli("meeting", "show", mid).stdout.replace(":", " ")
    record = _report(cli, "minutes", mid)
    assert sorted(a["status"] for a in record["attendance"]) == ["absent", "apologies", "present"]
    circle = _report(cli, "circle", "1")
    assert (circle["summary"]["volunteer_absences"], circle["summary"]["volunteer_apologies"]) == (
        1, 1)  # fmt: skip
    by_member = {m["volunteer"]: m for m in circle["members"]}
    assert by_member["Carol"]["meetings_absent"] == 1 and by_member["Ann"]["meetings_present"] == 1
    # no attendance recorded at all: nobody is known absent
    none = str(_add(cli, "1", "--on", days_ago(13), "--no-prompt"))
    assert cli.json("meeting", "show", none)["absent"] == []
    assert "Absent       not recorded" in cli("meeting", "show", none).stdout.replace(":", " ")


# -- the crash: a meeting with no core-member attendance recorded ---------------------------------


def test_circle_report_with_a_volunteers_only_briefing_does_not_crash(
    cli: Cli, world: World
) -> None:
    mid = str(_add(cli, "1", "--on", days_ago(6), "--type", "briefing", "--present", "all",
                   "--minutes", "Volunteers only.", "--no-prompt"))  # fmt: skip
    cli("meeting", "approve", mid)
    data = _report(cli, "circle", "1")
    (briefing,) = data["meetings_by_type"]
    assert (briefing["type"], briefing["held"], briefing["cm_attended"]) == ("briefing", 1, 0)
    assert briefing["cm_attendance_rate"] is None and briefing["minutes_on_time"] == 0
    assert data["summary"]["cm_recorded"] == 0
    cli("report", "circle", "1", "-o", str(Path(os.environ["COSA_HOME"]).parent / "c.pdf"))


# -- each state through every report --------------------------------------------------------------


def test_each_state_through_every_report(cli: Cli, world: World, tmp_path: Path) -> None:
    held = str(_add(cli, "1", "--on", days_ago(13), "--present", "all", "--cm-attended", "yes",
                    "--minutes", "Held."))  # fmt: skip
    cli("meeting", "approve", held)
    cancelled = str(int(cli("meeting", "cancel", "1", "--on", days_ago(6),
                            "--reason", "venue closed").stdout))  # fmt: skip
    void = str(_add(cli, "1", "--on", days_ago(20), "--present", "all", "--cm-attended", "no",
                    "--minutes", "Wrong."))  # fmt: skip
    cli("meeting", "approve", void)
    cli("meeting", "void", void, "--reason", "wrong circle")
    # circle
    summary = _report(cli, "circle", "1")["summary"]
    assert (summary["meetings_held"], summary["meetings_cancelled"]) == (1, 1)
    # quarter (both quarters the days may fall in)
    cli("config", "set", "small_count_threshold", "2")
    quarters = {meetings_quarter(days_ago(d)) for d in (6, 13, 20)}
    held_q = cancelled_q = 0
    for q in quarters:
        data = _report(cli, "quarter", q)
        held_q += data["meetings_held"] if data["meetings_held"] != "<2" else 1
        cancelled_q += data["meetings_cancelled"] if data["meetings_cancelled"] != "<2" else 1
    assert (held_q, cancelled_q) == (1, 1)
    # volunteers report runs (meetings do not enter it)
    cli("report", "volunteers", "--json")
    # minutes and share: held yes; cancelled has no minutes; void is refused
    assert _report(cli, "minutes", held)["meeting"]["id"] == int(held)
    assert "was cancelled" in cli("report", "minutes", cancelled, "--json", code=1).stderr
    assert f"meeting {void} is void" in cli("report", "minutes", void, "--json", code=1).stderr
    cli("pro", "add", "Pat Probation", "--agency", "Probation Service", "--role", "probation")
    assert f"meeting {void} is void" in cli("share", void, "--to", "1", code=1).stderr
    assert "not approved" in cli("share", cancelled, "--to", "1", code=1).stderr
    # member report: the held and the cancelled meeting, not the void one
    member = _report(cli, "member", "CM-0001")
    listed = [(m["date"], m["state"]) for c in member["circles"] for m in c["meetings"]]
    assert sorted(listed) == [(days_ago(13), "held"), (days_ago(6), "cancelled")]


def meetings_quarter(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


# -- red concerns and the probation practitioner --------------------------------------------------


def test_notify_pp_is_a_status_item_until_an_escalation_for_the_meeting(
    cli: Cli, world: World
) -> None:
    result = cli("meeting", "add", "1", "--on", days_ago(2), "--notify-pp", "--no-prompt",
                 "--concern", "Seen near a school", "--concern-severity", "red")  # fmt: skip
    assert "RED concern: tell the police or probation now" in result.stderr
    mid = int(result.stdout)
    items = cli.json("status")["probation_to_be_told"]
    assert [(i["meeting_id"], i["concerns"]) for i in items] == [(mid, 1)]
    assert "Probation to be told" in cli("status").stdout
    cli("pro", "add", "Pat Probation", "--agency", "Probation Service", "--role", "probation")
    (concern,) = cli.json("meeting", "show", str(mid))["concerns"]
    cli("concern", "escalate", str(concern["id"]), "--to", "1", "--via", "phone",
        "--basis", "legal duty")  # fmt: skip
    assert cli.json("status")["probation_to_be_told"] == []
    # a share pack of the meeting sent to probation records it too
    other = _add(cli, "1", "--on", days_ago(9), "--notify-pp", "--minutes", "Told.")
    cli("meeting", "approve", str(other))
    assert [i["meeting_id"] for i in cli.json("status")["probation_to_be_told"]] == [other]
    cli("member", "consent", "CM-0001", "--to", "1")
    out = Path(os.environ["COSA_HOME"]).parent / "share.pdf"
    cli("share", str(other), "--to", "1", "-o", str(out))
    assert cli.json("status")["probation_to_be_told"] == []


# -- the interactive flow on a real terminal ------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_interactive_add_asks_the_date_first_and_records_a_concern_from_the_concerns_section(
    cli: Cli, world: World, tmp_path: Path
) -> None:
    exe = Path(sys.executable).parent / "cosa"
    if not exe.exists():
        pytest.skip("the cosa console script is not installed")
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\n"
        'sed -i "s/^## Concerns$/## Concerns\\n- Drinking again at weekends/" "$1"\n'
        'sed -i "s/^## Check-in$/## Check-in\\nAll well./" "$1"\n'
    )
    editor.chmod(0o755)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ["HOME"],
        "TMPDIR": str(tmp_path),
        "COSA_HOME": os.environ["COSA_HOME"],
        "COSA_PASSPHRASE": PASSPHRASE,
        "EDITOR": str(editor),
        "TERM": "dumb",
        "NO_COLOR": "1",
    }
    # date, type, present, CM attended, RAG; then: concern, red, category
    typed = f"{days_ago(3)}\n\n\n\n\n\nred\ndrink or drugs\n".encode()
    code, out = _run_in_pty([str(exe), "meeting", "add", "1"], env, typed=typed)
    assert code == 0, out
    assert out.index("Date of the meeting") < out.index("Meeting type")
    assert "Drinking again at weekends" in out
    assert "RED concern: tell the police or probation now" in out
    (m,) = cli.json("meeting", "list")
    shown = cli.json("meeting", "show", str(m["id"]))
    assert shown["date"] == days_ago(3)
    assert [(c["text"], c["severity"], c["category"]) for c in shown["concerns"]] == [
        ("Drinking again at weekends", "red", "drink or drugs")
    ]
    assert shown["minutes"] == (
        "## Check-in\nAll well.\n\n## Concerns\n- Drinking again at weekends"
    )  # the empty sections are dropped


# -- the upgrade ---------------------------------------------------------------------------------


def test_migration_m021_keeps_amendments_and_the_audit_true(tmp_path: Path) -> None:
    from cosa import audit, migrations

    from .upgrade import store_without

    with store_without(tmp_path, "m021") as store:
        with store.atomic():
            world = build(store)
            mid = store.insert(
                "meetings",
                "meeting",
                {"circle_id": world.circle, "date": days_ago(3), "type": "formal",
                 "minutes": "x", "minutes_due_at": f"{days_ago(1)} 00:00:00",
                 "approved_at": f"{days_ago(2)} 10:00:00", "approved_by": "t"},
            )  # fmt: skip
            store.insert("meeting_amendments", "amendment",
                         {"meeting_id": mid, "text": "Fix.", "reason": "typo"})  # fmt: skip
        assert "m021_meeting_corrections" in migrations.apply_migrations(store)
        assert store.query("SELECT changes FROM meeting_amendments") == [{"changes": None}]
        assert audit.verify(store).ok, audit.verify(store).problems
        plan = " ".join(
            r["detail"]
            for r in store.query(
                "EXPLAIN QUERY PLAN SELECT id FROM meetings WHERE approved_at IS NULL"
                " AND state = 'held' ORDER BY minutes_due_at"
            )
        )
        assert "meetings_unapproved" in plan


# -- the demo's figures reconcile with its records ---------------------------------------------


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo, built once for the reconciliation test."""
    return build_demo(tmp_path_factory, reports=True)[0]


def test_the_demo_reports_reconcile_with_its_meetings_recounted_in_sql(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa.demo import DEMO_PASSPHRASE

    monkeypatch.setenv("COSA_HOME", str(demo_home))
    monkeypatch.setenv("COSA_PASSPHRASE", DEMO_PASSPHRASE)
    cli = Cli()
    with workspace_store(demo_home) as store:
        states = {
            r["state"]: r["n"]
            for r in store.query("SELECT state, count(*) AS n FROM meetings GROUP BY state")
        }
        assert states["cancelled"] >= 2 and states["void"] >= 2 and states["held"] > 100
        assert store.scalar("SELECT count(*) FROM meetings WHERE moved_to IS NOT NULL") >= 1
        circle_ids = [r["id"] for r in store.query("SELECT id FROM circles ORDER BY id")]
        for cid in circle_ids:
            data = _report(cli, "circle", str(cid))
            span = {"c": cid, "start": data["report"]["from"], "end": data["report"]["to"]}
            where = "circle_id = :c AND date BETWEEN :start AND :end"
            expected = store.one(
                "SELECT total(state = 'held') AS held, total(state = 'cancelled') AS cancelled,"
                " total(state = 'held' AND cm_attended IS NOT NULL) AS recorded,"
                " total(state = 'held' AND cm_attended IN ('yes', 'late')) AS attended,"
                " total(state = 'held' AND approved_at <= minutes_due_at) AS on_time"
                f" FROM meetings WHERE {where}",
                span,
            )
            assert expected is not None
            absences = store.scalar(
                "SELECT count(*) FROM meetings m JOIN circle_members cm ON cm.circle_id ="
                " m.circle_id AND cm.joined_on <= m.date AND (cm.left_on IS NULL OR"
                " cm.left_on >= m.date) WHERE m.circle_id = :c AND m.date BETWEEN :start AND :end"
                " AND m.state = 'held' AND EXISTS (SELECT 1 FROM meeting_attendance x"
                " WHERE x.meeting_id = m.id) AND NOT EXISTS (SELECT 1 FROM meeting_attendance a"
                " WHERE a.meeting_id = m.id AND a.volunteer_id = cm.volunteer_id)",
                span,
            )
            s = data["summary"]
            assert (s["meetings_held"], s["meetings_cancelled"]) == (
                expected["held"],
                expected["cancelled"],
            ), cid
            assert (s["cm_recorded"], s["cm_attended"]) == (
                expected["recorded"],
                expected["attended"],
            ), cid
            assert s["volunteer_absences"] == absences, cid
            assert s["minutes_on_time"] == expected["on_time"], cid
            assert sum(t["held"] for t in data["meetings_by_type"]) == s["meetings_held"]
            assert sum(m["meetings"] for m in data["attendance_by_month"]) == s["meetings_held"]
        # the quarterly return, for every quarter with meetings
        quarters = {
            f"{r['y']}-Q{(int(r['m']) - 1) // 3 + 1}"
            for r in store.query(
                "SELECT DISTINCT substr(date, 1, 4) AS y, substr(date, 6, 2) AS m FROM meetings"
            )
        }
        limit = 5
        for q in sorted(quarters):
            data = _report(cli, "quarter", q)
            first, last = data["report"]["from"], data["report"]["to"]
            for state in ("held", "cancelled"):
                n = store.scalar(
                    "SELECT count(*) FROM meetings WHERE state = ? AND date BETWEEN ? AND ?",
                    (state, first, last),
                )
                assert data[f"meetings_{state}"] == (f"<{limit}" if 0 < n < limit else n), q
        # status: each active circle's counts over its life
        for c in cli.json("status")["circles"]:
            held, cancelled = store.one(
                "SELECT total(state = 'held') AS h, total(state = 'cancelled') AS c"
                " FROM meetings WHERE circle_id = ?",
                (c["id"],),
            ).values()  # type: ignore[union-attr]
            assert (c["meetings_held"], c["meetings_cancelled"]) == (held, cancelled)


def test_lines_under_actions_can_become_actions_and_others_can_be_skipped(
    cli: Cli, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import secrets_input

    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\n"
        'sed -i "s/^## Actions$/## Actions\\n1. Ann to ring the housing officer/" "$1"\n'
        'sed -i "s/^## Concerns$/## Concerns\\n* Nothing new really/" "$1"\n'
    )
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setattr(secrets_input, "interactive", lambda: True)
    # the concern line: nothing; the action line: Enter (action), owner, due
    result = cli("meeting", "add", "1", "--on", days_ago(2), "--type", "formal", "--present",
                 "all", "--cm-attended", "yes", "--rag", "green",
                 input="nothing\n\nAnn\n+7d\n")  # fmt: skip
    assert "Under Concerns and Actions you wrote:" in result.stderr
    shown = cli.json("meeting", "show", result.stdout.split()[-1])
    assert shown["concerns"] == []
    assert [(a["text"], a["owner"], a["due"]) for a in shown["actions"]] == [
        (
            "Ann to ring the housing officer",
            "Ann Example",
            (date.today() + timedelta(days=7)).isoformat(),
        )
    ]
