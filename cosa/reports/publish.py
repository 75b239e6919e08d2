"""Producing a report: collect its data, lay it out, protect it, write it and audit it.

    data = collect(store, None, circle.data, ref, start, end)
    export_json(store, data)                       # --json: the same data, audited
    publish(store, data, circle.render, path, password=…, for_=…)

`collect` runs the report's data function inside one read transaction (`snapshot`) and adds
the `report` header every report carries: kind, title, period, generated-at, operator,
classification and the audit head it was built on. `publish` builds the PDF in memory,
embeds attachments, encrypts it (AES-256, /V 5 /R 6) when a password is given — still in
memory, so no unprotected copy reaches the disk — then, in one write transaction, appends the
audit entry (`report.<kind>` with the file name, its SHA-256 and who it is for) and writes the
file atomically with mode 0600. If either fails, neither is kept.

The audit head printed on the last page is the head the data was read at; the report's own
audit entry is the next one.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec

from cosa.reports.data import classification as classification_of
from cosa.reports.data import snapshot
from cosa.store import Store, now

P = ParamSpec("P")
Data = dict[str, Any]
Render = Callable[[Data], list[Any]]


@dataclass(frozen=True)
class Published:
    path: Path
    sha256: str
    size: int
    encrypted: bool


def collect(
    store: Store,
    classification: str | None,
    fn: Callable[Concatenate[Store, P], Data],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Data:
    """Run a report's data function in one read snapshot and add the `report` header
    (`classification`: the `--classification` override, or None for the setting).

    The data function returns its body with a `report` entry holding at least `kind`,
    `title` and `period` (plus `subject`, `from`, `to`, `about` where they apply).
    """
    with snapshot(store):
        data = fn(store, *args, **kwargs)
        seq, digest = store.audit_head()
        marking = classification_of(store, classification)
    header = data["report"]
    header.update(
        generated_at=now(),
        operator=store.operator,
        classification=marking,
        audit_head={"seq": seq, "hash": digest},
    )
    return data


def public(data: Mapping[str, Any]) -> Data:
    """The data without its private keys (`_file`, …): what `--json` prints."""
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _detail(data: Mapping[str, Any], for_: str | None, **extra: Any) -> dict[str, Any]:
    header = data["report"]
    detail: dict[str, Any] = {"period": header.get("period")}
    if data.get("coordinator"):
        detail["coordinator"] = data["coordinator"]  # `--coordinator`: whose circles
    if for_:
        detail["for"] = for_
    detail.update({k: v for k, v in extra.items() if v is not None})
    return detail


def _about(data: Mapping[str, Any]) -> tuple[str | None, int | None]:
    about = data["report"].get("about")
    if not about:
        return None, None
    return str(about["type"]), int(about["id"])


def export_json(
    store: Store, data: Mapping[str, Any], *, for_: str | None = None, format: str = "json"
) -> Data:
    """Audit that a report's data left as JSON (or `format`) on stdout; returns what to
    print."""
    kind = data["report"]["kind"]
    record_type, record_id = _about(data)
    with store.atomic():
        store.audit(
            f"report.{kind}",
            record_type,
            record_id,
            detail=_detail(data, for_, format=format, to="stdout"),
        )
    return public(data)


def _witness(store: Store, source: str, head: Mapping[str, Any]) -> None:
    """Keep the head printed in the report's footer outside the workspace too (`cosa.seal`)."""
    from cosa import seal

    if getattr(store, "workspace_id", None):
        seal.witness(seal.witness_id(store), source, int(head["seq"]), str(head["hash"]))


def json_bytes(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(public(data), indent=2, ensure_ascii=False, default=str) + "\n").encode()


# -- the PDF ---------------------------------------------------------------------------------


def meta(data: Mapping[str, Any]) -> Any:
    from cosa.reports.pdf import ReportMeta

    header = data["report"]
    head = header["audit_head"]
    return ReportMeta(
        title=header["title"],
        period=header["period"],
        generated_at=datetime.fromisoformat(header["generated_at"]),
        operator=header["operator"],
        audit_head=f"seq {head['seq']} · {head['hash']}",
        classification=header["classification"],
        subject=header.get("subject") or "",
    )


#: Reports with at least this many flowables show a progress bar (on a terminal).
LONG_REPORT = 300


@contextlib.contextmanager
def layout_progress(size: int) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr while a long report is laid out, when stderr is a
    terminal; None (quiet) otherwise."""
    try:
        terminal = sys.stderr.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if size < LONG_REPORT or not terminal:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Laying out the PDF", total=size)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def render_pdf(
    data: Mapping[str, Any],
    render: Render,
    *,
    password: str | None = None,
    attachments: Mapping[str, bytes] | None = None,
) -> bytes:
    """The finished PDF in memory: laid out, with attachments, encrypted when asked."""
    from cosa.reports import pdf

    story = render(dict(data))
    with layout_progress(len(story)) as progress:
        blob = pdf.build_pdf(meta(data), story, progress)
    if attachments:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blob)))
        for name, content in attachments.items():
            writer.add_attachment(name, content)
        out = io.BytesIO()
        writer.write(out)
        blob = out.getvalue()
    if password:
        blob = pdf.encrypt_pdf(blob, password)
    return blob


def write_recorded(
    store: Store,
    files: list[tuple[Path, bytes]],
    record: Callable[[list[str]], object],
    *,
    force: bool = False,
) -> list[str]:
    """Write each (path, blob) atomically with mode 0600 and call `record(digests)` in the
    same write transaction; if anything fails, neither the files nor the record are kept."""
    from cosa.fsutil import write_output

    digests = [hashlib.sha256(blob).hexdigest() for _, blob in files]
    written: list[Path] = []
    try:
        with store.atomic():
            record(digests)
            for path, blob in files:
                write_output(path, blob, force=force)
                written.append(path)
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return digests


def check_target(path: Path, *, force: bool = False) -> Path:
    """Refuse an output path we cannot write (or may not replace), before any work is done
    (see `cosa.fsutil.check_output`: never a non-regular file or a symlink; an existing file
    only with `force`)."""
    from cosa.fsutil import check_output

    return check_output(Path(path), force)


def publish(
    store: Store,
    data: Mapping[str, Any],
    render: Render,
    path: Path,
    *,
    password: str | None = None,
    for_: str | None = None,
    attachments: Mapping[str, bytes] | None = None,
    extra: Mapping[str, Path] | None = None,
    force: bool = False,
    also: Callable[[Path, str, bool], None] | None = None,
) -> Published:
    """Write the report's PDF (and `extra` files: name -> path, e.g. the JSON of a subject
    access pack) and its audit entry `report.<kind>`, all or nothing. An existing file is
    refused unless `force`; `also(path, sha256, encrypted)` runs in the same transaction
    (e.g. to record the file as a disclosure)."""
    path = check_target(path, force=force)
    targets = [check_target(target, force=force) for target in (extra or {}).values()]
    files = [(path, render_pdf(data, render, password=password, attachments=attachments))]
    names = list(extra or {})
    files += [(target, json_bytes(data)) for target in targets]
    kind = data["report"]["kind"]
    record_type, record_id = _about(data)

    def record(digests: list[str]) -> None:
        more: dict[str, str] = {}
        for name, (target, _), digest in zip(names, files[1:], digests[1:], strict=True):
            more[f"{name}_file"] = target.name
            more[f"{name}_sha256"] = digest
        store.audit(
            f"report.{kind}",
            record_type,
            record_id,
            detail=_detail(
                data, for_, file=path.name, sha256=digests[0], encrypted=bool(password), **more
            ),
        )
        if also is not None:
            also(path, digests[0], bool(password))

    digests = write_recorded(store, files, record, force=force)
    _witness(store, f"report {path}", data["report"]["audit_head"])
    return Published(path=path, sha256=digests[0], size=len(files[0][1]), encrypted=bool(password))
