"""Pydantic models: the JSON contract of `--json` output and validation of records.

Read commands render tables straight from rows; these models are imported only when JSON is
asked for or a record is validated, so everyday commands do not pay pydantic's import cost.
Field names and types here are the documented, stable JSON schema (see docs/json.md).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

VolunteerStatus = Literal["applicant", "in training", "available", "active", "resting", "left"]


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    uuid: str
    created_at: str
    updated_at: str
    created_by: str
    updated_by: str


class Volunteer(Record):
    name: str
    email: str | None = None
    phone: str | None = None
    status: VolunteerStatus


class AuditEntry(BaseModel):
    seq: int
    at: str
    operator: str
    action: str
    record_type: str | None = None
    record_id: int | None = None
    fields: list[str] = []
    detail: dict[str, object] | None = None
    hash: str
