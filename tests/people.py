"""A volunteer who passes the safeguarding gate at `circle join`, built with the domain
functions: two satisfactory references, approved, a cleared enhanced DBS check (status-checked
today, so no re-check falls due for years) and initial training, all dated `on`."""

from __future__ import annotations

from datetime import date
from typing import Any

from cosa.domain import recruitment, volunteers
from cosa.store import Store

READY_ON = "2020-01-06"


def ready_volunteer(
    store: Store, name: str, *, on: str = READY_ON, email: str | None = None
) -> int:
    """Add `name` ready to join circles from `on`; returns the volunteer's id."""
    with store.atomic():
        vid = volunteers.add(store, name, email=email)
        make_ready(store, vid, on=on)
    return vid


def make_ready(store: Store, vid: int, *, on: str = READY_ON) -> None:
    """Make an existing volunteer ready to join circles from `on` (see `ready_volunteer`)."""
    with store.atomic():
        ref = str(vid)
        for referee in ("Referee One", "Referee Two"):
            recruitment.reference(
                store, ref, referee=referee, requested=on, received=on, outcome="satisfactory"
            )
        recruitment.set_stage(store, ref, "approved", on=on)
        volunteers.vet(
            store,
            ref,
            level="enhanced",
            certificate=f"{900000000000 + vid}",
            issued=on,
            checked=date.today(),
            update_service=True,
            decision="cleared",
        )
        volunteers.train(store, ref, kind="initial", on=on)


def approve(store: Store, vid: int, on: str = READY_ON) -> None:
    """Two satisfactory references received `on`, and the `approved` stage that day."""
    with store.atomic():
        for referee in ("Referee One", "Referee Two"):
            recruitment.reference(
                store, str(vid), referee=referee, requested=on, received=on, outcome="satisfactory"
            )
        recruitment.set_stage(store, str(vid), "approved", on=on)


def active_volunteer(store: Store, name: str, *, on: str = READY_ON) -> int:
    """A ready volunteer who is a current member of a circle from `on` (status active)."""
    from cosa.domain import circles, members

    vid = ready_volunteer(store, name, on=on)
    open_circle = store.one(
        "SELECT c.id FROM circles c WHERE c.status != 'ended' AND (SELECT count(*) FROM"
        " circle_members m WHERE m.circle_id = c.id AND m.left_on IS NULL) < 6 ORDER BY c.id"
    )
    if open_circle is None:
        _, code = members.add(store, mappa_category=1, mappa_level=1)
        cid = circles.add(store, member=code)
    else:
        cid = int(open_circle["id"])
    circles.join(store, cid, str(vid), on=on)
    return vid


def ready_cli(cli: Any, name: str, *, on: str = READY_ON) -> None:
    """`ready_volunteer` through the command line (for CLI scenario tests)."""
    cli("volunteer", "add", name)
    for referee in ("Referee One", "Referee Two"):
        cli("volunteer", "reference", name, "--referee", referee, "--requested", on,
            "--received", on, "--outcome", "satisfactory")  # fmt: skip
    cli("volunteer", "stage", name, "approved", "--on", on)
    number = cli.json("volunteer", "show", name)["id"]
    cli("volunteer", "vet", name, "--level", "enhanced", "--certificate", f"{900000000000 + number}",
        "--issued", on, "--checked", "today", "--decision", "cleared")  # fmt: skip
    cli("volunteer", "train", name, "--type", "initial", "--on", on)
