"""A concern recorded in error and voided leaves every figure (SPEC §9 "Figures are true").

The world: the fictional provider of tests/reports_world.py, with six more amber concerns
("drink or drugs") raised on circle 1 in August 2025, so each count stays above the return's
small-number threshold. One of them is voided; every concern figure of the circle report,
`report quarter`, `report return`, `report concerns` and `status` is recomputed from the
records with SQL that leaves void concerns out, compared with the report's `--json` before
and after, and drops by exactly that one. The subject access pack still holds it, marked.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cosa import vault
from cosa.domain import concerns
from cosa.workspace import Options, Workspace

from . import reports_world
from .conftest import CHEAP_KDF, PASSPHRASE, Cli

OPERATOR = "Coordinator Øyvind"
Q3 = ("2025-07-01", "2025-09-30")
EXTRA_DAYS = ["2025-08-06", "2025-08-07", "2025-08-08", "2025-08-11", "2025-08-12", "2025-08-13"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("concernvoid") / "ws"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vault, "DEFAULT_KDF", dict(CHEAP_KDF))
        store = Workspace(home).create(PASSPHRASE, vault.new_recovery_code(), OPERATOR)
        try:
            built = reports_world.build(store)
            for day in EXTRA_DAYS:
                concerns.add(
                    store, built.circle, severity="amber", category="drink or drugs",
                    text=f"Smelled of drink on {day}", on=day,
                )  # fmt: skip
        finally:
            store.close()
    yield home


@pytest.fixture
def cli(template: Path, ws_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Cli:
    shutil.copytree(template, ws_home)
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("COSA_OPERATOR", OPERATOR)
    monkeypatch.chdir(tmp_path)
    return Cli()


STANDING = "void_reason IS NULL"
IN_Q3 = f"date BETWEEN '{Q3[0]}' AND '{Q3[1]}'"
VOIDED = 2  # the amber concern raised at the meeting of 5 August


def figures(cli: Cli) -> dict[str, Any]:
    """Every concern figure, as each report's `--json` gives it."""
    circle = cli.json("report", "circle", "1", "--from", Q3[0], "--to", Q3[1])
    quarter = cli.json("report", "quarter", "2025-Q3")
    measures = {
        (m["measure"], m["breakdown"]): m["value"]
        for m in cli.json("report", "return", "--period", "2025-Q3")["measures"]
        if m["measure"] == "concerns" and not m["suppressed"]
    }
    log = cli.json("report", "concerns", "--from", Q3[0], "--to", Q3[1])
    status = cli.json("status", "--limit", "0")
    return {
        "circle": circle["summary"]["concerns"],
        "circle_rows": [c["id"] for c in circle["concerns"]],
        "quarter_total": quarter["concerns"]["total"],
        "quarter_drink_amber": quarter["concerns"]["rows"][1]["values"][1],
        "return": measures,
        "log": {k: log["summary"][k] for k in ("concerns", "by_severity", "open")},
        "log_rows": [c["id"] for c in log["concerns"]],
        "status": [c["id"] for c in status["concerns"]],
    }


def recomputed(store: Any) -> dict[str, Any]:
    """The same figures from the records, leaving void concerns out."""
    q3 = store.query(f"SELECT * FROM concerns WHERE {IN_Q3} AND {STANDING} ORDER BY date, id")
    by_rag = {rag: sum(c["severity"] == rag for c in q3) for rag in ("red", "amber", "green")}
    drink_amber = sum(c["category"] == "drink or drugs" and c["severity"] == "amber" for c in q3)
    return {
        "circle": {rag: sum(c["severity"] == rag and c["circle_id"] == 1 for c in q3)
                   for rag in by_rag},
        "circle_rows": [c["id"] for c in q3 if c["circle_id"] == 1],
        "quarter_total": len(q3),
        "quarter_drink_amber": drink_amber,
        "return": {("concerns", "drink or drugs / amber"): drink_amber,
                   ("concerns", "total"): len(q3)},
        "log": {"concerns": len(q3), "by_severity": by_rag,
                "open": sum(c["closed_on"] is None for c in q3)},
        "log_rows": [c["id"] for c in q3],
        "status": [
            r["id"]
            for r in store.query(
                f"SELECT id FROM concerns WHERE closed_on IS NULL AND {STANDING}"
                " AND severity IN ('red', 'amber')"
                " ORDER BY severity = 'amber', date, id"
            )
        ],
    }  # fmt: skip


def test_a_void_concern_leaves_every_figure_by_exactly_one(cli: Cli, ws_home: Path) -> None:
    with Workspace(ws_home).open(Options(), use_session=False) as store:
        expected_before = recomputed(store)
    before = figures(cli)
    assert before == expected_before
    assert before["quarter_total"] == 8 and before["quarter_drink_amber"] == 7
    cli("concern", "void", str(VOIDED), "--reason", "typed twice: the same as concern 3")
    with Workspace(ws_home).open(Options(), use_session=False) as store:
        expected_after = recomputed(store)
        assert store.scalar(f"SELECT count(*) FROM concerns WHERE NOT {STANDING}") == 1
    after = figures(cli)
    assert after == expected_after
    # each figure drops by exactly the one voided amber concern
    assert after["circle"] == {**before["circle"], "amber": before["circle"]["amber"] - 1}
    assert after["quarter_total"] == before["quarter_total"] - 1
    assert after["quarter_drink_amber"] == before["quarter_drink_amber"] - 1
    assert {k: before["return"][k] - v for k, v in after["return"].items()} == {
        ("concerns", "drink or drugs / amber"): 1, ("concerns", "total"): 1,
    }  # fmt: skip
    assert after["log"]["concerns"] == before["log"]["concerns"] - 1
    assert after["log"]["open"] == before["log"]["open"] - 1
    for rows in ("circle_rows", "log_rows", "status"):
        assert VOIDED in before[rows] and after[rows] == [i for i in before[rows] if i != VOIDED], (
            rows
        )


def test_a_void_concern_leaves_the_minutes_the_meeting_and_the_extract(
    cli: Cli, ws_home: Path
) -> None:
    from cosa.reports import extract, minutes

    cli("concern", "void", str(VOIDED), "--reason", "typed twice")
    with Workspace(ws_home).open(Options(), use_session=False) as store:
        mid = int(store.scalar("SELECT meeting_id FROM concerns WHERE id = ?", (VOIDED,)))
        assert minutes.meeting_record(store, mid, "full")["concerns"] == []
        rows = extract.rows(store, "2025-01-01", "2025-12-31")
        amber = {r["concerns_amber"] for r in rows if r["concerns_amber"]}
        standing = store.scalar(
            f"SELECT count(*) FROM concerns WHERE severity = 'amber' AND {STANDING}"
        )
    assert amber == {standing} and standing == len(EXTRA_DAYS)
    assert cli.json("meeting", "show", str(mid))["concerns"] == []


def test_the_subject_access_pack_still_holds_a_void_concern_marked_void(
    cli: Cli, tmp_path: Path
) -> None:
    import json

    cli("concern", "void", str(VOIDED), "--reason", "typed twice")
    out, js = tmp_path / "sar.pdf", tmp_path / "sar.json"
    cli("report", "member", "CM-0001", "-o", str(out), "--json-out", str(js))
    held = json.loads(js.read_text())["circles"][0]["concerns"]
    assert len(held) == 2 + len(EXTRA_DAYS)
    assert [(c["text"], c["void_reason"]) for c in held if c["void_reason"]] == [
        ("Smelled of drink", "typed twice")
    ]
