"""Money as integer pence: parsed from what a user typed without floats, shown as £1,234.50."""

from __future__ import annotations

import re

from cosa.errors import UserError

#: The largest single amount accepted (a typo guard): £10,000.00.
MAX_PENCE = 1_000_000
_AMOUNT = re.compile(r"£?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?", re.ASCII)


def parse_pence(field: str, text: str | int) -> int:
    """Pence from `12.40`, `12.4`, `12`, `£1,234.50`; more than 0 and at most MAX_PENCE."""
    raw = str(text).strip()
    hint = "give pounds and pence, e.g. 12.40"
    if raw.startswith("-"):
        raise UserError(f"invalid {field} '{raw}': must be more than 0", hint=hint)
    m = _AMOUNT.fullmatch(raw)
    if m is None:
        raise UserError(f"invalid {field} '{raw}'", hint=hint)
    pounds = int(m[1].replace(",", ""))
    pence = int((m[2] or "0").ljust(2, "0"))
    total = pounds * 100 + pence
    if total <= 0:
        raise UserError(f"invalid {field} '{raw}': must be more than 0", hint=hint)
    if total > MAX_PENCE:
        raise UserError(
            f"invalid {field} '{raw}': more than {format_pence(MAX_PENCE)}",
            hint="record a larger sum as several claims",
        )
    return total


def format_pence(pence: int) -> str:
    """£1,234.50 (a minus sign before the pound sign for a negative sum)."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"
