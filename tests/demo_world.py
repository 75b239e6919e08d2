"""The small demo workspace, built once per test module that reconciles figures against it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cosa import vault
from cosa.cli import app

from .conftest import CHEAP_KDF


def build_demo(tmp_path_factory: pytest.TempPathFactory, *, reports: bool) -> tuple[Path, str]:
    """Build the small demo with cheap key slots; returns its home and the command's output.
    With `reports`, its PDFs go beside the home."""
    base = tmp_path_factory.mktemp("demo")
    args = ["demo", "--home", str(base / "ws")]
    args += ["-o", str(base)] if reports else ["--no-reports"]
    old = dict(vault.DEFAULT_KDF)
    vault.DEFAULT_KDF.clear()
    vault.DEFAULT_KDF.update(CHEAP_KDF)
    try:
        result = CliRunner().invoke(app, args, env={"COSA_PASSPHRASE": ""})
    finally:
        vault.DEFAULT_KDF.clear()
        vault.DEFAULT_KDF.update(old)
    assert result.exit_code == 0, result.output
    return base / "ws", result.output
