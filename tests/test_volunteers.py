"""Volunteers: status and leaving, DBS vetting, training, supervision, hours, what is due."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cosa import audit
from cosa.domain import volunteers
from cosa.errors import UserError
from cosa.models import HoursEntry, Supervision, Training, Vetting, Volunteer

from .conftest import Cli
from .people import active_volunteer

TODAY = date(2026, 11, 26)


def _set(store: Any, key: str, value: str) -> None:
    with store.atomic():
        store.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))


def _head(cli: Cli) -> int:
    return int(cli.json("audit", "--limit", "1")[-1]["seq"])


# -- status, edit, leave ---------------------------------------------------------------------


def test_a_new_volunteer_is_an_applicant(store: Any) -> None:
    assert volunteers.add(store, "Ann") == 1
    assert volunteers.get(store, "ann")["status"] == "applicant"


def test_edit_changes_only_what_differs_and_audits_the_field_names(store: Any) -> None:
    vid = volunteers.add(store, "Ann", email="ann@example.org", phone="0100")
    assert volunteers.edit(store, "ann", email="ann@example.org") == (vid, [])
    assert volunteers.edit(store, str(vid), phone="", name=" Ann Example ") == (
        vid,
        ["name", "phone"],
    )
    row = volunteers.get(store, "ann")
    assert (row["name"], row["phone"], row["status"]) == ("Ann Example", None, "applicant")
    assert [e["fields"] for e in audit.entries(store, action="volunteer.edit")] == [
        ["name", "phone"],
    ]
    assert audit.verify(store).ok


def test_edit_refuses_nothing_an_empty_name_and_a_bad_email(store: Any) -> None:
    volunteers.add(store, "Ann")
    with pytest.raises(UserError, match="nothing to change"):
        volunteers.edit(store, "ann")
    with pytest.raises(UserError, match="--name must not be empty"):
        volunteers.edit(store, "ann", name="  ")
    with pytest.raises(UserError, match="invalid --email 'ann at example'"):
        volunteers.edit(store, "ann", email="ann at example")


def test_a_volunteer_who_left_keeps_editable_details_but_cannot_rest(store: Any) -> None:
    active_volunteer(store, "Ann")
    volunteers.leave(store, "ann", reason="moved away", on="2026-10-01", today=TODAY)
    with pytest.raises(UserError, match="left on 2026-10-01; a rest dated 2026-10-02"):
        volunteers.rest(store, "ann", on="2026-10-02", today=TODAY)
    assert volunteers.edit(store, "ann", phone="0100")[1] == ["phone"]  # details still editable


def test_leave_records_status_date_and_reason_once(store: Any) -> None:
    active_volunteer(store, "Ann")
    volunteers.leave(store, "ann", reason="  moved away ", on="yesterday", today=TODAY)
    row = volunteers.get(store, "ann")
    assert (row["status"], row["left_on"], row["left_reason"]) == (
        "left",
        "2026-11-25",
        "moved away",
    )
    [entry] = audit.entries(store, action="volunteer.leave")
    assert entry["fields"] == ["left_on", "left_reason"]
    with pytest.raises(UserError, match="already left on 2026-11-25"):
        volunteers.leave(store, "ann", reason="again", today=TODAY)


def test_leave_defaults_to_today_and_refuses_the_future_and_a_blank_reason(store: Any) -> None:
    volunteers.add(store, "Ann")
    with pytest.raises(UserError, match="invalid --on '2026-11-27': must not be in the future"):
        volunteers.leave(store, "ann", reason="x", on="tomorrow", today=TODAY)
    with pytest.raises(UserError, match="--reason must not be empty"):
        volunteers.leave(store, "ann", reason=" ", today=TODAY)
    volunteers.leave(store, "ann", reason="x", today=TODAY)
    assert volunteers.get(store, "ann")["left_on"] == "2026-11-26"


# -- vetting ---------------------------------------------------------------------------------


def test_vetting_keeps_the_certificate_facts_and_a_recheck_due_three_years_on(store: Any) -> None:
    vid = volunteers.add(store, "Ann")
    rid, due = volunteers.vet(
        store,
        "ann",
        level="Enhanced Barred",
        certificate="0012 3456 7890",
        issued="2023-05-10",
        update_service=True,
        decision="cleared_with_conditions",
        today=TODAY,
    )
    assert due == "2026-05-10"
    [v] = volunteers.vettings(store, vid)
    assert (v["id"], v["level"], v["certificate"], v["decision"]) == (
        rid,
        "enhanced-barred",
        "001234567890",
        "cleared-with-conditions",
    )
    assert v["update_service"] is True and v["checked_on"] is None
    assert volunteers.list_(store)[0]["recheck_due"] == "2026-05-10"


def test_a_status_check_moves_the_recheck_and_the_latest_check_wins(store: Any) -> None:
    vid = volunteers.add(store, "Ann")
    volunteers.vet(store, "ann", level="enhanced", certificate="1", issued="2020-02-29")
    assert volunteers.vettings(store, vid)[0]["recheck_due"] == "2023-02-28"  # leap day clamps
    _, due = volunteers.vet(
        store,
        "ann",
        level="enhanced",
        certificate="1",
        issued="2020-02-29",
        checked="2024-01-15",
        decision="cleared",
    )
    assert due == "2027-01-15"
    detail = volunteers.detail(store, "ann")
    assert [v["checked_on"] for v in detail["vetting"]] == ["2024-01-15", None]
    assert (detail["last_checked"], detail["recheck_due"]) == ("2024-01-15", "2027-01-15")


def test_the_recheck_interval_is_a_setting(store: Any) -> None:
    volunteers.add(store, "Ann")
    _set(store, "vetting_recheck_years", "2")
    assert volunteers.vet(store, "ann", level="basic", certificate="7", issued="2025-01-01")[1] == (
        "2027-01-01"
    )
    _set(store, "vetting_recheck_years", "soon")
    with pytest.raises(UserError, match="the setting vetting_recheck_years is 'soon'"):
        volunteers.list_(store)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"level": "gold"}, "invalid --level 'gold'"),
        ({"decision": "maybe"}, "invalid --decision 'maybe'"),
        ({"issued": "2026-02-30"}, "invalid --issued '2026-02-30': day is out of range"),
        ({"issued": "2026-12-01"}, "invalid --issued '2026-12-01': must not be in the future"),
        ({"checked": "2024-01-01"}, "invalid --checked '2024-01-01': before the certificate"),
        ({"certificate": " "}, "--certificate must not be empty"),
        ({"certificate": "Offences: none. Cautions: none."}, "certificate number only"),
    ],
)
def test_vetting_refuses_bad_input_and_writes_nothing(
    store: Any, changes: dict[str, str], error: str
) -> None:
    volunteers.add(store, "Ann")
    before = store.audit_head()
    args = {"level": "enhanced", "certificate": "123456789012", "issued": "2025-01-01"}
    with pytest.raises(UserError, match=error):
        volunteers.vet(store, "ann", **{**args, **changes}, today=TODAY)  # type: ignore[arg-type]
    assert store.audit_head() == before
    assert store.query("SELECT * FROM volunteer_vetting") == []


def test_a_certificate_belongs_to_one_volunteer_and_keeps_its_issue_date(store: Any) -> None:
    volunteers.add(store, "Ann")
    volunteers.add(store, "Bob")
    volunteers.vet(store, "ann", level="enhanced", certificate="555", issued="2025-01-01")
    with pytest.raises(UserError, match="certificate 555 is already recorded for volunteer 1"):
        volunteers.vet(store, "bob", level="enhanced", certificate="555", issued="2025-01-01")
    with pytest.raises(UserError, match="certificate 555 was recorded as enhanced, issued"):
        volunteers.vet(store, "ann", level="enhanced", certificate="555", issued="2025-02-01")


# -- training, supervision, hours ------------------------------------------------------------


def test_training_supervision_and_hours_are_recorded_and_totalled(store: Any) -> None:
    vid = volunteers.add(store, "Ann")
    volunteers.train(store, "ann", kind="initial", on="2026-01-10", provider="Circles UK", hours=14)
    volunteers.train(store, "ann", kind="Supplementary", on="2026-06-01", title="Boundaries")
    volunteers.supervise(store, "ann", on="2026-03-01", kind="group", wellbeing="fine")
    volunteers.log_hours(store, "ann", on="2026-03-02", hours=1.5, travel_hours=0.25)
    volunteers.log_hours(store, "ann", on="2026-03-09", hours=2, activity="circle")
    volunteers.log_hours(store, "ann", on="2026-03-10", hours=0.333, activity="contact")
    detail = volunteers.detail(store, "ann")
    assert [(t["kind"], t["hours"], t["title"]) for t in detail["training"]] == [
        ("initial", 14.0, None),
        ("supplementary", None, "Boundaries"),
    ]
    assert [(s["kind"], s["wellbeing"]) for s in detail["supervision"]] == [("group", "fine")]
    assert detail["hours"] == {
        "entries": 3,
        "hours": 3.83,
        "travel_hours": 0.25,
        "by_activity": {"circle": 3.5, "contact": 0.33},
    }
    assert len(volunteers.hours_entries(store, vid)) == 3
    assert audit.verify(store).ok


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ({"hours": -1}, "invalid --hours '-1': must be more than 0 and at most 24"),
        ({"hours": 0}, "invalid --hours '0': must be more than 0"),
        ({"hours": 25}, "invalid --hours '25': must be at most 24"),
        ({"hours": float("nan")}, "invalid --hours 'nan': not a number"),
        ({"hours": float("inf")}, "invalid --hours 'inf': not a number"),
        ({"travel_hours": -0.5}, "invalid --travel-hours '-0.5': must be 0 to 24"),
        ({"activity": "gardening"}, "invalid --activity 'gardening'"),
        ({"on": "2026-02-30"}, "invalid --on '2026-02-30'"),
        ({"on": "someday"}, "invalid --on 'someday': not a date"),
    ],
)
def test_hours_refuse_bad_input_and_write_nothing(
    store: Any, call: dict[str, Any], error: str
) -> None:
    volunteers.add(store, "Ann")
    before = store.audit_head()
    with pytest.raises(UserError, match=error) as err:
        volunteers.log_hours(store, "ann", **{"on": "2026-03-01", "hours": 1.0, **call})
    if "activity" in call:
        assert "circle, contact, training, supervision, admin, other" in (err.value.hint or "")
    assert store.audit_head() == before
    assert store.query("SELECT * FROM volunteer_hours") == []


def test_training_and_supervision_refuse_bad_kinds_unknown_volunteers_and_bad_dates(
    store: Any,
) -> None:
    volunteers.add(store, "Ann")
    before = store.audit_head()
    with pytest.raises(UserError, match="invalid --type 'refresher'") as err:
        volunteers.train(store, "ann", kind="refresher", on="2026-01-01")
    assert err.value.hint == "choose one of: initial, supplementary"
    with pytest.raises(UserError, match="invalid --type 'pair'"):
        volunteers.supervise(store, "ann", on="2026-01-01", kind="pair")
    with pytest.raises(UserError, match="no volunteer matches 'zed'"):
        volunteers.supervise(store, "zed", on="2026-01-01")
    with pytest.raises(UserError, match="volunteer 99 not found"):
        volunteers.train(store, "99", kind="initial", on="2026-01-01")
    with pytest.raises(UserError, match="invalid --on '2026-13-01'"):
        volunteers.supervise(store, "ann", on="2026-13-01")
    with pytest.raises(UserError, match="invalid --hours '-2'"):
        volunteers.train(store, "ann", kind="initial", on="2026-01-01", hours=-2)
    assert store.audit_head() == before


# -- what is due -----------------------------------------------------------------------------


def test_vetting_rechecks_due_lists_overdue_soon_due_and_never_vetted(store: Any) -> None:
    from .people import approve

    for name in ("Overdue", "Soon", "Later", "Never", "Applicant", "Gone"):
        vid = volunteers.add(store, name)
        if name != "Applicant":
            approve(store, vid)
    volunteers.rest(store, "soon", on="2026-01-01", today=TODAY)
    volunteers.vet(store, "overdue", level="enhanced", certificate="1", issued="2023-01-01")
    volunteers.vet(store, "soon", level="enhanced", certificate="2", issued="2023-12-20")
    volunteers.vet(store, "later", level="enhanced", certificate="3", issued="2025-01-01")
    volunteers.vet(store, "gone", level="enhanced", certificate="4", issued="2020-01-01")
    volunteers.leave(store, "gone", reason="moved", today=TODAY)
    due = volunteers.vetting_rechecks_due(store, 30, today=TODAY)
    assert [(r["name"], r["recheck_due"]) for r in due] == [
        ("Never", None),
        ("Overdue", "2026-01-01"),
        ("Soon", "2026-12-20"),
    ]
    assert due[1]["level"] == "enhanced" and due[0]["update_service"] is None
    assert [r["name"] for r in volunteers.vetting_rechecks_due(store, today=TODAY)] == [
        "Never",
        "Overdue",
    ]


def test_supervision_due_uses_the_interval_setting_and_skips_inactive(store: Any) -> None:
    for name in ("Never", "Recent", "Old", "Resting"):
        active_volunteer(store, name)
    volunteers.rest(store, "resting", on="2026-01-01", today=TODAY)
    volunteers.supervise(store, "recent", on="2026-11-01")
    volunteers.supervise(store, "old", on="2026-08-01")
    volunteers.supervise(store, "old", on="2026-09-01")
    due = volunteers.supervision_due(store, today=TODAY)
    assert [(r["name"], r["last_supervision"], r["due_on"]) for r in due] == [
        ("Never", None, None),
        ("Old", "2026-09-01", "2026-10-27"),
    ]
    assert [r["name"] for r in volunteers.supervision_due(store, 14, today=TODAY)] == [
        "Never",
        "Old",
        "Recent",
    ]
    _set(store, "supervision_interval_days", "90")
    assert [r["name"] for r in volunteers.supervision_due(store, today=TODAY)] == ["Never"]
    assert [r["name"] for r in volunteers.supervision_due(store, within_days=5, today=TODAY)] == [
        "Never",
        "Old",
    ]


# -- round-trips (model -> store -> model) ---------------------------------------------------

TEXT = st.text().map(str.strip).filter(bool)
PLAIN = st.text(
    st.characters(exclude_characters="@", exclude_categories=("Zs", "Cc", "Zl", "Zp", "Cs"))
)
EMAIL = st.builds(lambda a, b: f"{a}@{b}", PLAIN.filter(bool), PLAIN.filter(bool)).filter(
    lambda e: not any(ch.isspace() for ch in e)
)
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=TODAY)
HOURS = st.integers(min_value=1, max_value=2400).map(lambda n: n / 100)
ROUND_TRIP = settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])


@ROUND_TRIP
@given(
    name=TEXT,
    email=st.none() | EMAIL,
    phone=st.none() | TEXT,
)
def test_a_volunteer_round_trips_with_any_unicode(
    store: Any, name: str, email: str | None, phone: str | None
) -> None:
    given_ = {"name": name, "email": email, "phone": phone, "status": "applicant"}
    vid = volunteers.add(store, name, email=email, phone=phone)
    back = Volunteer.model_validate(volunteers.get(store, str(vid)))
    assert back.model_dump(include=set(given_)) == given_
    assert Volunteer.model_validate_json(back.model_dump_json()) == back  # and through JSON


@ROUND_TRIP
@given(
    vetting=st.fixed_dictionaries(
        {
            "level": st.sampled_from(volunteers.LEVELS),
            "issued_on": DAYS,
            "update_service": st.booleans(),
            "decision": st.sampled_from(volunteers.DECISIONS),
        }
    ),
    training=st.fixed_dictionaries(
        {
            "kind": st.sampled_from(volunteers.TRAINING_KINDS),
            "date": DAYS,
            "provider": st.none() | TEXT,
            "hours": st.none() | HOURS,
            "title": st.none() | TEXT,
        }
    ),
    supervision=st.fixed_dictionaries(
        {
            "date": DAYS,
            "kind": st.sampled_from(volunteers.SUPERVISION_KINDS),
            "wellbeing": st.none() | TEXT,
            "note": st.none() | TEXT,
        }
    ),
    hours=st.fixed_dictionaries(
        {
            "date": DAYS,
            "hours": HOURS,
            "activity": st.sampled_from(volunteers.ACTIVITIES),
            "travel_hours": st.integers(0, 2400).map(lambda n: n / 100),
        }
    ),
)
def test_vetting_training_supervision_and_hours_round_trip(
    store: Any,
    vetting: dict[str, Any],
    training: dict[str, Any],
    supervision: dict[str, Any],
    hours: dict[str, Any],
) -> None:
    vid = volunteers.add(store, "Round Trip")
    ref = str(vid)
    volunteers.vet(
        store,
        ref,
        level=vetting["level"],
        certificate=f"RT-{vid:09d}",
        issued=vetting["issued_on"],
        update_service=vetting["update_service"],
        decision=vetting["decision"],
        today=TODAY,
    )
    volunteers.train(
        store, ref, on=training["date"], **{k: training[k] for k in training if k != "date"}
    )
    volunteers.supervise(
        store,
        ref,
        on=supervision["date"],
        **{k: supervision[k] for k in supervision if k != "date"},
    )
    volunteers.log_hours(
        store, ref, on=hours["date"], **{k: hours[k] for k in hours if k != "date"}
    )

    def iso(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in d.items()}

    [v] = [Vetting.model_validate(r) for r in volunteers.vettings(store, vid)]
    assert v.model_dump(include=set(vetting)) == iso(vetting)
    [t] = [Training.model_validate(r) for r in volunteers.trainings(store, vid)]
    assert t.model_dump(include=set(training)) == iso(training)
    [s] = [Supervision.model_validate(r) for r in volunteers.supervisions(store, vid)]
    assert s.model_dump(include=set(supervision)) == iso(supervision)
    [h] = [HoursEntry.model_validate(r) for r in volunteers.hours_entries(store, vid)]
    assert h.model_dump(include=set(hours)) == iso(hours)


# -- the command line ------------------------------------------------------------------------


def test_a_volunteer_scenario_through_the_cli(cli: Cli) -> None:
    cli("volunteer", "add", "Zoë Łukasiewicz", "--email", "zoe@example.org")
    cli("volunteer", "add", "Bob Example")
    for referee in ("Rita Ref", "Ron Ref"):
        cli("volunteer", "reference", "zoe", "--referee", referee, "--requested", "2024-01-02",
            "--received", "2024-01-09", "--outcome", "satisfactory")  # fmt: skip
    cli("volunteer", "stage", "zoe", "approved", "--on", "2024-03-02")
    result = cli(
        "volunteer", "vet", "zo", "--level", "enhanced", "--certificate", "001234567890",
        "--issued", "2024-03-01", "--update-service", "--checked", "2025-03-01",
        "--decision", "cleared",
    )  # fmt: skip
    assert "re-check due 2028-03-01" in result.stderr
    cli("volunteer", "train", "zo", "--type", "initial", "--on", "2024-02-10", "--hours", "14",
        "--provider", "Circles South", "--title", "Initial two-day")  # fmt: skip
    cli("volunteer", "supervise", "zo", "--on", "2026-01-05", "--type", "group",
        "--wellbeing", "tired after a hard meeting", "--note", "debriefed")  # fmt: skip
    cli("volunteer", "hours", "zo", "--on", "2026-01-06", "--hours", "1.5",
        "--travel-hours", "0.5")  # fmt: skip
    cli("volunteer", "hours", "zo", "--on", "2026-01-07", "--hours", "1", "--activity", "contact")
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("circle", "add", "--member", "CM-0001")
    cli("circle", "join", "CM-0001", "zoe", "--on", "2025-04-01")

    shown = cli.json("volunteer", "show", "zoë")
    assert shown["name"] == "Zoë Łukasiewicz" and shown["status"] == "active"
    assert shown["recheck_due"] == "2028-03-01" and shown["last_checked"] == "2025-03-01"
    [vetting] = shown["vetting"]
    assert {k: vetting[k] for k in ("level", "certificate", "update_service", "decision")} == {
        "level": "enhanced",
        "certificate": "001234567890",
        "update_service": True,
        "decision": "cleared",
    }
    assert shown["training"][0]["provider"] == "Circles South"
    assert shown["supervision"][0]["wellbeing"] == "tired after a hard meeting"
    assert shown["hours"] == {
        "entries": 2,
        "hours": 2.5,
        "travel_hours": 0.5,
        "by_activity": {"circle": 1.5, "contact": 1.0},
    }
    text = cli("volunteer", "show", "zo").stdout
    assert "Re-check due      2028-03-01" in text and "2.5 h + 0.5 h travel" in text

    listed = cli.json("volunteer", "list")
    assert [(v["id"], v["name"], v["recheck_due"]) for v in listed] == [
        (2, "Bob Example", None),
        (1, "Zoë Łukasiewicz", "2028-03-01"),
    ]
    assert [v["id"] for v in cli.json("volunteer", "list", "--status", "active")] == [1]
    csv_lines = cli("volunteer", "list", "--csv").stdout.splitlines()
    assert csv_lines[0] == "id,name,status,stage,recheck_due,email,phone"

    cli("volunteer", "edit", "bob", "--email", "bob@example.org")
    cli("volunteer", "leave", "bob", "--reason", "moved away", "--on", "2026-01-31")
    bob = cli.json("volunteer", "show", "2")
    assert (bob["status"], bob["left_on"], bob["left_reason"]) == (
        "left",
        "2026-01-31",
        "moved away",
    )
    assert [v["name"] for v in cli.json("volunteer", "list", "--status", "left")] == ["Bob Example"]
    cli("audit", "verify")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["vet", "ann", "--level", "gold", "--certificate", "1", "--issued", "2025-01-01"],
         "Error: invalid --level 'gold'"),
        (["vet", "ann", "--level", "basic", "--certificate", "1", "--issued", "2026-02-30"],
         "Error: invalid --issued '2026-02-30': day is out of range for month"),
        (["train", "ann", "--type", "refresher", "--on", "2026-01-01"],
         "Error: invalid --type 'refresher'"),
        (["supervise", "ann", "--on", "2026-02-30"], "Error: invalid --on '2026-02-30'"),
        (["hours", "ann", "--on", "2026-01-01", "--hours", "-3"],
         "Error: invalid --hours '-3': must be more than 0"),
        (["hours", "ann", "--on", "2026-01-01", "--hours", "2", "--activity", "golf"],
         "Error: invalid --activity 'golf'"),
        (["hours", "nobody", "--on", "2026-01-01", "--hours", "2"],
         "Error: no volunteer matches 'nobody'"),
        (["stage", "ann", "hired"], "Error: invalid stage 'hired'"),
        (["stage", "ann", "enquiry", "--on", "tomorrow"], "Error: invalid --on"),
        (["stage", "ann", "approved"], "Error: Ann has 0 satisfactory references"),
        (["reference", "ann", "--referee", "Rita", "--received", "2026-01-01",
          "--outcome", "glowing"], "Error: invalid --outcome 'glowing'"),
        (["reference", "ann", "--referee", "Rita", "--received", "2026-01-01"],
         "Error: --received and --outcome go together"),
        (["conflict", "ann", "--member", "CM-0009", "--reason", "neighbour"],
         "Error: no core member CM-0009"),
        (["conflict", "ann", "--member", "CM-0001", "--reason", " "],
         "Error: --reason must not be empty"),
        (["expense", "add", "ann", "--on", "2026-01-01", "--amount", "-3"],
         "Error: invalid --amount '-3': must be more than 0"),
        (["expense", "add", "ann", "--on", "2026-01-01", "--amount", "12.345"],
         "Error: invalid --amount '12.345'"),
        (["expense", "add", "ann", "--on", "tomorrow", "--amount", "1"], "Error: invalid --on"),
        (["expense", "add", "ann", "--on", "2026-01-01", "--amount", "1", "--type", "taxi"],
         "Error: invalid --type 'taxi'"),
        (["expense", "pay", "1"], "Error: expense 1 was already paid on 2026-01-03"),
        (["expense", "pay", "2"], "Error: expense 2 not found"),
        (["rest", "ann", "--on", "tomorrow"], "Error: invalid --on"),
        (["resume", "ann"], "Error: Ann is not resting on"),
        (["leave", "7", "--reason", "x"], "Error: volunteer 7 not found"),
        (["list", "--status", "busy"], "Error: invalid --status 'busy'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_1_and_writes_nothing(
    cli: Cli, args: list[str], error: str
) -> None:
    cli("volunteer", "add", "Ann")
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("volunteer", "expense", "add", "ann", "--on", "2026-01-02", "--amount", "3.20")
    cli("volunteer", "expense", "pay", "1", "--on", "2026-01-03")
    before = _head(cli)
    result = cli("volunteer", *args, code=1)
    lines = result.stderr.splitlines()
    assert lines[0].startswith(error), result.stderr
    assert len(lines) <= 2 and all(ln.startswith(("Error:", "Hint:")) for ln in lines)
    assert _head(cli) == before
    cli("audit", "verify")


def test_allowed_values_are_named_in_the_hint(cli: Cli) -> None:
    cli("volunteer", "add", "Ann")
    result = cli("volunteer", "hours", "ann", "--on", "today", "--hours", "1", "--activity", "x",
                 code=1)  # fmt: skip
    assert "Hint: choose one of: circle, contact, training, supervision, admin, other" in (
        result.stderr
    )


@pytest.mark.parametrize(
    "args",
    [
        ["hours", "ann", "--on", "2026-01-01", "--hours", "lots"],
        ["hours", "ann", "--hours", "1"],
        ["vet", "ann", "--level", "basic", "--certificate", "1"],
        ["leave", "ann"],
        ["train", "ann", "--type", "initial", "--on", "2026-01-01", "--hours"],
    ],
)
def test_malformed_options_exit_2_and_write_nothing(cli: Cli, args: list[str]) -> None:
    cli("volunteer", "add", "Ann")
    before = _head(cli)
    cli("volunteer", *args, code=2)
    assert _head(cli) == before


def test_an_ambiguous_prefix_lists_the_candidates(cli: Cli) -> None:
    cli("volunteer", "add", "Ann One")
    cli("volunteer", "add", "Ann Two")
    result = cli("volunteer", "supervise", "an", "--on", "today", code=1)
    assert "'an' matches several volunteers: 1 Ann One, 2 Ann Two" in result.stderr
    assert cli.json("volunteer", "show", "1")["supervision"] == []


def test_a_name_prefix_matches_non_ascii_letters_in_any_case(store: Any) -> None:
    vid = volunteers.add(store, "Émile Zoë")
    assert volunteers.get(store, "émile")["id"] == vid
    assert volunteers.get(store, "ÉMILE Z")["id"] == vid


def test_text_that_is_not_valid_unicode_is_refused_naming_the_field(store: Any) -> None:
    head = store.audit_head()
    with pytest.raises(UserError, match="email contains characters that are not valid text"):
        volunteers.add(store, "Ann", email="ann@\udcff")
    assert store.audit_head() == head
