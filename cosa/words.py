"""Small wording helpers shared by screens and reports: counts that read as English."""

from __future__ import annotations

#: Irregular plurals cosa uses; anything else gets "s" ("y" after a consonant: "ies").
_IRREGULAR = {"person": "people", "child": "children", "was": "were", "is": "are"}


def plural(word: str, n: int) -> str:
    """`word` in the form that goes with `n`: plural("entry", 2) == "entries"."""
    if n == 1:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def count(n: int, word: str) -> str:
    """`n` and the word that goes with it: count(1, "entry") == "1 entry"."""
    return f"{n} {plural(word, n)}"
