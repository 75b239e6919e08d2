"""Hardening (issue 14): terminal-safe output, outputs that never clobber, bounded key files,
read-only and interrupted runs, PDF passwords and what erasure says about backups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cosa import output
from tests.conftest import Cli

ESC_NAME = "Eve \x1b[31mRed\x1b[0m \x1b]0;pwned\x07 \u202etxt.exe"
RAW = ("\x1b", "\x07", "\u202e")


def _assert_terminal_safe(text: str) -> None:
    for ch in RAW:
        assert ch not in text, repr(text)


# -- terminal-safe output ----------------------------------------------------------------------


def test_safe_shows_controls_and_bidi_as_visible_escapes() -> None:
    assert output.safe("a\x1b[31mb\x07\u202ec\n\td\x9b") == "a\\x1b[31mb\\x07\\u202ec\n\td\\x9b"
    assert output.safe(output.safe(ESC_NAME)) == output.safe(ESC_NAME)
    assert output.safe("Zoë, عربي, 漢字") == "Zoë, عربي, 漢字"


def test_a_hostile_name_is_shown_safely_in_list_show_and_errors_but_exact_in_json(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("volunteer", "add", ESC_NAME)
    cli("volunteer", "add", ESC_NAME + " two")
    piped = cli("volunteer", "list")
    _assert_terminal_safe(piped.stdout)
    assert "\\x1b[31mRed" in piped.stdout and "\\u202etxt.exe" in piped.stdout
    shown = cli("volunteer", "show", "1")
    _assert_terminal_safe(shown.stdout)
    assert "\\x1b]0;pwned\\x07" in shown.stdout
    error = cli("volunteer", "show", "Eve", code=1)
    _assert_terminal_safe(error.stderr)
    assert "matches several volunteers" in error.stderr and "\\x1b[31m" in error.stderr
    assert [v["name"] for v in cli.json("volunteer", "list")] == [ESC_NAME, ESC_NAME + " two"]
    assert ESC_NAME in cli("volunteer", "list", "--csv").stdout
    # On a terminal (rich table): the same, and [markup] in data is not rich markup.
    monkeypatch.setattr(output, "stdout_is_tty", lambda: True)
    cli("volunteer", "add", "[bold]Mallory[/bold]")
    tty = cli("volunteer", "list")
    _assert_terminal_safe(tty.stdout)
    assert "\\x1b[31mRed" in tty.stdout and "[bold]Mallory[/bold]" in tty.stdout


def test_messages_naming_a_hostile_name_are_safe(cli: Cli) -> None:
    added = cli("volunteer", "add", ESC_NAME)
    _assert_terminal_safe(added.stderr)
    assert "\\x1b[31m" in added.stderr


def test_no_command_prints_around_the_terminal_safe_helpers() -> None:
    """Human output goes through cosa.output (safe); a stray print/typer.echo would bypass it."""
    import re

    root = Path(__file__).resolve().parents[1] / "cosa"
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name in ("output.py",) or path.parent.name == "reports":
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"(?<![\w.])print\(|typer\.echo\(|click\.echo\(|\.secho\(", line):
                if path.name == "cli.py" and "__version__" in line:
                    continue
                offenders.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert offenders == []


# -- interrupted runs --------------------------------------------------------------------------


def _eof_getpass(prompt: str = "", stream: Any = None) -> str:
    raise EOFError  # what getpass raises at Ctrl-D on an empty line


def test_ctrl_d_at_the_passphrase_prompt_is_cancelled_with_exit_130(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import secrets_input

    monkeypatch.delenv("COSA_PASSPHRASE")
    monkeypatch.setattr(secrets_input, "interactive", lambda: True)
    monkeypatch.setattr(secrets_input.getpass, "getpass", _eof_getpass)
    result = cli("volunteer", "list", code=130)
    assert result.stderr.strip() == "cancelled"


def test_ctrl_d_at_a_confirmation_is_cancelled_with_exit_130_and_nothing_written(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import secrets_input

    monkeypatch.setattr(secrets_input, "interactive", lambda: True)
    result = cli("export", str(tmp_path / "all.json"), "--plain", input="", code=130)
    assert result.stderr.strip().endswith("cancelled")
    assert not (tmp_path / "all.json").exists()


def test_a_committed_write_exits_0_when_printing_its_confirmation_fails(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EIO, "Input/output error")  # the terminal went away

    with monkeypatch.context() as patch:
        patch.setattr(output, "print", broken, raising=False)
        cli("volunteer", "add", "Ann Example", code=0)
    assert [v["name"] for v in cli.json("volunteer", "list")] == ["Ann Example"]


def test_an_io_error_before_anything_is_committed_still_fails(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from cosa.domain import volunteers

    def broken(*args: Any, **kwargs: Any) -> int:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(volunteers, "add", broken)
    result = cli("volunteer", "add", "Ann Example", code=1)
    assert "I/O error" in result.stderr
