"""The two PDFs `cosa demo` writes: a circle report and the last full quarter's return."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from cosa.reports import circle, quarter
from cosa.reports.publish import collect, publish
from cosa.store import Store


def _last_quarter(today: date) -> str:
    first_of_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return str(quarter.quarter_of(first_of_quarter - timedelta(days=1)))


def demo_report_paths(out: Path, *, today: date | None = None) -> list[Path]:
    """The files `write_demo_reports` may write (to check them before building anything)."""
    last_quarter = _last_quarter(today or date.today())
    return [
        out / "cosa-demo-circle-report.pdf",
        out / f"cosa-demo-quarterly-return-{last_quarter}.pdf",
    ]


def write_demo_reports(
    store: Store, out: Path, *, today: date | None = None, force: bool = False
) -> list[Path]:
    today = today or date.today()
    last_quarter = _last_quarter(today)
    row = store.one(
        "SELECT id FROM circles WHERE status = 'active' ORDER BY id LIMIT 1"
    ) or store.one("SELECT id FROM circles ORDER BY id LIMIT 1")
    written: list[Path] = []
    if row is not None:
        data = collect(store, None, circle.data, row["id"])
        path = out / "cosa-demo-circle-report.pdf"
        publish(store, data, circle.render, path, for_="demo", force=force)
        written.append(path)
    data = collect(store, None, quarter.data, last_quarter)
    path = out / f"cosa-demo-quarterly-return-{last_quarter}.pdf"
    publish(store, data, quarter.render, path, for_="demo", force=force)
    written.append(path)
    return written
