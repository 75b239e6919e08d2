"""People who use a workspace, each with a passphrase slot of their own (`cosa.vault`).

The people live in the key file, not the database: a person *is* a slot that wraps the data
key under a key derived from their passphrase, named {"name", "role"}. Roles:

- coordinator: runs circles; can add and remove people.
- manager: opens the workspace like anyone; at `user add --role manager` the audit-seal
  ratchet's current key is also wrapped under the manager's key (a seed with "user"), so
  `cosa audit verify` run by the manager recomputes every seal from that point on. Seals made
  before the manager was added are checked only with the recovery code.

Adding, renaming a passphrase and removing are audited (`user.add`, `user.passwd`,
`user.remove`) in the database; the key file is written first, under its lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosa import vault
from cosa.errors import UserError

if TYPE_CHECKING:
    from cosa.store import Store
    from cosa.workspace import Workspace


def _key(store: Store) -> bytes:
    return store.data_key  # type: ignore[attr-defined, no-any-return]


def acting(store: Store) -> str:
    """The person whose slot (or session) opened the store."""
    return str(getattr(store, "person", "") or "")


def require_coordinator(ws: Workspace, store: Store, what: str) -> None:
    person = ws.load_keys().find_person(acting(store))
    if person is None or person["role"] != "coordinator":
        raise UserError(
            f"only a coordinator can {what}",
            hint="open the workspace with a coordinator's passphrase",
        )


def people(ws: Workspace) -> list[dict[str, Any]]:
    return [dict(p) for p in ws.load_keys().people()]


def add(ws: Workspace, store: Store, name: str, role: str, passphrase: str) -> dict[str, str]:
    """Give `name` a passphrase slot of their own (role coordinator or manager)."""
    from cosa.workspace import check_person_name

    name = check_person_name(name)
    if role not in vault.ROLES:
        raise UserError(f"unknown role {role!r}", hint="use --role coordinator or --role manager")
    require_coordinator(ws, store, "add people")
    kf = ws.load_keys()
    if kf.find_person(name) is not None:
        raise UserError(f"{name} is already a user of this workspace", hint="see `cosa user list`")
    if kf.pending:
        raise UserError(
            "an interrupted key rotation must be finished first", hint="run `cosa rotate-key`"
        )
    vault.check_passphrase_strength(passphrase)
    if kf.unlock("passphrase", passphrase.encode()).keys:
        raise UserError(
            "that passphrase already opens someone's slot",
            hint="each person needs a passphrase of their own",
        )
    key = _key(store)
    kdf = vault.new_kdf_params()
    kek = vault.derive_kek(passphrase.encode(), kdf)
    person = {"name": name, "role": role}
    slot = vault.make_slot("passphrase", kek, kdf, key, person)
    sealed_from: list[int] = []

    def change(f: vault.KeyFile) -> None:
        f.slots.append(slot)
        if role == "manager" and f.seal is not None:
            from cosa import seal

            n, current = seal.unwrap_current(key, f.workspace, f.seal)
            f.seeds.append({**seal.wrap_seed(kek, kdf, f.workspace, n, current), "user": name})
            sealed_from.append(n)

    ws.update_keys(key, change)
    detail: dict[str, Any] = {"name": name, "role": role}
    if sealed_from:
        detail["seals_from"] = sealed_from[0]
    with store.atomic():
        store.audit("user.add", detail=detail)
    return person


def remove(ws: Workspace, store: Store, name: str) -> dict[str, str]:
    """Remove a person's slot (never the last person, never the last coordinator)."""
    require_coordinator(ws, store, "remove people")
    kf = ws.load_keys()
    person = kf.find_person(name)
    if person is None:
        raise UserError(f"no user called {name.strip()!r}", hint="see `cosa user list`")
    everyone = kf.people()
    if len(everyone) == 1:
        raise UserError(f"{person['name']} is the last user: a workspace needs someone")
    coordinators = [p for p in everyone if p["role"] == "coordinator"]
    if person["role"] == "coordinator" and len(coordinators) == 1:
        raise UserError(
            f"{person['name']} is the last coordinator",
            hint="add another coordinator first (`cosa user add NAME`)",
        )
    ws.update_keys(_key(store), lambda f: f.remove_person(person["name"]))
    with store.atomic():
        store.audit("user.remove", detail={"name": person["name"], "role": person["role"]})
    return person


def set_own_passphrase(ws: Workspace, store: Store, passphrase: str, action: str) -> None:
    """Rewrap the acting person's own slot under a new passphrase (nobody else's)."""
    key = _key(store)
    kf = ws.load_keys()
    own = kf.person_slot(acting(store))
    if own is None:
        raise UserError("this workspace was not opened with a person's passphrase")
    if kf.unlock("passphrase", passphrase.encode()).person not in (None, acting(store)):
        raise UserError(
            "that passphrase already opens someone else's slot",
            hint="each person needs a passphrase of their own",
        )
    kdf = vault.new_kdf_params()
    slot = vault.make_slot(
        "passphrase", vault.derive_kek(passphrase.encode(), kdf), kdf, key, own["user"]
    )
    ws.update_keys(key, lambda f: f.set_slot(slot))
    with store.atomic():
        store.audit(action, detail={"slot": "passphrase", "person": own["user"]["name"]})


def resolve_user(store: Store, name: str) -> str:
    """A user of the workspace by name (case-insensitive) or `me`: their name as the key
    file spells it; UserError for anyone else."""
    if name.strip().casefold() == "me":
        me = acting(store)
        if not me or me == "recovery code":
            raise UserError("`me` needs a person's passphrase (not the recovery code)")
        return me
    known: list[dict[str, str]] = getattr(store, "people", [])
    for person in known:
        if person["name"].casefold() == name.strip().casefold():
            return person["name"]
    raise UserError(
        f"{name.strip()!r} is not a user of this workspace",
        hint="`cosa user list` shows them; `cosa user add NAME` adds one",
    )


def resolve_coordinator(store: Store, name: str | None) -> str | None:
    """`--coordinator NAME|me` as a person's name (None: no filter). `me` is whoever
    unlocked; a name is a user of the workspace, or someone who coordinated a circle here
    (a person since removed, or named in a received circle's history), as spelt there. Any
    other name is refused: a typo must not show an empty list or a return of zeros."""
    if name is None:
        return None
    if name.strip().casefold() == "me":
        me = acting(store)
        if not me or me == "recovery code":
            raise UserError(
                "`--coordinator me` needs a person's passphrase (not the recovery code)"
            )
        return me
    known: list[dict[str, str]] = getattr(store, "people", [])
    for person in known:
        if person["name"].casefold() == name.strip().casefold():
            return person["name"]
    for row in store.query(  # casefolded here: SQLite's NOCASE folds ASCII letters only
        "SELECT coordinator FROM circle_coordinators UNION SELECT coordinator FROM circles"
    ):
        if str(row["coordinator"]).casefold() == name.strip().casefold():
            return str(row["coordinator"])
    raise UserError(
        f"--coordinator {name.strip()!r} is not a user of this workspace and has coordinated"
        " no circle here",
        hint="`cosa user list` shows the users; or use --coordinator me",
    )
