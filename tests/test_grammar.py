"""One grammar: the walk over every command, deprecated spellings, and "did you mean"."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
import typer.testing
from typer.core import TyperGroup
from typer.testing import CliRunner

from cosa.cli import app
from cosa.grammar import (
    DATE_NAMES,
    OPTIONS,
    PENDING,
    adopt,
    did_you_mean,
    primary_names,
    suggest_choice,
)

from .conftest import Cli
from .gen_cli_docs import command_tree
from .people import ready_cli

#: Commands that list records: each has --limit, --json and --csv.
LISTS = ("search", "audit", "retention", "retention holds", "retention rules")
#: Options hidden on purpose: old spellings that could not be a second long name (text that
#: became a positional argument).
HIDDEN = {("concern add", "--text"), ("circle goal add", "--text"), ("meeting amend", "--text")}


def commands() -> list[tuple[str, typer.main.click.Command]]:  # type: ignore[name-defined]
    return [(" ".join(path), cmd) for path, cmd in command_tree()]


def owned(path: str) -> bool:
    return not any(path == p or path.startswith(p + " ") for p in PENDING)


def test_every_option_name_comes_from_the_grammar() -> None:
    allowed = set(OPTIONS) | set(DATE_NAMES)
    strays, hidden = [], set()
    for path, cmd in commands():
        for param in cmd.params:
            if param.param_type_name != "option":
                continue
            if getattr(param, "hidden", False):
                hidden.add((path, param.opts[0]))
                continue
            long = [o for o in primary_names(param) if o.startswith("--")]
            if owned(path) and long[0] not in allowed:
                strays.append(f"cosa {path} {long[0]}")
            assert len(long) == 1, f"cosa {path}: {long} (a second long name is an old spelling)"
    assert strays == [], "add these to cosa.grammar.OPTIONS (and docs/grammar.md) or rename them"
    assert hidden == HIDDEN


def test_every_list_has_limit_json_and_csv() -> None:
    lists = [
        (path, cmd)
        for path, cmd in commands()
        if owned(path) and (path.endswith(" list") or path in LISTS)
    ]
    assert len(lists) >= 10
    for path, cmd in lists:
        names = {o for p in cmd.params for o in getattr(p, "opts", [])}
        assert {"--limit", "--json", "--csv"} <= names, f"cosa {path}"


def test_the_grammar_table_is_in_the_docs() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "grammar.md").read_text()
    for name in ("--on", "--at", "--from", "--to", "--recipient", "--note", "--reason", "--limit"):
        assert f"`{name}" in doc
    for name in DATE_NAMES:
        assert f"`{name}`" in doc


# --- deprecated spellings ----------------------------------------------------------------------


def _run(args: list[str]) -> Any:
    """Run a tiny app after `adopt`, as the root group does for every real command."""
    holder = typer.Typer(rich_markup_mode=None)

    @holder.command()
    def close(
        on: Annotated[str, typer.Option("--on", "--date", "--day", help="The day.")] = "today",
        note: Annotated[str, typer.Option("--note", help="A note.")] = "",
    ) -> None:
        typer.echo(f"on={on} note={note}")

    @holder.command()
    def other() -> None:
        pass

    command = typer.main.get_command(holder)
    adopt(command)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typer.testing, "_get_command", lambda _: command)
        return CliRunner().invoke(holder, args)


@pytest.mark.parametrize("spelling", ["--date", "--day"])
def test_a_second_long_name_still_works_and_says_it_is_old(spelling: str) -> None:
    result = _run(["close", spelling, "yesterday", "--note", "x"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "on=yesterday note=x\n"
    assert result.stderr == (
        f"Note: {spelling} is now --on (the old spelling goes in the next release).\n"
    )


def test_the_first_long_name_says_nothing() -> None:
    result = _run(["close", "--on", "yesterday"])
    assert (result.exit_code, result.stderr) == (0, "")


def test_old_spellings_are_hidden_from_help() -> None:
    result = _run(["close", "--help"])
    assert "--on" in result.stdout
    assert "--date" not in result.stdout and "--day" not in result.stdout


def test_real_commands_keep_their_old_spellings(cli: Cli) -> None:
    ready_cli(cli, "Ann Able")
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("circle", "add", "--member", "CM-0001", "--type", "community", "--start", "-30d")
    cli("circle", "join", "1", "Ann", "--on", "-30d")
    result = cli("contact", "add", "1", "--by", "Ann", "--date", "-2d")
    assert result.stderr.startswith("Note: --date is now --on (the old spelling")
    assert len(cli.json("contact", "list")) == 1
    help_text = cli("contact", "add", "--help").stdout
    assert "--on DATE" in help_text and "--date" not in help_text


def test_no_old_spelling_reaches_the_cli_reference() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "cli.md").read_text()
    section = doc.split("## `cosa contact add`")[1].split("## ")[0]
    assert "--on DATE" in section and "--date" not in section
    assert "--since" not in doc.split("## `cosa audit`")[1].split("## ")[0]


# --- did you mean ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["meetin"], "No such command 'meetin'. Did you mean 'meeting'?"),
        (["rport"], "Did you mean 'report', 'export'?"),
        (
            ["contact", "add", "1", "--dat", "x"],
            "No such option: --dat (Possible options: --duration, --on)",
        ),
        (["meeting", "ad"], "Did you mean 'add'?"),
        (["help", "dats"], "Hint: did you mean 'dates'? choose one of: dates"),
    ],
)
def test_typos_get_a_suggestion(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (1, 2)
    assert expected in result.stderr


def test_an_enum_typo_gets_a_suggestion(cli: Cli) -> None:
    result = cli("concern", "list", "--severity", "grean", code=1)
    assert "Hint: did you mean 'green'? choose one of: red, amber, green" in result.stderr


def test_suggestions_only_for_near_misses() -> None:
    hint = "choose one of: red, amber, green"
    assert suggest_choice("invalid --rag 'purple'", hint) == hint
    assert suggest_choice("invalid --rag 'Gren'", hint) == f"did you mean 'green'? {hint}"
    assert suggest_choice("invalid --rag 'gren'", None) is None
    assert suggest_choice("not found", "try again") == "try again"
    assert did_you_mean("grean", ["red", "amber", "green"]) == "did you mean 'green'?"


def test_command_lists_show_whole_sentences() -> None:
    runner = CliRunner()
    for path, cmd in commands():
        if not isinstance(cmd, TyperGroup) or not path:
            continue
        out = runner.invoke(app, [*path.split(), "--help"], terminal_width=80).stdout
        listing = out.split("Commands:\n")[1]
        assert "..." not in listing, f"cosa {path}: a description was cut"


# --- lists: --limit, --csv, --from/--to ----------------------------------------------------------


def test_lists_obey_limit_and_say_what_they_left_out(cli: Cli) -> None:
    ready_cli(cli, "Ann Able")
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("circle", "add", "--member", "CM-0001", "--type", "community", "--start", "-30d")
    cli("circle", "join", "1", "Ann", "--on", "-30d")
    for days in (5, 4, 3):
        cli("contact", "add", "1", "--by", "Ann", "--on", f"-{days}d", "--note", f"{days} ago")
    result = cli("contact", "list", "--limit", "2")
    assert "5 ago" not in result.stdout and "3 ago" in result.stdout  # the most recent two
    assert "(showing the most recent 2 of 3; --limit 0 shows all)" in result.stderr
    assert len(cli.json("contact", "list", "--limit", "0")) == 3
    assert len(cli.json("contact", "list", "--limit", "1")) == 1
    csv_rows = cli("contact", "list", "--csv", "--limit", "2").stdout.splitlines()
    assert len(csv_rows) == 3 and csv_rows[0].startswith("id,date")


def test_audit_takes_from_and_to_and_writes_csv(cli: Cli) -> None:
    cli("volunteer", "add", "Ann Able")
    rows = cli("audit", "--from", "today", "--to", "today", "--csv").stdout.splitlines()
    assert rows[0].startswith("seq,at,operator,action")
    assert any("volunteer" in row for row in rows[1:])
    assert cli("audit", "--to", "yesterday", "--csv").stdout.splitlines()[1:] == []
    old = cli("audit", "--since", "today", "--json")
    assert old.stderr.startswith("Note: --since is now --from")


def test_search_writes_csv(cli: Cli) -> None:
    cli("volunteer", "add", "Ann Able")
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("circle", "add", "--member", "CM-0001", "--type", "community", "--start", "-30d")
    cli("concern", "add", "1", "Seen near the canal", "--severity", "amber", "--category", "other")
    rows = cli("search", "canal", "--csv").stdout.splitlines()
    assert rows[0] == "record,code,date,snippet" and "canal" in rows[1]
    assert cli("search", "nothinglikethis", "--csv").stdout == "record,code,date,snippet\n"


def test_concern_text_moved_to_an_argument_and_the_old_option_still_works(cli: Cli) -> None:
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("circle", "add", "--member", "CM-0001", "--type", "community", "--start", "-30d")
    old = cli("concern", "add", "1", "--severity", "amber", "--category", "other", "--text", "Old")
    assert old.stderr.startswith("Note: --text is now the TEXT argument")
    new = cli("concern", "add", "1", "New", "--severity", "amber", "--category", "other")
    assert "Note:" not in new.stderr
    assert [c["text"] for c in cli.json("concern", "list")] == ["Old", "New"]


def test_renamed_flags_of_the_merged_groups_keep_their_old_spellings(cli: Cli) -> None:
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("circle", "add", "--member", "CM-0001", "--type", "community", "--start", "-30d")
    old = cli("circle", "goal", "add", "1", "--domain", "accommodation", "--text", "Own flat",
              "--review", "+1m")  # fmt: skip
    assert sorted(old.stderr.splitlines()[:2]) == [
        "Note: --review is now --due (the old spelling goes in the next release).",
        "Note: --text is now the TEXT argument (the old spelling goes in the next release).",
    ]
    new = cli("circle", "goal", "add", "1", "Find work", "--domain", "work or education")
    assert "Note:" not in new.stderr
    assert [g["text"] for g in cli.json("circle", "goal", "list", "1")] == ["Own flat", "Find work"]
    edit = cli("member", "edit", "CM-0001", "--release-date", "1/6/2026")
    assert "Note: --release-date is now --released" in edit.stderr
    assert cli("meeting", "list", "--state", "held").stderr.startswith(
        "Note: --state is now --status"
    )
    assert cli("disclosure", "list", "--kind", "share pack", "--json").stdout == "[]\n"
