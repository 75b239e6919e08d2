"""History instead of overwrites: dated entries and the value in force on a date."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cosa import audit, history
from cosa.domain import members, referrals
from cosa.reports import quarter
from cosa.store import Store
from tests.conftest import Cli


def test_the_value_in_force_is_the_latest_entry_on_or_before_the_day(store: Store) -> None:
    mid, code = members.add(store, mappa_category=1, mappa_level=1)
    today = date.today()
    d1, d2 = (today + timedelta(days=10)).isoformat(), (today + timedelta(days=20)).isoformat()
    members.edit(store, code, mappa_level=2, on=d1)
    members.edit(store, code, mappa_level=3, on=d2)
    before = (today + timedelta(days=9)).isoformat()
    assert history.value_on(store, "member", mid, "mappa_level", before) == "1"
    assert history.value_on(store, "member", mid, "mappa_level", d1) == "2"
    assert history.value_on(store, "member", mid, "mappa_level", d2) == "3"
    assert history.values_on(store, "member", "mappa_level", d1) == {mid: "2"}
    assert history.value_on(store, "member", mid, "mappa_level", "2000-01-01") is None
    assert members.get(store, code)["mappa_level"] == 3


def test_a_move_keeps_the_old_address_and_dates_the_new_one(store: Store) -> None:
    mid, code = members.add(store, mappa_category=1, mappa_level=1, address="1 Old Road")
    members.move(store, code, on="2099-05-04", address="Hostel B", area="Reading")
    assert history.value_on(store, "member", mid, "address", "2099-05-03") == "1 Old Road"
    assert history.value_on(store, "member", mid, "address", "2099-05-04") == "Hostel B"
    assert history.value_on(store, "member", mid, "area", "2099-05-04") == "Reading"
    ident = store.one("SELECT address FROM member_identity WHERE member_id = ?", (mid,))
    assert ident == {"address": "Hostel B"}
    # addresses are identity: not in the history shown without --identity
    shown = members.detail(store, code)
    assert shown["area"] == "Reading"
    assert "address" not in {h["field"] for h in shown["history"]}
    assert audit.verify(store).ok


def test_a_referral_decided_twice_keeps_both_events_and_counts_days_waiting(store: Store) -> None:
    rid = referrals.add(store, received="2026-01-05", source="probation")
    referrals.decide(store, rid, "waiting", on="2026-01-20", reason="no volunteers yet")
    referrals.decide(store, rid, "accepted", on="2026-02-04")
    events = [(e["value"], e["on_date"]) for e in referrals.events(store, rid)]
    assert events == [
        ("received", "2026-01-05"),
        ("waiting", "2026-01-20"),
        ("accepted", "2026-02-04"),
    ]
    row = referrals.get(store, rid)
    assert row["decision"] == "accepted" and row["decided_on"] == "2026-02-04"
    assert row["days_waiting"] == 30


def test_the_quarter_counts_the_decision_in_force_at_its_end(store: Store) -> None:
    rid = referrals.add(store, received="2026-03-10", source="probation")
    referrals.decide(store, rid, "accepted", on="2026-04-02")
    q1 = quarter.data(store, "2026-Q1")["referrals"]
    row = next(r for r in q1["rows"] if r["label"] == "probation")
    # decided after the quarter: undecided at its end (counts under 5 show as "<5")
    assert row["values"][quarter.DECISIONS.index("undecided")] == "<5"
    assert row["values"][quarter.DECISIONS.index("accepted")] == 0
    by_sql = store.scalar(
        "SELECT count(*) FROM referrals r WHERE received_on BETWEEN '2026-01-01' AND '2026-03-31'"
        " AND NOT EXISTS (SELECT 1 FROM referral_history h WHERE h.referral_id = r.id"
        " AND h.value NOT IN ('received', 'assessed') AND h.on_date <= '2026-03-31')"
    )
    assert by_sql == 1


def test_cli_move_show_and_referral_history(cli: Cli) -> None:
    cli("member", "add", "--mappa-category", "2", "--mappa-level", "1", "--address", "Flat 9")
    cli("member", "move", "CM-0001", "--on", "+2w", "--address", "Hostel", "--area", "Slough")
    out = cli("member", "show", "CM-0001").stdout
    assert "Slough" in out and "Hostel" not in out and "Flat 9" not in out
    out = cli("member", "show", "CM-0001", "--identity").stdout
    assert "Hostel" in out and "Flat 9" in out
    cli("referral", "add", "--received", "2026-01-01", "--source", "probation")
    cli("referral", "decide", "1", "waiting", "--on", "2026-01-10")
    cli("referral", "decide", "1", "declined", "--on", "2026-01-31", "--reason", "moved away")
    shown = cli.json("referral", "show", "1")
    assert [e["value"] for e in shown["events"]] == ["received", "waiting", "declined"]
    listed = cli.json("referral", "list")
    assert listed[0]["days_waiting"] == 30
    assert "Days waiting" in cli("referral", "list").stdout


def test_cli_move_without_a_new_value_writes_nothing(cli: Cli) -> None:
    cli("member", "add", "--mappa-category", "2", "--mappa-level", "1")
    before = _head(cli)
    result = cli("member", "move", "CM-0001", "--on", "2026-02-01", code=1)
    assert result.output.count("\n") == 1 and result.output.startswith("Error:")
    assert _head(cli) == before


def _head(cli: Cli) -> Any:
    """The last audit entry's sequence number."""
    return cli.json("audit", "--limit", "1")[-1]["seq"]


def test_migration_m070_turns_existing_values_into_first_entries(tmp_path: Path) -> None:
    """An upgrade: members and referrals written before m070 get their first dated entries
    (dated from the record's creation), and `audit verify` still passes."""
    from cosa import migrations

    from .upgrade import store_without

    with store_without(tmp_path, "m070") as store:
        with store.atomic():
            mid = store.insert(
                "core_members",
                "member",
                {"number": 1, "code": "CM-0001", "mappa_category": 1, "mappa_level": 2},
            )
            store.insert("member_identity", "member_identity", {"member_id": mid, "address": "X"})
            store.insert(
                "member_consent",
                "member_consent",
                {"member_id": mid, "agency": "NPS", "given_on": "2026-01-01"},
            )
            store.insert(
                "referrals",
                "referral",
                {
                    "member_id": mid,
                    "received_on": "2026-01-02",
                    "source": "probation",
                    "decision": "accepted",
                    "decided_on": "2026-01-09",
                },
            )
        assert migrations.apply_migrations(store) == ["m070_history"]
        created = str(store.scalar("SELECT created_at FROM core_members"))[:10]
        assert history.value_on(store, "member", mid, "mappa_level", created) == "2"
        assert history.value_on(store, "member", mid, "address", created) == "X"
        events = [(e["value"], e["on_date"]) for e in referrals.events(store, 1)]
        assert events == [("received", "2026-01-02"), ("accepted", "2026-01-09")]
        assert audit.verify(store).ok, audit.verify(store).problems


def test_the_subject_access_pack_carries_the_history(store: Store) -> None:
    from cosa.reports import member as member_report

    _, code = members.add(store, mappa_category=1, mappa_level=2, on="2025-01-01")
    members.edit(store, code, mappa_level=1, on="2025-06-01")
    members.move(store, code, on="2025-07-01", area="Slough")
    rid = referrals.add(store, received="2025-01-02", source="probation", member=code)
    referrals.decide(store, rid, "waiting", on="2025-01-09")
    data = member_report.data(store, code)
    got = [(h["on_date"], h["field"], h["value"]) for h in data["history"]]
    assert ("2025-01-01", "mappa_level", "2") in got
    assert ("2025-06-01", "mappa_level", "1") in got
    assert ("2025-07-01", "area", "Slough") in got
    assert [e["event"] for e in data["referrals"][0]["events"]] == ["received", "waiting"]


def test_a_back_dated_address_goes_into_the_history_only(store: Store) -> None:
    mid, code = members.add(store, mappa_category=1, mappa_level=1, address="Now", on="2025-05-01")
    members.edit(store, code, address="Before", on="2025-01-01")
    ident = store.one("SELECT address FROM member_identity WHERE member_id = ?", (mid,))
    assert ident == {"address": "Now"}
    assert history.value_on(store, "member", mid, "address", "2025-02-01") == "Before"
    assert audit.verify(store).ok
