"""The one form in which names are compared: case folded, accents removed.

Used by name look-up (`cosa.domain.resolve`) and by redaction (`cosa.redact`), so a name that
finds a person also finds every mention of that person in a pack, and the other way round.
"""

from __future__ import annotations

import unicodedata

#: Letters Unicode does not decompose into a base letter and an accent.
STROKES = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
     "ħ": "h", "Ħ": "h", "ı": "i", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th",
     "Þ": "th"}
)  # fmt: skip


def fold(text: str) -> str:
    """Accents removed and case folded: 'Émile' -> 'emile', 'Łukasz' -> 'lukasz',
    fold('STRASSE') == fold('Straße'). Keeps every other character where it is."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(STROKES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
