"""Third parties out of free text, by identity rather than by how a name happens to be typed.

A pack that leaves the provider (the subject access pack, a share pack) replaces every
person cosa knows about with a label. `Matcher` holds, for each person, every variant of
their name — the full name, each of its words (first names, surnames) and any text typed
for them (an action's owner, a concern's "raised by", a referrer) — and replaces each one
wherever it occurs in free text:

* whole words only (`Ann` is replaced, `Annex` is not);
* whatever the case (`ann`, `ANN`, `Ann`) and whatever the accents (`Émile`, `emile`,
  `EMILE`, or `É` typed as `E` + a combining accent);
* the longest variant first, so "Ann Smith" becomes one label, not two;
* a word that belongs to two people who get different labels becomes `ambiguous` (e.g.
  "a volunteer"), never one of their labels.

A few words that are names but far more often something else are treated apart: RAG
colours, months and days ("May", "June", "Green") are never replaced on their own, and
ordinary words ("will", "mark", "hope") only when written with a capital letter; their full
names are replaced however they are written.

Matching runs on a folded copy of the text (accents removed, case folded) with a map from
folded positions back to the original, so the replacement keeps everything else as typed.
All variants are compiled into one regular expression, once per pack.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from cosa.names import fold

#: Words never replaced on their own: far more often a RAG rating, a month or a day than a
#: person (their full names always are).
NEVER_ALONE = frozenset(
    [
        "red",
        "amber",
        "green",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
#: Words replaced on their own only when capitalised (their full names always are).
COMMON_WORDS = frozenset(
    [
        "will",
        "mark",
        "bill",
        "pat",
        "sue",
        "hope",
        "grace",
        "faith",
        "joy",
        "rose",
        "frank",
        "dawn",
        "summer",
        "rich",
        "guy",
        "ray",
        "victor",
        "chase",
        "hunter",
        "carter",
        "baker",
        "cook",
        "young",
        "white",
        "black",
        "brown",
        "wood",
        "hill",
        "king",
        "long",
    ]
)

#: Text typed for a person that names a role, not a person: never treated as a name.
ROLE_WORDS = frozenset(
    [
        "pp",
        "om",
        "cm",
        "cms",
        "police",
        "probation",
        "coordinator",
        "co-ordinator",
        "all",
        "everyone",
        "circle",
        "volunteers",
        "volunteer",
        "team",
        "me",
        "us",
        "chair",
        "self",
        "spoc",
        "mappa",
        "housing",
        "gp",
        "nurse",
        "staff",
        "professional",
        "professionals",
        "prison",
        "manager",
        "worker",
        "officer",
        "the",
        "a",
        "an",
        "and",
        "or",
        "from",
        "of",
        "at",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "via",
        "re",
        "cc",
        "tbc",
        "tbd",
        "none",
        "nobody",
        "someone",
        "anyone",
    ]
)

_CODE = re.compile(r"cm-?\d+|\d+")
_SPLIT_TYPED = re.compile(r"\s*(?:,|;|/|&|\+|\band\b)\s*", re.IGNORECASE)


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the original one."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    out: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        f = fold(c) if not c.isascii() else c.lower()
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


def typed_names(text: str | None) -> list[str]:
    """The person names in a typed field such as an action's owner ("ann, Bob & PP")."""
    if not text:
        return []
    out = []
    for part in _SPLIT_TYPED.split(text):
        clean = " ".join(part.split()).strip(".:-")
        words = [w for w in fold(clean).split() if w not in ROLE_WORDS and not _CODE.fullmatch(w)]
        if len(clean) > 1 and words:
            out.append(clean)
    return out


@dataclass
class Matcher:
    """Replaces every known variant of every known person's name in free text.

    `add(names, label)` registers a person; `matcher(text)` returns the text with their
    names replaced; `count` is the number of replacements made so far."""

    ambiguous: str = "a third party"
    count: int = 0
    _labels: dict[str, str] = field(default_factory=dict)  # folded variant -> label
    _owner: dict[str, object] = field(default_factory=dict)  # folded variant -> person key
    _rx: re.Pattern[str] | None = None
    _ready: bool = False

    def add(
        self, names: Iterable[str | None], label: str, *, key: object = None, weak: bool = False
    ) -> None:
        """Register one person (`key` identifies them; default the label) under every
        variant of each of `names`: the whole name and each of its words. A `weak`
        registration (someone the pack does not mention) never takes a variant that is
        already registered; register the pack's own people first."""
        who = label if key is None else key
        for name in names:
            if not name:
                continue
            clean = " ".join(name.split())
            if not clean:
                continue
            self._variant(fold(clean), label, who, weak)
            words = clean.split()
            if len(words) > 1:
                for word in words:
                    self._variant(fold(word.strip(".,'\"()")), label, who, weak)

    def _variant(self, variant: str, label: str, who: object, weak: bool) -> None:
        if (
            len(variant) < 2
            or variant in ROLE_WORDS
            or variant in NEVER_ALONE
            or _CODE.fullmatch(variant)
        ):
            return
        self._ready = False
        if variant not in self._labels:
            self._labels[variant] = label
            self._owner[variant] = who
        elif not weak and self._owner[variant] != who and self._labels[variant] != label:
            self._labels[variant] = self.ambiguous

    def _compile(self) -> None:
        variants = sorted(self._labels, key=len, reverse=True)
        if not variants:
            self._rx = None
        else:
            body = "|".join(r"\s+".join(re.escape(w) for w in v.split()) for v in variants)
            self._rx = re.compile(rf"(?<!\w)(?:{body})(?!\w)")
        self._ready = True

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        if not self._ready:
            self._compile()
        if self._rx is None:
            return text
        folded, where = _folded_with_map(text)
        pieces: list[str] = []
        last = 0
        for m in self._rx.finditer(folded):
            variant = " ".join(m[0].split())
            start = where[m.start()]
            end = where[m.end() - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            if variant in COMMON_WORDS and not text[start].isupper():
                continue
            if start < last:
                continue
            pieces.append(text[last:start])
            pieces.append(self._labels[variant])
            self.count += 1
            last = end
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)

    def labels(self) -> dict[str, str]:
        """Every folded variant and the label it becomes (for tests and diagnostics)."""
        return dict(self._labels)


def unique_labels(labels: dict[int, str]) -> dict[int, str]:
    """Labels made unique in order: a second "Sam K." becomes "Sam K. (2)"."""
    seen: dict[str, int] = {}
    out = {}
    for key, label in labels.items():
        n = seen.get(fold(label), 0) + 1
        seen[fold(label)] = n
        out[key] = label if n == 1 else f"{label} ({n})"
    return out
