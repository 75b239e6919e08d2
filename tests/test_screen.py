"""The terminal: colour on a tty (not when piped, not with NO_COLOR), and the pager."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from cosa import screen

from .conftest import PASSPHRASE, Cli, run_env
from .people import ready_cli

RED = "\x1b[1;31m"  # rich's "bold red"
GREEN = "\x1b[32m"


@pytest.fixture
def concerns(cli: Cli) -> Cli:
    ready_cli(cli, "Ann Able")
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("circle", "add", "--member", "CM-0001", "--type", "community", "--start", "-30d")
    cli("circle", "join", "1", "Ann", "--on", "-30d")
    cli("concern", "add", "1", "Seen near a school", "--severity", "red", "--category", "other")
    cli("concern", "add", "1", "All well", "--severity", "green", "--category", "other")
    return cli


def run(args: list[str], tmp_path: Path, *, tty: bool, **env: str) -> str:
    """`cosa ARGS` as a real process, its stdout a terminal (`tty`) or a pipe."""
    environment = run_env(tmp_path, COSA_PASSPHRASE=PASSPHRASE, COLUMNS="120", LINES="40")
    environment.pop("NO_COLOR", None)
    environment.update(env)
    command = [sys.executable, "-m", "cosa", *args]
    if not tty:
        done = subprocess.run(command, env=environment, capture_output=True, timeout=120)
        return done.stdout.decode()
    main, side = pty.openpty()
    proc = subprocess.Popen(command, env=environment, stdout=side, stderr=subprocess.DEVNULL)
    os.close(side)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=120)
    os.close(main)
    return out.decode()


def test_rag_is_coloured_on_a_terminal(concerns: Cli, tmp_path: Path) -> None:
    out = run(["concern", "list"], tmp_path, tty=True, PAGER="")
    assert f"{RED}red" in out and f"{GREEN}green" in out


def test_piped_output_is_never_coloured(concerns: Cli, tmp_path: Path) -> None:
    out = run(["concern", "list"], tmp_path, tty=False)
    assert "\x1b[" not in out and "red" in out


def test_no_color_turns_colour_off(concerns: Cli, tmp_path: Path) -> None:
    out = run(["concern", "list"], tmp_path, tty=True, PAGER="", NO_COLOR="1")
    assert "red" in out and RED not in out and "\x1b[31m" not in out and GREEN not in out


def test_show_colours_the_severity_on_a_terminal(concerns: Cli, tmp_path: Path) -> None:
    assert "\x1b[31mred\x1b[0m" in run(["concern", "show", "1"], tmp_path, tty=True, PAGER="")
    assert "\x1b[" not in run(["concern", "show", "1"], tmp_path, tty=False)


def test_long_output_goes_through_the_pager_on_a_terminal(concerns: Cli, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    pager = f"cat > {paged}"
    out = run(["concern", "list"], tmp_path, tty=True, PAGER=pager, LINES="3")
    assert "Seen near a school" in paged.read_text() and "Seen near a" not in out


def test_output_that_fits_is_not_paged(concerns: Cli, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    out = run(["concern", "list"], tmp_path, tty=True, PAGER=f"cat > {paged}", LINES="60")
    assert not paged.exists() and "Seen near a school" in out


@pytest.mark.parametrize(
    ("args", "tty"),
    [
        (["concern", "list"], False),  # piped
        (["--no-pager", "concern", "list"], True),
        (["concern", "add", "1", "x", "--severity", "red", "--category", "other"], True),
    ],
)
def test_no_pager_when_piped_asked_or_a_writing_command(
    concerns: Cli, tmp_path: Path, args: list[str], tty: bool
) -> None:
    paged = tmp_path / "paged.txt"
    run(args, tmp_path, tty=tty, PAGER=f"cat > {paged}", LINES="3")
    assert not paged.exists()


def test_paint_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(screen, "stdout_is_tty", lambda: True)
    assert screen.paint("Amber") == "\x1b[33mAmber\x1b[0m"
    assert screen.paint("purple") == "purple"
    monkeypatch.setenv("NO_COLOR", "1")
    assert screen.paint("red") == "red"
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(screen, "stdout_is_tty", lambda: False)
    assert screen.paint("red") == "red"
