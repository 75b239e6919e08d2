"""Lookups: the lists that vary by provider, kept as data with good defaults.

`cosa lookup list [KIND]` shows them and `cosa lookup add KIND VALUE` extends them; commands
validate their choices against these lists (`check`). Defaults follow common UK CoSA
practice (see DOMAIN.md).
"""

from __future__ import annotations

from typing import Any

from cosa.errors import UserError
from cosa.store import Store

DEFAULTS: dict[str, list[str]] = {
    "circle-type": [
        "community", "through-the-gate", "intellectual disability", "young people",
        "online offending",
    ],
    "circle-phase": ["pre-release", "phase 1", "phase 2"],
    "ending-reason": [
        "completed", "CM withdrew", "excluded", "recalled", "charged or reconvicted",
        "moved away", "circle broke down", "died", "other",
    ],
    "referral-source": [
        "probation", "police", "prison", "youth team", "social care", "treatment provider",
        "self", "other",
    ],
    "referral-reason": ["problem", "person", "sentence", "other"],
    "professional-role": [
        "probation", "police", "treatment", "prison", "social care", "housing", "youth", "other",
    ],
    "risk-instrument": ["OASys RoSH", "OSP/C", "OSP/I", "RM2000", "ARMS", "AssetPlus", "other"],
    "meeting-type": ["formal", "review", "social", "emergency", "briefing", "prison"],
    "concern-category": [
        "licence breach", "access to children", "new relationship", "sexual preoccupation",
        "internet or device use", "drink or drugs", "emotional wellbeing", "self-harm or suicide",
        "hostility or threats", "housing or work", "disengagement", "volunteer boundary",
        "safeguarding other", "other",
    ],
    "risk-review-item": [
        "risk: sexual preoccupation", "risk: emotional congruence with children",
        "risk: hostility", "risk: poor problem solving", "risk: lifestyle impulsiveness",
        "risk: social isolation", "protective: stable accommodation",
        "protective: employment or purposeful activity", "protective: supportive relationships",
        "protective: engagement with supervision", "protective: hope and goals",
    ],
    "volunteer-stage": [
        "enquiry", "application", "interview", "references", "training", "vetting", "approved",
        "matched",
    ],
    "goal-domain": [
        "accommodation", "work or education", "relationships", "leisure",
        "health and wellbeing", "practical skills", "risk management",
    ],
}  # fmt: skip


def _norm(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).lower()


def values(store: Store, kind: str) -> list[str]:
    return [
        r["value"]
        for r in store.query(
            "SELECT value FROM lookups WHERE kind = ? AND active = 1 ORDER BY position, id",
            (kind,),
        )
    ]


def check(store: Store, kind: str, value: str, field: str | None = None) -> str:
    """The stored spelling of `value` in lookup `kind`, or a UserError listing the choices."""
    allowed = values(store, kind)
    for choice in allowed:
        if _norm(choice) == _norm(value) or _norm(choice).replace("-", " ") == _norm(value).replace(
            "-", " "
        ):
            return choice
    raise UserError(
        f"invalid {field or kind} '{value}'",
        hint=f"choose one of: {', '.join(allowed)} (or add one with `cosa lookup add {kind} VALUE`)",
    )


def kinds() -> list[str]:
    return sorted(DEFAULTS)


def list_(store: Store, kind: str | None = None) -> list[dict[str, Any]]:
    if kind is not None:
        if kind not in DEFAULTS:
            raise UserError(f"unknown lookup '{kind}'", hint=f"choose one of: {', '.join(kinds())}")
        return store.query("SELECT * FROM lookups WHERE kind = ? ORDER BY position, id", (kind,))
    return store.query("SELECT * FROM lookups ORDER BY kind, position, id")


def add(store: Store, kind: str, value: str) -> int:
    if kind not in DEFAULTS:
        raise UserError(f"unknown lookup '{kind}'", hint=f"choose one of: {', '.join(kinds())}")
    text = " ".join(value.split())
    if not text:
        raise UserError("the value must not be empty")
    if any(_norm(v) == _norm(text) for v in values(store, kind)):
        raise UserError(f"'{text}' is already in {kind}")
    with store.atomic():
        position = store.scalar(
            "SELECT coalesce(max(position), -1) + 1 FROM lookups WHERE kind = ?", (kind,)
        )
        return store.insert(
            "lookups", "lookup", {"kind": kind, "value": text, "position": position}
        )
