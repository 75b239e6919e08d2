"""Volunteers: the people who sit in circles."""

from __future__ import annotations

from typing import Any

from cosa.domain import resolve
from cosa.errors import UserError
from cosa.store import Store

STATUSES = ("applicant", "in training", "available", "active", "resting", "left")
TABLE = "volunteers"


def check_choice(field: str, value: str, allowed: tuple[str, ...] | list[str]) -> str:
    norm = value.strip().lower().replace("_", " ").replace("-", " ")
    for choice in allowed:
        if norm == choice.replace("-", " "):
            return choice
    raise UserError(f"invalid {field} '{value}'", hint=f"choose one of: {', '.join(allowed)}")


def clean_text(field: str, value: str | None, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise UserError(f"{field} is required")
        return None
    text = value.strip()
    if not text:
        if required:
            raise UserError(f"{field} must not be empty")
        return None
    return text


def add(
    store: Store,
    name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    status: str = "applicant",
) -> int:
    values = {
        "name": clean_text("name", name, required=True),
        "email": clean_text("email", email),
        "phone": clean_text("phone", phone),
        "status": check_choice("status", status, STATUSES),
    }
    with store.atomic():
        return store.insert(TABLE, "volunteer", values)


def list_(store: Store, *, status: str | None = None) -> list[dict[str, Any]]:
    if status:
        return store.query(
            "SELECT * FROM volunteers WHERE status = ? ORDER BY name COLLATE NOCASE, id",
            (check_choice("status", status, STATUSES),),
        )
    return store.query("SELECT * FROM volunteers ORDER BY name COLLATE NOCASE, id")


def get(store: Store, ref: str) -> dict[str, Any]:
    return resolve.person(store, TABLE, "volunteer", ref)
