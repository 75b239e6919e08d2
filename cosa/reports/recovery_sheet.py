"""The one-page recovery sheet printed at `cosa init --recovery-sheet FILE`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cosa.reports.output import write_pdf
from cosa.reports.pdf import ReportMeta, build_pdf, heading, kv_table, para


def recovery_sheet_pdf(code: str, home: Path, *, generated_at: datetime | None = None,
                       operator: str = "") -> bytes:  # fmt: skip
    meta = ReportMeta(
        title="cosa recovery sheet",
        period="issued " + (generated_at or datetime.now()).strftime("%d %b %Y"),
        generated_at=generated_at or datetime.now(),
        operator=operator or "—",
        audit_head="—",
        classification="OFFICIAL-SENSITIVE — KEEP IN THE SAFE",
    )
    story = [
        heading("Recovery code", 2),
        para(code, "title"),
        kv_table([("Workspace", str(home)), ("Issued", meta.period)]),
        heading("What this is", 2),
        para(
            "This code opens the encrypted cosa workspace if the passphrase is lost or the "
            "coordinator who knew it has left. Anyone holding this code and the laptop (or a "
            "backup) can read every record."
        ),
        heading("How to keep it", 2),
        para(
            "Keep this sheet in the office safe, away from the laptop and its bag. Do not "
            "photograph it or store it on the laptop. Delete the PDF file after printing."
        ),
        heading("How to use it", 2),
        para(
            "Run `cosa recover` and type the code when asked (case, spaces and dashes do not "
            "matter; a mistyped group is reported before anything else happens). You will "
            "then set a new passphrase."
        ),
        para(
            "After `cosa rotate-key` a new code is issued and this one stops working: "
            "print the new sheet and destroy this one."
        ),
    ]
    return build_pdf(meta, story)


def write_recovery_sheet(path: Path, code: str, home: Path, *, force: bool = False) -> str:
    return write_pdf(path, recovery_sheet_pdf(code, home), force=force)
