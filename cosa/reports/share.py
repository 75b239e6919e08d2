"""The share pack: a meeting's approved minutes as they leave the provider.

Built by `cosa share MEETING --to PRO` (see `cosa.domain.disclosures`, which decides whether
sharing is allowed and records the disclosure). Compared with `report minutes`:

* approved minutes only (with their amendments);
* volunteers by first name (`--volunteer-names first`, with a surname initial when two
  share a first name, and "(2)" when even that clashes) or by code (`code`: "Volunteer
  12"); inside the minutes, concerns and actions every name cosa knows is replaced by
  identity (`cosa.redact`): professionals by role and agency, anyone else generically;
* the meeting venue is withheld (meeting places are kept confidential);
* the pack names its recipient, the lawful basis and the disclosure reference (the record's
  UUID), so a copy that turns up later can be traced to its disclosure record.
"""

from __future__ import annotations

from typing import Any

from cosa.reports.data import format_day
from cosa.reports.minutes import meeting_record
from cosa.store import Row, Store
from cosa.words import count

KIND = "share"
SHARE_NAME_MODES = ("first", "code")


def data(
    store: Store,
    meeting_id: int,
    pro: Row,
    *,
    names: str,
    basis: str,
    reason: str | None,
    reference: str,
    on: str,
) -> dict[str, Any]:
    record = meeting_record(store, meeting_id, names, professionals=True)
    m = record["meeting"]
    from cosa.domain.disclosures import recipient_of

    recipient = recipient_of(pro)
    removed = [
        "meeting venue (meeting places are kept confidential)",
        "volunteers' surnames: volunteers are named by first name"
        if names == "first"
        else "volunteers' names: volunteers are named by code (Volunteer N)",
    ]
    removed.append(
        "professionals' names in the text: by role and agency (the circle's outer circle) "
        "or as 'a professional'; other people cosa knows of as 'a volunteer' or 'a third party'"
    )
    if record["_replacements"]:
        removed.append(
            f"{count(record['_replacements'], 'mention')} of names in the minutes, concerns and "
            "actions replaced"
        )
    items = [f"approved minutes of meeting {m['id']} ({m['date']})", "attendance"]
    for key, noun in (("amendments", "amendment"), ("concerns", "concern"), ("actions", "action")):
        if record[key]:
            n = len(record[key])
            items.append(f"{n} {noun}{'s' if n != 1 else ''}")
    m["venue"] = None
    return {
        "report": {
            "kind": KIND,
            "title": "Share pack: approved minutes",
            "subject": f"{m['member_code']} · meeting {m['id']} · for {pro['name']}",
            "period": format_day(m["date"]),
            "from": m["date"],
            "to": m["date"],
            "about": {"type": "meeting", "id": m["id"]},
            "volunteer_names": names,
        },
        "disclosure": {
            "reference": reference,
            "recipient": recipient,
            "professional_id": pro["id"],
            "date": on,
            "basis": basis,
            "override_reason": reason,
            "items": items,
            "removed": removed,
        },
        **{k: v for k, v in record.items() if not k.startswith("_")},
        "_file": f"share-{m['member_code']}-{m['date']}-meeting-{m['id']}-for-{slug(pro['name'])}",
    }


def slug(text: str) -> str:
    """A name as it can appear in a file name: 'Zoë O'Brien' -> 'zoe-o-brien'."""
    import re

    from cosa.names import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "recipient"


def render(data: dict[str, Any]) -> list[Any]:
    from cosa.reports.minutes import minutes_story
    from cosa.reports.pdf import heading, kv_table, para

    d = data["disclosure"]
    basis = d["basis"] + (f" — override: {d['override_reason']}" if d["override_reason"] else "")
    story: list[Any] = [
        para(
            f"Shared with {d['recipient']} on {format_day(d['date'])}: the approved minutes of a "
            "circle meeting. Please keep them secure and do not pass them on without the "
            "provider's agreement."
        ),
        kv_table(
            [
                ("Lawful basis", basis),
                ("Shared", "; ".join(d["items"])),
                ("Removed", "; ".join(d["removed"])),
                ("Disclosure reference", d["reference"]),
            ]
        ),
        heading("The meeting"),
        *minutes_story(data, venue=False),
    ]
    return story
