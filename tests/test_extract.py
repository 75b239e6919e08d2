"""The research extract: random ids, months not days, age bands, k-anonymity, a disclosure."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from pathlib import Path

import pytest

from cosa.domain import circles, members
from cosa.reports import extract
from cosa.workspace import Options, Workspace

from .conftest import Cli
from .test_reports import audit_entries

#: (MAPPA category, level, date of birth) of twelve core members, each with a circle.
PEOPLE = [(1, 1, "1980-05-01")] * 6 + [(2, 1, "1990-05-01")] * 3 + [(3, 2, None)] * 2
PEOPLE += [(1, 2, "1960-01-01")]


@pytest.fixture
def provider(cli: Cli, ws_home: Path) -> Path:
    store = Workspace(ws_home).open(Options())
    try:
        for i, (category, level, born) in enumerate(PEOPLE):
            code = members.add(
                store, mappa_category=category, mappa_level=level, date_of_birth=born
            )[1]
            circles.add(
                store, member=code, circle_type="community", start=f"2025-0{1 + i % 3}-1{i % 9}"
            )
    finally:
        store.close()
    return ws_home


def read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


@pytest.mark.parametrize("k", [2, 3, 5])
def test_every_combination_of_quasi_identifiers_is_shared_by_k_rows(
    cli: Cli, provider: Path, tmp_path: Path, k: int
) -> None:
    out = tmp_path / f"x{k}.csv"
    cli("report", "extract", "--from", "2025-01-01", "--to", "2025-12-31", "-o", str(out),
        "--recipient", "University research team", "--k", str(k))  # fmt: skip
    rows = read(out)
    assert list(rows[0]) == list(extract.COLUMNS)
    groups = Counter(tuple(r[q] for q in extract.QUASI) for r in rows)
    assert groups and min(groups.values()) >= k
    assert len(rows) <= len(PEOPLE)
    for r in rows:
        assert r["circle"].startswith("C") and "CM-" not in ",".join(r.values())
        assert r["start_month"] in ("*", "2025-01", "2025-02", "2025-03")  # never a day
        assert r["age_band"] in ("*", "35-44", "25-34", "65+", "unknown")


def test_ids_are_new_for_each_extract_and_the_file_is_a_disclosure(
    cli: Cli, provider: Path, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (a, b):
        cli("report", "extract", "--from", "2025-01-01", "--to", "2025-12-31", "-o", str(out),
            "--recipient", "Uni", "--k", "2")  # fmt: skip
    assert {r["circle"] for r in read(a)}.isdisjoint({r["circle"] for r in read(b)})
    first, _ = cli.json("disclosure", "list", "--type", "research extract")
    assert first["file_name"] == "a.csv" and first["recipient"] == "Uni"
    assert first["sha256"] == hashlib.sha256(a.read_bytes()).hexdigest()


def test_small_groups_are_coarsened_before_they_are_dropped() -> None:
    rows = [
        {"mappa_category": 1, "mappa_level": lvl, "circle_type": "c", "start_year": "2025",
         "age_band": "25-34", "start_month": "2025-01", "end_month": ""}
        for lvl in (1, 1, 2)
    ]  # fmt: skip
    kept, dropped = extract.anonymise(rows, 3)
    assert dropped == 0 and [r["mappa_level"] for r in kept] == ["*", "*", "*"]
    kept, dropped = extract.anonymise(rows, 4)
    assert kept == [] and dropped == 3


def test_age_bands() -> None:
    assert extract.age_band("1990-06-02", "2025-06-01") == "25-34"  # 34 the day before
    assert extract.age_band("1990-06-01", "2025-06-01") == "35-44"
    assert extract.age_band(None, "2025-06-01") == "unknown"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--k", "1"], "invalid --k 1"),
        (["--k", "0"], "invalid --k 0"),
        (["--from", "2025-12-31", "--to", "2025-01-01"], "before --from"),
        (["-o", "exists.csv"], "already exists"),
    ],
)
def test_bad_extract_input_is_one_line_exit_1_and_nothing_written(
    cli: Cli, provider: Path, tmp_path: Path, args: list[str], says: str
) -> None:
    (tmp_path / "exists.csv").write_text("keep me")
    base = {"--from": "2025-01-01", "--to": "2025-12-31", "-o": str(tmp_path / "new.csv")}
    given = dict(zip(args[::2], args[1::2], strict=True))
    if "-o" in given:
        given["-o"] = str(tmp_path / given["-o"])
    merged = {**base, **given}
    before = len(audit_entries(provider))
    result = cli("report", "extract", *[x for kv in merged.items() for x in kv],
                 "--recipient", "Uni", code=1)  # fmt: skip
    assert result.stderr.startswith("Error: ") and says in result.stderr.splitlines()[0]
    assert len(audit_entries(provider)) == before
    assert not (tmp_path / "new.csv").exists()
    assert (tmp_path / "exists.csv").read_text() == "keep me"
