"""Workspace settings: a few provider-level choices, validated when set and audited.

Each setting has a default in code; `cosa config set` stores an override in the `settings`
table. The reading side stays where the setting is used (e.g. `cosa.reports.data.threshold`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cosa.errors import UserError
from cosa.store import Store


def _text(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValueError("must not be empty")
    if len(text) > 120:
        raise ValueError("must be at most 120 characters")
    return text


def _int_between(low: int, high: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        text = value.strip()
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return str(int(text))

    return check


def _months_list(value: str) -> str:
    parts = [p.strip() for p in value.replace(" ", ",").split(",") if p.strip()]
    if not parts or not all(p.isdigit() and 1 <= int(p) <= 120 for p in parts):
        raise ValueError("must be whole numbers of months from 1 to 120, e.g. 3,6,12")
    return ",".join(str(n) for n in sorted({int(p) for p in parts}))


@dataclass(frozen=True)
class Setting:
    key: str
    default: str
    help: str
    check: Callable[[str], str]


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("operator", "", "A label shown beside the person's name in the audit trail (when no --operator or COSA_OPERATOR).", _text),
        Setting("report_classification", "OFFICIAL-SENSITIVE", "The classification line on every PDF.", _text),
        Setting("small_count_threshold", "5", "Counts from 1 up to this minus one are shown as '<N' in returns.",
                _int_between(2, 20)),
        Setting("provider_name", "", "The provider's name in the first column of a return's CSV "
                "(`report return --csv`).", _text),
        Setting("vetting_recheck_years", "3", "Years after a DBS check before a re-check is due.", _int_between(1, 10)),
        Setting("supervision_interval_days", "56", "Days between volunteer supervision sessions.",
                _int_between(7, 365)),
        Setting("followup_months", "3,6,12", "Months after a circle ends when follow-up checks fall due.",
                _months_list),
    )
}  # fmt: skip


def _setting(key: str) -> Setting:
    if key not in SETTINGS:
        raise UserError(f"unknown setting '{key}'", hint=f"choose one of: {', '.join(SETTINGS)}")
    return SETTINGS[key]


def list_(store: Store) -> list[dict[str, str | bool]]:
    stored = {r["key"]: r["value"] for r in store.query("SELECT key, value FROM settings")}
    return [
        {"key": s.key, "value": stored.get(s.key, s.default), "default": s.default,
         "set": s.key in stored, "help": s.help}
        for s in SETTINGS.values()
    ]  # fmt: skip


def set_(store: Store, key: str, value: str) -> str:
    setting = _setting(key)
    try:
        clean = setting.check(value)
    except ValueError as exc:
        raise UserError(f"invalid value for {key}: {exc}") from None
    with store.atomic():
        store.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, clean))
        store.audit("setting.set", detail={"key": key, "value": clean})
    return clean


def unset(store: Store, key: str) -> None:
    _setting(key)
    with store.atomic():
        store.execute("DELETE FROM settings WHERE key = ?", (key,))
        store.audit("setting.unset", detail={"key": key})
