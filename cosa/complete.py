"""Shell completion of values: enum choices, lookup values, and (only with an unlock session)
volunteer names and core-member codes.

`cosa.grammar.adopt` calls `attach` for every parameter when a command is built. A completion
never asks for a passphrase and never reads a passphrase source: names and codes come from the
database only when `cosa unlock` has left the key in an unlock session; otherwise they are
simply not offered. Lookup values fall back to the built-in defaults without a session.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer import _click as click

Completer = Callable[[click.Context, click.Parameter, str], list[str]]

#: (command path, parameter) -> lookup kind. A parameter is its first long option name, or an
#: argument's name.
LOOKUPS: dict[tuple[str, str], str] = {
    ("concern add", "--category"): "concern-category",
    ("meeting add", "--type"): "meeting-type",
    ("meeting edit", "--type"): "meeting-type",
    ("meeting list", "--type"): "meeting-type",
    ("meeting add", "--concern-category"): "concern-category",
    ("meeting edit", "--concern-category"): "concern-category",
    ("circle add", "--type"): "circle-type",
    ("circle edit", "--type"): "circle-type",
    ("circle end", "--reason"): "ending-reason",
    ("circle phase", "phase"): "circle-phase",
    ("circle goal add", "--domain"): "goal-domain",
    ("member risk add", "--instrument"): "risk-instrument",
    ("pro add", "--role"): "professional-role",
    ("pro edit", "--role"): "professional-role",
    ("pro list", "--role"): "professional-role",
    ("referral add", "--source"): "referral-source",
    ("referral decide", "--reason-group"): "referral-reason",
}
#: Parameters that name a volunteer, or a core member (or their circle) by code.
VOLUNTEERS = frozenset({"volunteer", "--by"})
MEMBERS = frozenset({"code", "circle", "circle_ref", "--member", "--circle"})
#: Parameters whose help lists the choices: "One of: a, b, c." or "RAG: red, amber, green."
_CHOICES = r"(?:One of|RAG|Only this RAG|[Ll]awful basis):\s*([^.;(]+)"


def _key(param: click.Parameter) -> str:
    if param.param_type_name == "argument":
        return param.name or ""
    return next((o for o in param.opts if o.startswith("--")), "")


def _matching(values: list[str], incomplete: str) -> list[str]:
    typed = incomplete.lower()
    return [v for v in values if v.lower().startswith(typed)]


def _session_store(ctx: click.Context) -> Any:
    """The store if an unlock session is open for the workspace, else None (never a prompt)."""
    from cosa.workspace import Workspace, resolve_home

    try:
        home = ctx.find_root().params.get("home")  # a str while completing
        workspace = Workspace(resolve_home(Path(home) if home else None))
        if not workspace.exists():
            return None
        return workspace.open_session_only(None)
    except Exception:  # a completion must never fail loudly
        return None


def _lookup(kind: str) -> Completer:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
        from cosa.domain import lookups

        store = _session_store(ctx)
        if store is None:
            return _matching(lookups.DEFAULTS.get(kind, []), incomplete)
        try:
            return _matching(lookups.values(store, kind), incomplete)
        finally:
            store.close()

    return complete


def _from_store(sql: str) -> Completer:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
        store = _session_store(ctx)
        if store is None:
            return []
        try:
            return _matching([r["value"] for r in store.query(sql)], incomplete)
        finally:
            store.close()

    return complete


def _static(values: list[str]) -> Completer:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
        return _matching(values, incomplete)

    return complete


def completer(path: str, param: click.Parameter) -> Completer | None:
    """The completion for `param` of the command at `path`, if it has one."""
    key = _key(param)
    if (path, key) in LOOKUPS:
        return _lookup(LOOKUPS[(path, key)])
    if (path == "lookup list" and key == "kind") or (path == "lookup add" and key == "kind"):
        from cosa.domain import lookups

        return _static(list(lookups.DEFAULTS))
    if key in VOLUNTEERS:
        return _from_store(
            "SELECT name AS value FROM volunteers WHERE status != 'left' ORDER BY name"
        )
    if key in MEMBERS:
        return _from_store("SELECT code AS value FROM core_members ORDER BY code")
    found = re.search(_CHOICES, getattr(param, "help", None) or "")
    if found:
        return _static([v.strip() for v in found[1].split(",") if v.strip()])
    return None


def attach(path: str, param: click.Parameter) -> None:
    """Give `param` its completion (see `completer`); leave any it already has."""
    if getattr(param, "_custom_shell_complete", None) is None:
        found = completer(path, param)
        if found is not None:
            param._custom_shell_complete = found
