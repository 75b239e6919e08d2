"""Reviews, dynamic risk reviews (with their trend) and goal progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cosa import audit
from cosa.domain import circles, reviews, search
from cosa.errors import UserError
from cosa.models import GoalUpdate, ReviewDetail, RiskTrend

from .conftest import Cli
from .weekly import CircleInfo, days_ago, head, make_circle, one_error_line, workspace_store


@pytest.fixture
def circle(cli: Cli, ws_home: Path) -> CircleInfo:
    with workspace_store(ws_home) as store:
        info = make_circle(store, start=200)
        circles.add_goal(store, info.id, domain="accommodation", text="Move to own flat")
    return info


def test_the_next_review_defaults_to_three_months_on_clamped_to_the_month(store: Any) -> None:
    assert reviews.next_review_after("2026-11-30") == "2027-02-28"
    assert reviews.next_review_after("2026-01-15") == "2026-04-15"
    info = make_circle(store)
    rid = reviews.add(store, info.id, on="2026-05-31", decision="Phase_2", rag="AMBER")
    row = reviews.get(store, rid)
    assert (row["decision"], row["rag"], row["next_review"]) == ("phase-2", "amber", "2026-08-31")
    assert audit.verify(store).ok
    for typed in ("phase 2", "Phase  2", "phase2"):  # as the phase lookup spells it, too
        rid = reviews.add(store, info.id, on="2026-05-31", decision=typed)
        assert reviews.get(store, rid)["decision"] == "phase-2"


def test_review_add_list_show(cli: Cli, circle: CircleInfo) -> None:
    result = cli(
        "review", "add", circle.code, "--on", "-90d", "--attendees", "Ann, Bob, Pat (probation)",
        "--decision", "continue", "--rag", "green", "--note", "Going well; wants a flat",
    )  # fmt: skip
    assert "next review" in result.stderr
    cli("review", "add", "1", "--decision", "end", "--next", "+1m")
    rows = cli.json("review", "list")
    assert [r["decision"] for r in rows] == ["continue", "end"]
    assert rows[0]["next_review"] == reviews.next_review_after(days_ago(90))
    assert cli.json("review", "list", "1") == rows
    detail = cli.json("review", "show", "1")
    ReviewDetail.model_validate(detail)
    assert detail["attendees"] == "Ann, Bob, Pat (probation)" and detail["risk_reviews"] == []
    assert "Going well" in cli("review", "show", "1").stdout
    assert cli("review", "list", "--csv").stdout.startswith("id,member_code,circle_id,date")
    cli("audit", "verify")


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["add", "1", "--decision", "stop"], 1, "invalid --decision 'stop'"),
        (["add", "1", "--rag", "blue"], 1, "invalid --rag 'blue'"),
        (["add", "1", "--on", "+1d"], 1, "invalid --on"),
        (["add", "1", "--on", "-5d", "--next", "-6d"], 1, "invalid --next"),
        (["add", "1", "--next", "nope"], 1, "invalid --next 'nope'"),
        (["add", "3"], 1, "circle 3 not found"),
        (["show", "5"], 1, "review 5 not found"),
        (["risk", "1"], 2, None),
        (["risk", "1", "--score", "hostility"], 1, "invalid --score 'hostility'"),
        (["risk", "1", "--score", "hostility=4"], 1, "invalid --score 'hostility=4'"),
        (["risk", "1", "--score", "hostility=-1"], 1, "invalid --score"),
        (["risk", "1", "--score", "charm=2"], 1, "unknown risk review item 'charm'"),
        (["risk", "1", "--score", "risk=2"], 1, "'risk' matches several items"),
        (["risk", "1", "--score", "hostility=1", "--score", "HOSTILITY=2"], 1,
         "'risk: hostility' is scored twice"),
        (["goal", "9", "--progress", "x"], 1, "goal 9 not found"),
        (["goal", "1", "--progress", " "], 1, "--progress must not be empty"),
        (["goal", "1"], 2, None),
    ],
)  # fmt: skip
def test_bad_review_input_fails_in_one_line_and_writes_nothing(
    cli: Cli, circle: CircleInfo, args: list[str], code: int, error: str | None
) -> None:
    before = head(cli)
    result = cli("review", *args, code=code)
    if error:
        one_error_line(result, error)
    assert head(cli) == before


def test_risk_reviews_accept_unique_partial_names_and_report_the_trend(
    cli: Cli, circle: CircleInfo
) -> None:
    cli("review", "add", "1", "--on", "-180d")
    cli(
        "review", "risk", "1", "--on", "-180d", "--score", "hostility=3",
        "--score", "Stable Accommodation = 0", "--score", "isolation=2",
    )  # fmt: skip
    cli("review", "risk", "1", "--on", "-90d", "--score", "hostility=2", "--score", "isolation=2")
    cli(
        "review", "risk", "1", "--score", "risk: hostility=1", "--score", "stable acc=2",
        "--score", "isolation=3", "--score", "hope=1", "--note", "Moved into a flat",
    )  # fmt: skip
    trend = cli.json("review", "risk-trend", "1")
    for row in trend:
        RiskTrend.model_validate(row)
    got = {
        r["item"]: (r["first_score"], r["latest_score"], r["change"], r["improved"]) for r in trend
    }
    assert got == {
        "risk: hostility": (3, 1, -2, True),
        "risk: social isolation": (2, 3, 1, False),
        "protective: stable accommodation": (0, 2, 2, True),
        "protective: hope and goals": (1, 1, 0, None),
    }
    assert [r["item"] for r in trend][:2] == ["risk: hostility", "risk: social isolation"]
    hostility = trend[0]
    assert (hostility["first_date"], hostility["latest_date"], hostility["reviews"]) == (
        days_ago(180), days_ago(0), 3,
    )  # fmt: skip
    text = cli("review", "risk-trend", "1").stdout
    assert "better" in text and "worse" in text and "same" in text
    shown = cli.json("review", "show", "1")["risk_reviews"]
    assert [r["scores"] for r in shown] == [
        {"risk: hostility": 3, "protective: stable accommodation": 0, "risk: social isolation": 2}
    ]
    cli("audit", "verify")


def test_a_risk_item_added_to_the_lookup_can_be_scored(cli: Cli, circle: CircleInfo) -> None:
    cli("lookup", "add", "risk-review-item", "protective: faith community")
    cli("review", "risk", "1", "--score", "faith=2")
    assert cli.json("review", "risk-trend", "1")[0]["item"] == "protective: faith community"


def test_goal_progress_is_dated_listed_and_searchable(
    cli: Cli, circle: CircleInfo, ws_home: Path
) -> None:
    cli("review", "goal", "1", "--progress", "Viewed two flats", "--on", "-10d")
    cli("review", "goal", "1", "--progress", "Tenancy offered", "--note", "Deposit scheme")
    rows = cli.json("review", "progress", "CM-0001")
    for row in rows:
        GoalUpdate.model_validate(row)
    assert [(r["date"], r["progress"], r["domain"]) for r in rows] == [
        (days_ago(10), "Viewed two flats", "accommodation"),
        (days_ago(0), "Tenancy offered", "accommodation"),
    ]
    with workspace_store(ws_home) as store:
        for word in ("flats", "tenancy", "deposit", "own flat"):
            assert [(h["record_type"], h["record_id"]) for h in search.search(store, word)] == [
                ("goal", 1)
            ], word
    cli("audit", "verify")


def test_a_review_dated_after_the_circle_ended_is_refused(store: Any) -> None:
    info = make_circle(store)
    circles.end(store, info.id, on="-3d", reason="completed")
    reviews.add(store, info.id, on="-3d", decision="end")
    with pytest.raises(UserError, match="ended on"):
        reviews.add(store, info.id, on="-1d")
