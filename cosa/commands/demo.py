"""`cosa demo`: a fictional, encrypted workspace to try cosa on (never the real one)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cosa import secrets_input, vault
from cosa.commands.common import options
from cosa.errors import UserError
from cosa.fsutil import atomic_write
from cosa.output import message
from cosa.store import Store
from cosa.words import count
from cosa.workspace import Workspace, default_home

if TYPE_CHECKING:
    from cosa.demo import Progress


def demo_home(explicit: Path | None) -> Path:
    """`--home` if given, else a `cosa-demo` workspace beside the default one."""
    return explicit.expanduser() if explicit else default_home().parent / "cosa-demo"


#: Written into every demo workspace: `demo --force` replaces only a workspace that has it, so
#: `cosa --home ~/real-workspace demo --force` cannot delete a real workspace's files.
DEMO_MARK = "cosa.demo"


def _clear(ws: Workspace) -> None:
    """Remove a previous demo workspace's files (only cosa's own files, nothing else)."""
    if not (ws.home / DEMO_MARK).is_file():
        raise UserError(
            f"{ws.home} holds a workspace that is not a demo; `cosa demo` never replaces one",
            hint="choose another --home for the demo",
        )
    for name in (
        "cosa.db",
        "cosa.db-wal",
        "cosa.db-shm",
        "cosa.keys",
        "cosa.lock",
        "cosa.failures",
        DEMO_MARK,
    ):
        (ws.home / name).unlink(missing_ok=True)


def demo(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Where to build it (default: a cosa-demo workspace beside the default one).",
            file_okay=False,
        ),
    ] = None,
    scale: Annotated[
        str,
        typer.Option(
            "--scale",
            help="small: a year of 5 circles; medium: ten years, 33 circles (about 50 MB);"
            " large: ten years, 300 circles (benchmarks).",
        ),
    ] = "small",
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace an existing demo workspace and existing demo PDFs."),
    ] = False,
    reports: Annotated[
        bool,
        typer.Option(
            "--reports/--no-reports", help="Write a circle report and a quarterly return PDF."
        ),
    ] = True,
    out: Annotated[
        Path,
        typer.Option(
            "--output", "-o", "--out", help="Directory for the demo PDFs.", file_okay=False
        ),
    ] = Path("."),
) -> None:
    """Build a fictional encrypted workspace and write sample reports."""
    from cosa import demo as demo_data

    if scale not in demo_data.SCALES:
        raise UserError(
            f"invalid --scale '{scale}'", hint=f"choose one of: {', '.join(demo_data.SCALES)}"
        )
    opts = options(ctx)
    ws = Workspace(demo_home(home or opts.home))
    if reports:
        from cosa.fsutil import check_output
        from cosa.reports.demo_reports import demo_report_paths

        if not out.is_dir():
            raise UserError(f"directory not found: {out}")
        for path in demo_report_paths(out):
            check_output(path, force)
    if ws.exists():
        if not force:
            raise UserError(
                f"a workspace already exists at {ws.home}",
                hint="use --force to replace it (demo data only)",
            )
        _clear(ws)
    passphrase = secrets_input.passphrase_from_sources(opts.passphrase_file)
    shown = passphrase is None
    passphrase = passphrase or demo_data.DEMO_PASSPHRASE
    started = time.monotonic()
    store = ws.create(passphrase, vault.new_recovery_code(), "demo coordinator")
    atomic_write(ws.home / DEMO_MARK, b"A fictional demo workspace made by `cosa demo`.\n")
    try:
        with _progress() as progress:
            counts = demo_data.build(store, scale, progress=progress)
        written = _write_reports(store, out, force) if reports else []
    finally:
        store.close()
    summary = ", ".join(count(n, k) for k, n in counts.items())
    message(
        f"Built a fictional workspace at {ws.home} in {time.monotonic() - started:.0f} s: {summary}."
    )
    if shown:
        message(f'Its passphrase is "{demo_data.DEMO_PASSPHRASE}" (fictional data only).')
    for path in written:
        message(f"Wrote {path}")
    message(f"Try it: COSA_HOME={ws.home} cosa status   (or: cosa --home {ws.home} status)")


@contextmanager
def _progress() -> Iterator[Progress | None]:
    """A rich progress bar on a terminal; silent otherwise."""
    if not secrets_input.interactive():
        yield None
        return
    from rich.progress import Progress as Bar

    with Bar(transient=True) as bar:
        task = bar.add_task("Building the demo", total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"Building the demo: {stage}")

        yield update


def _write_reports(store: Store, out: Path, force: bool) -> list[Path]:
    from cosa.reports.demo_reports import write_demo_reports

    return write_demo_reports(store, out, force=force)


def register(app: typer.Typer) -> None:
    app.command()(demo)
