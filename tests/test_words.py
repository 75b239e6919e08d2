"""Counts read as English: "1 entry", "2 entries", "0 escalations"."""

from __future__ import annotations

import pytest

from cosa.words import count, plural


@pytest.mark.parametrize(
    ("n", "word", "expected"),
    [
        (0, "escalation", "0 escalations"),
        (1, "escalation", "1 escalation"),
        (2, "escalation", "2 escalations"),
        (1, "entry", "1 entry"),
        (3, "entry", "3 entries"),
        (2, "day", "2 days"),  # a vowel before the y
        (2, "match", "2 matches"),
        (2, "person", "2 people"),
        (-1, "day", "-1 days"),
    ],
)
def test_count(n: int, word: str, expected: str) -> None:
    assert count(n, word) == expected


def test_plural_alone() -> None:
    assert (plural("mention", 1), plural("mention", 5)) == ("mention", "mentions")
