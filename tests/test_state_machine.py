"""A hypothesis state machine over the weekly loop, checked against a simple model.

Rules add volunteers, record meetings, edit, approve and amend minutes, raise, escalate and
close concerns, search, and back up; after every step the store must equal the model, no
exception but a `UserError` may escape, the audit trail must verify and the search index
must pass FTS5's integrity check. The default run uses a short profile; the slow-marked test
runs ≥ 200 examples × 30 steps.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from cosa import audit, vault
from cosa.domain import circles, concerns, meetings, members, pros, search, volunteers
from cosa.errors import UserError
from cosa.workspace import Workspace

from .conftest import CHEAP_KDF
from .people import ready_volunteer

START = date.today() - timedelta(days=400)
WORDS = ["housing", "work", "church", "sister", "allotment", "bus", "doctor", "football"]
_tokens = itertools.count(1)


def token() -> str:
    return f"zq{next(_tokens):05d}x"


class WeeklyLoop(RuleBasedStateMachine):
    meetings = Bundle("meetings")
    open_concerns = Bundle("open_concerns")

    def __init__(self) -> None:
        super().__init__()
        vault.DEFAULT_KDF.update(CHEAP_KDF)
        self.tmp = Path(tempfile.mkdtemp(prefix="cosa-sm-"))
        self.store = Workspace(self.tmp / "ws").create(
            "state machine pass", vault.new_recovery_code(), "sm"
        )
        s = self.store
        members.add(s, mappa_category=1, mappa_level=1)
        self.pro = pros.add(s, "Pat Probation", agency="Probation", role="probation")
        members.consent(s, "CM-0001", "Probation", on=START)
        self.circle = circles.add(s, member="CM-0001", start=START)
        for name in ("Ann Able", "Ben Baker"):
            circles.join(s, self.circle, str(ready_volunteer(s, name)), on=START)
        self.model_volunteers = 2
        self.model_meetings: dict[int, dict[str, Any]] = {}
        self.model_concerns: dict[int, dict[str, Any]] = {}
        self.day = START
        self.backups = 0

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def next_day(self) -> date:
        self.day = min(self.day + timedelta(days=1), date.today())
        return self.day

    @rule(name=st.text(min_size=1, max_size=30).filter(lambda t: t.strip()))
    def add_volunteer(self, name: str) -> None:
        volunteers.add(self.store, name)
        self.model_volunteers += 1

    @rule(target=meetings, word=st.sampled_from(WORDS), with_minutes=st.booleans())
    def add_meeting(self, word: str, with_minutes: bool) -> int:
        tok = token()
        minutes = f"We talked about {word} {tok}." if with_minutes else None
        mid = meetings.add(
            self.store, self.circle, date=self.next_day(), minutes=minutes, present=["Ann"]
        )
        self.model_meetings[mid] = {
            "minutes": minutes,
            "approved": False,
            "tokens": {tok} if minutes else set(),
        }
        return mid

    @rule(mid=meetings, word=st.sampled_from(WORDS))
    def edit_minutes(self, mid: int, word: str) -> None:
        m = self.model_meetings[mid]
        tok = token()
        text = f"Edited: {word} {tok}."
        try:
            meetings.save(
                self.store, meetings.prepare_edit(self.store, mid, meetings.Fields(minutes=text))
            )
        except UserError:
            assert m["approved"], "only approved minutes refuse edits"
            return
        assert not m["approved"]
        m["minutes"], m["tokens"] = text, {tok}

    @rule(mid=meetings)
    def approve(self, mid: int) -> None:
        m = self.model_meetings[mid]
        try:
            meetings.approve(self.store, mid)
        except UserError:
            assert m["approved"] or m["minutes"] is None
            return
        assert not m["approved"] and m["minutes"] is not None
        m["approved"] = True

    @rule(mid=meetings)
    def amend(self, mid: int) -> None:
        m = self.model_meetings[mid]
        tok = token()
        try:
            meetings.amend(self.store, mid, f"Correction {tok}", reason="typo")
        except UserError:
            assert not m["approved"]
            return
        assert m["approved"]
        m["tokens"].add(tok)

    @rule(target=open_concerns, severity=st.sampled_from(["red", "amber", "green"]))
    def raise_concern(self, severity: str) -> int:
        tok = token()
        cid = concerns.add(self.store, self.circle, severity=severity, category="other",
                           text=f"Worry {tok}", on=self.next_day())  # fmt: skip
        self.model_concerns[cid] = {"open": True, "escalations": 0, "tokens": {tok}}
        return cid

    @rule(cid=open_concerns)
    def escalate(self, cid: int) -> None:
        concerns.escalate(self.store, cid, to=str(self.pro), via="phone", at=f"{self.day.isoformat()} 21:00",
                          basis="consent", shared="as recorded")  # fmt: skip
        self.model_concerns[cid]["escalations"] += 1

    @rule(cid=consumes(open_concerns))
    def close(self, cid: int) -> None:
        concerns.close(self.store, cid, note="Resolved with probation.", on=self.day)
        self.model_concerns[cid]["open"] = False
        with pytest.raises(UserError):
            concerns.close(self.store, cid, note="again", on=self.day)

    @rule()
    def backup(self) -> None:
        from cosa import backup as backup_mod

        self.backups += 1
        backup_mod.create(self.store, self.tmp / f"b{self.backups}.cosa-backup")

    @rule(data=st.data())
    def search_finds_every_live_token(self, data: st.DataObject) -> None:
        pool = [(mid, tok) for mid, m in self.model_meetings.items() for tok in m["tokens"]]
        pool += [(cid, tok) for cid, c in self.model_concerns.items() for tok in c["tokens"]]
        if not pool:
            return
        _, tok = data.draw(st.sampled_from(pool))
        assert search.search(self.store, tok), f"{tok} not found"

    @invariant()
    def store_equals_model(self) -> None:
        s = self.store
        assert s.scalar("SELECT count(*) FROM volunteers") == self.model_volunteers
        rows = {r["id"]: r for r in s.query("SELECT id, minutes, approved_at FROM meetings")}
        assert set(rows) == set(self.model_meetings)
        for mid, m in self.model_meetings.items():
            assert rows[mid]["minutes"] == m["minutes"]
            assert bool(rows[mid]["approved_at"]) == m["approved"]
        crow = {r["id"]: r for r in s.query("SELECT id, closed_on FROM concerns")}
        assert set(crow) == set(self.model_concerns)
        for cid, c in self.model_concerns.items():
            assert (crow[cid]["closed_on"] is None) == c["open"]
            n = s.scalar("SELECT count(*) FROM escalations WHERE concern_id = ?", (cid,))
            assert n == c["escalations"]

    @invariant()
    def audit_and_index_are_sound(self) -> None:
        assert audit.verify(self.store).ok
        self.store.conn.execute("INSERT INTO search_index(search_index) VALUES ('integrity-check')")


SHORT = settings(max_examples=8, stateful_step_count=12, deadline=None,
                 suppress_health_check=list(HealthCheck))  # fmt: skip
LONG = settings(max_examples=200, stateful_step_count=30, deadline=None,
                suppress_health_check=list(HealthCheck))  # fmt: skip


def test_the_weekly_loop_matches_its_model() -> None:
    WeeklyLoop.TestCase.settings = SHORT
    WeeklyLoop.TestCase().runTest()


@pytest.mark.slow
def test_the_weekly_loop_matches_its_model_at_length() -> None:
    WeeklyLoop.TestCase.settings = LONG
    WeeklyLoop.TestCase().runTest()
