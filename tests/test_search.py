"""`cosa search`: FTS5 over minutes, amendments, concerns, notes and contacts, kept in step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cosa.commands import search as search_cmd
from cosa.domain import concerns, contacts, meetings
from cosa.domain import search as search_domain
from cosa.models import SearchHit
from cosa.store import Store

from .conftest import Cli
from .test_meetings import World, build
from .weekly import days_ago, workspace_store


@pytest.fixture
def world(initialised: Path) -> World:
    with workspace_store(initialised) as store:
        return build(store)


@pytest.fixture
def dworld(store: Store) -> World:
    return build(store)


def _found(cli: Cli, *words: str) -> list[tuple[str, int]]:
    return [(h["record_type"], h["record_id"]) for h in cli.json("search", *words)]


def _integrity(store: Store) -> None:
    with store.atomic():
        store.execute("INSERT INTO search_index(search_index) VALUES('integrity-check')")


def test_search_finds_words_from_minutes_and_amendments(cli: Cli, world: World) -> None:
    cli("meeting", "add", "1", "--date", days_ago(3), "--minutes", "We discussed the allotment.")
    cli("meeting", "approve", "1")
    cli("meeting", "amend", "1", "The allotment is on Mill Lane.", "--reason", "place")
    hits = cli.json("search", "allotment")
    for hit in hits:
        SearchHit.model_validate(hit)
    assert sorted((h["record_type"], h["record_id"], h["meeting_id"]) for h in hits) == [
        ("amendment", 1, 1),
        ("meeting", 1, 1),
    ]
    hit = next(h for h in hits if h["record_type"] == "meeting")
    assert {k: hit[k] for k in ("circle_id", "code", "date", "snippet")} == {
        "circle_id": 1,
        "code": "CM-0001",
        "date": days_ago(3),
        "snippet": "We discussed the [allotment].",
    }
    assert _found(cli, "mill", "lan") == [("amendment", 1)]  # the last word is a prefix
    assert _found(cli, "ALLOTMENTS") == []
    assert "no matches" in cli("search", "nothing-like-this").stderr
    cli("audit", "verify")


def test_search_table_shows_record_circle_date_and_marked_snippet(cli: Cli, world: World) -> None:
    cli("meeting", "add", "2", "--minutes", "Notes [redacted] about the caravan.")
    cli("meeting", "approve", "1")
    cli("meeting", "amend", "1", "Caravan is gone.", "--reason", "news")
    lines = cli("search", "caravan").stdout.splitlines()
    assert lines[0].split() == ["Record", "Circle", "Date", "Snippet"]
    body = sorted(" ".join(line.split()) for line in lines[1:])
    assert body[0].startswith("amendment 1 (meeting 1) CM-0002 ")
    assert body[0].endswith("[Caravan] is gone.")
    assert body[1].endswith("Notes [redacted] about the [caravan].")


def test_search_on_a_terminal_shows_matches_in_bold(
    cli: Cli, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("meeting", "add", "1", "--minutes", "Talked about [his] caravan plans.")
    monkeypatch.setattr(search_cmd, "stdout_is_tty", lambda: True)
    out = cli("search", "caravan").stdout
    assert "\x1b[1mcaravan\x1b[0m" in out
    assert "[his]" in out and "[caravan]" not in out


def test_search_covers_concerns_notes_and_contacts(store: Store, dworld: World) -> None:
    mid = meetings.add(store, 1, minutes="Routine week.")
    cid = concerns.add(store, 1, severity="red", category="other", text="Seen near a playground",
                       meeting_id=mid)  # fmt: skip
    nid = concerns.note(store, cid, "Playground visit explained by PP")
    contact_id, _ = contacts.add(store, 2, by="dan", note="Coffee, talked about the playground")
    hits = search_domain.hits(store, "playground")
    assert sorted((h["record_type"], h["record_id"], h["concern_id"]) for h in hits) == [
        ("concern", cid, cid),
        ("concern_note", nid, cid),
        ("contact", contact_id, None),
    ]
    assert [h["record_type"] for h in search_domain.hits(store, "playground", circle_id=2)] == [
        "contact"
    ]
    _integrity(store)


def test_a_long_transcript_is_found_with_a_snippet_around_the_match(
    store: Store, dworld: World
) -> None:
    """Minutes over 20,000 characters get their snippet from cosa (FTS5's scores every window
    of the text: 30 ms a hit for 1 MB), cut and marked as FTS5 does it for short ones."""
    filler = "Speaker one: the circle met and talked about the week. " * 800
    long_minutes = filler + "Then Émile raised the allotment tenancy again. " + filler
    long_id = meetings.add(store, 1, minutes=long_minutes, date=days_ago(2))
    short_id = meetings.add(store, 1, minutes="The allotment is on Mill Lane.", date=days_ago(9))
    hits = search_domain.search(store, "allotment", marks=("<", ">"))
    assert [(h["record_type"], h["record_id"]) for h in hits] == [
        ("meeting", long_id),
        ("meeting", short_id),
    ]
    assert hits[0]["snippet"] == (
        "…Then Émile raised the <allotment> tenancy again. Speaker one: the circle met…"
    )
    assert hits[1]["snippet"] == "The <allotment> is on Mill Lane."  # FTS5's own snippet
    both = search_domain.search(store, "ALLOTMENT ten")  # every word, the last as a prefix
    assert [h["record_id"] for h in both] == [long_id]
    assert "[allotment] [tenancy]" in both[0]["snippet"]
    assert search_domain.search(store, "emile")[0]["snippet"].startswith(
        "…about the week. Then [Émile]"
    )
    assert [h["record_id"] for h in search_domain.search(store, "allotment", limit=1)] == [long_id]


@pytest.mark.parametrize(
    ("sentence", "query", "marked"),
    [
        ("File notes_2024 kept.", "2024", "notes_[2024]"),  # "_" separates words in the index
        ("We met Ame\u0301lie again.", "amelie", "[Ame\u0301lie]"),  # a decomposed accent
        ("Then Émile came.", "emile", "[Émile]"),
        ("The follow-up was booked.", "up", "follow-[up]"),
    ],
)
def test_a_long_text_marks_the_words_fts5_matched(
    store: Store, dworld: World, sentence: str, query: str, marked: str
) -> None:
    """The snippet of a text over 20,000 characters marks the words FTS5 matched, as FTS5's
    own snippet of a short text does, with the index's idea of a word."""
    filler = "Speaker one: the circle met and talked about the week. " * 400
    long_id = meetings.add(store, 1, minutes=filler + sentence + " " + filler, date=days_ago(2))
    short_id = meetings.add(store, 1, minutes=sentence, date=days_ago(9))
    hits = {h["record_id"]: h["snippet"] for h in search_domain.search(store, query)}
    assert set(hits) == {long_id, short_id}
    assert marked in hits[short_id]
    assert marked in hits[long_id]


def test_a_long_text_marks_a_name_with_an_apostrophe_as_one_match(
    store: Store, dworld: World
) -> None:
    filler = "Speaker one: the circle met and talked about the week. " * 400
    minutes = "Back at o'clock. " + filler + "We saw O'Brien today. " + filler
    meetings.add(store, 1, minutes=minutes, date=days_ago(2))
    (hit,) = search_domain.search(store, "O'Brien")
    assert "[O'Brien]" in hit["snippet"] and "[o]'clock" not in hit["snippet"]


def test_the_index_stays_consistent_after_edits_and_amendments(store: Store, dworld: World) -> None:
    mid = meetings.add(store, 1, minutes="The greenhouse is finished.", date=days_ago(4))
    assert [h["record_id"] for h in search_domain.hits(store, "greenhouse")] == [mid]
    meetings.save(store, meetings.prepare_edit(store, mid, meetings.Fields(
        minutes="The shed is finished.", date=days_ago(2))))  # fmt: skip
    assert search_domain.hits(store, "greenhouse") == []
    assert not search_domain.vocabulary_contains(store, "greenhouse")
    [hit] = search_domain.hits(store, "shed")
    assert (hit["record_id"], hit["date"]) == (mid, days_ago(2))
    meetings.save(store, meetings.prepare_edit(store, mid, meetings.Fields(minutes="")))
    assert search_domain.hits(store, "shed") == []
    meetings.save(store, meetings.prepare_edit(store, mid, meetings.Fields(minutes="Kiln.")))
    meetings.approve(store, mid)
    aid = meetings.amend(store, mid, "Not a kiln: a furnace.", reason="wrong word")
    assert sorted(h["record_type"] for h in search_domain.hits(store, "kiln")) == [
        "amendment",
        "meeting",
    ]
    assert [h["record_id"] for h in search_domain.hits(store, "furnace")] == [aid]
    _integrity(store)
    rows = store.scalar("SELECT count(*) FROM search_index")
    assert rows == 2


def test_search_limit_and_circle(cli: Cli, world: World) -> None:
    for circle, day in (("1", "today"), ("1", "yesterday"), ("2", "today")):
        cli("meeting", "add", circle, "--on", day, "--minutes", "weekly walk")
    assert len(cli.json("search", "walk")) == 3
    assert len(cli.json("search", "walk", "--limit", "2")) == 2
    assert {h["code"] for h in cli.json("search", "walk", "--circle", "CM-0002")} == {"CM-0002"}
    assert "circle 9 not found" in cli("search", "walk", "--circle", "9", code=1).stderr
    cli("search", "walk", "--limit", "0", code=2)


NASTY = [
    '"',
    '""',
    "*",
    "NEAR(",
    "NEAR(a b",
    "-",
    "--x",
    "a -b",
    "(",
    ")",
    "a OR",
    "AND",
    "NOT x",
    "^",
    "col:val",
    "body:allotment",
    "'",
    "\u2019",
    "___",
    "a_b",
    "{}",
    "[x]",
    "+",
    "ünïcödé*",
    "\x00",
    "%",
    ":",
    ".",
]


@pytest.mark.parametrize("query", NASTY)
def test_fts_syntax_in_a_query_never_errors(store: Store, dworld: World, query: str) -> None:
    meetings.add(store, 1, minutes="allotment near the river, body and a_b")
    assert isinstance(search_domain.hits(store, query), list)


def test_fts_syntax_through_the_cli_never_errors(cli: Cli, world: World) -> None:
    cli("meeting", "add", "1", "--minutes", "allotment")
    for query in ('"', "NEAR(", "*", "a -b", "(allotment"):
        cli("search", "--", query)
    hits = json.loads(cli("search", "--json", "--", '"allot*').stdout)
    assert [(h["record_type"], h["snippet"]) for h in hits] == [("meeting", "[allotment]")]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=30))
def test_any_text_is_a_valid_query(store: Any, text: str) -> None:
    assert isinstance(search_domain.hits(store, text), list)


def test_results_come_newest_first_and_best_orders_by_relevance(store: Any) -> None:
    from cosa.domain import search

    with store.atomic():
        search.index(store, "contact", 1, "allotment", circle_id=None, date="2024-01-01")
        search.index(
            store,
            "contact",
            2,
            "allotment allotment allotment plot",
            circle_id=None,
            date="2025-06-01",
        )
        search.index(
            store,
            "meeting",
            1,
            "talked about the allotment at length",
            circle_id=None,
            date="2026-03-01",
        )
        # an edit that moves a record's date moves its entry
        search.index(store, "contact", 1, "allotment again", circle_id=None, date="2026-05-01")
    newest = [(h["record_type"], h["record_id"]) for h in search.search(store, "allotment")]
    assert newest == [("contact", 1), ("meeting", 1), ("contact", 2)]
    assert search.search(store, "allotment", best=True)[0]["record_id"] == 2
    assert store.scalar("SELECT count(*) FROM search_rows") == 3
    with store.atomic():
        search.unindex(store, "contact", 1)
    assert [h["record_id"] for h in search.search(store, "again")] == []
    assert store.scalar("SELECT count(*) FROM search_rows") == 2


def test_migration_m012_moves_old_entries_to_date_ordered_rowids(tmp_path: Path) -> None:
    """An upgrade: a database whose index used the old rowids (type << 40 | id) keeps every
    entry, findable and mapped, after m012."""
    from cosa import migrations, vault
    from cosa.domain import search
    from cosa.store import Store

    key = vault.new_data_key()
    store = Store.open(tmp_path / "old.db", key, create=True, migrate=False)
    upto = [fn for fn in migrations.MIGRATIONS if fn.__name__ < "m012"]
    saved = list(migrations.MIGRATIONS)
    migrations.MIGRATIONS[:] = upto
    try:
        migrations.apply_migrations(store)
    finally:
        migrations.MIGRATIONS[:] = saved
    with store.atomic():
        for rid, (rtype, day) in enumerate(
            [("meeting", "2025-01-02"), ("contact", "2026-02-03")], start=1
        ):
            store.execute(
                "INSERT INTO search_index (rowid, body, record_type, record_id, circle_id, date)"
                " VALUES (?, ?, ?, ?, NULL, ?)",
                (
                    (search.TYPE_CODES[rtype] << 40) | rid,
                    f"old entry {rtype} hostel",
                    rtype,
                    rid,
                    day,
                ),
            )
    assert migrations.apply_migrations(store)[0] == "m012_search_newest_first"
    assert [h["record_type"] for h in search.search(store, "hostel")] == ["contact", "meeting"]
    assert store.scalar("SELECT count(*) FROM search_rows") == 2
    store.conn.execute("INSERT INTO search_index(search_index) VALUES ('integrity-check')")
    store.close()
