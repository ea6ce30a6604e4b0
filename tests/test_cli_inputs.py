"""Mistakes a new user makes on the command line: each is one message naming the option (or
the variable) and the fix, exit code 2, never a traceback, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_tui.cli import cli


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    db = tmp_path / "org.db"
    if not db.exists():
        made = CliRunner().invoke(cli, ["--db", str(db), "db", "init", "--empty"], obj={})
        assert made.exit_code == 0, made.output
    return CliRunner().invoke(cli, ["--db", str(db), *args], obj={}, env=env)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["capacity", "--from", "2027-13-01"], "--from"),
        (["capacity", "--to", "2027-02-30"], "--to"),
        (["plan", "--headless", "--today", "today"], "--today"),
        (["log", "--since", "2026-1-1x"], "--since"),
        (["report", "--as-of", "nope"], "--as-of"),
    ],
)
def test_a_bad_date_option_names_the_option_and_the_format(
    tmp_path: Path, args: list[str], option: str
) -> None:
    result = _run(tmp_path, *args)
    bad = args[-1]
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.strip().splitlines()[-1] == (
        f"Error: option {option}: {bad!r} is not a date. "
        "Fix: write dates as YYYY-MM-DD, e.g. 2027-01-04"
    )


@pytest.mark.parametrize("args", [["capacity", "--over-allocated"], ["report"], ["tui"]])
def test_a_malformed_pmo_tui_today_names_the_variable_not_an_option(
    tmp_path: Path, args: list[str]
) -> None:
    result = _run(tmp_path, *args, env={"PMO_TUI_TODAY": "yesterday"})
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: $PMO_TUI_TODAY is 'yesterday', not a date. "
        "Fix: set it as YYYY-MM-DD, e.g. PMO_TUI_TODAY=2026-12-07, or unset it"
    )


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["export", "capacity", "-o", "{out}"], "--output"),
        (["report", "-o", "{out}"], "--output"),
        (["advise", "hiring", "--scenario", "{out}"], "--scenario"),
        (["scenario", "run", "{scenario}", "--junit", "{out}"], "--junit"),
    ],
)
def test_an_output_file_in_a_missing_folder_is_refused_before_any_work(
    tmp_path: Path, args: list[str], option: str
) -> None:
    out = tmp_path / "no-such-folder" / "out.csv"
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "s"\n', encoding="utf-8")
    filled = [arg.format(out=out, scenario=scenario) for arg in args]
    result = _run(tmp_path, *filled)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    folder = out.parent
    assert result.output.strip() == (
        f"Error: option {option}: {out}: the folder {folder} does not exist. "
        f"Fix: create it first (mkdir -p {folder}) or write the file elsewhere"
    )
    assert not folder.exists()


def _demo_db(tmp_path: Path) -> Path:
    db = tmp_path / "demo.db"
    made = CliRunner().invoke(cli, ["--db", str(db), "db", "init"], obj={})
    assert made.exit_code == 0, made.output
    return db


def test_a_booking_or_leave_mistake_names_what_the_user_typed(tmp_path: Path) -> None:
    """``allocation set`` takes ``--hours`` and START_WEEK/END_WEEK, ``leave add`` START and
    END: a message never names an option the command does not have (``--hours-per-week``)."""
    db = _demo_db(tmp_path)

    def error(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--db", str(db), *args], obj={})
        assert result.exit_code == 2, result.output
        return result.output.strip()

    booking = ["allocation", "set", "amensah", "FI-S4"]
    assert error(*booking, "2027-01-04", "--hours", "-5", "--demand", "D-0144") == (
        "Error: option --hours: negative hours: -5. Fix: enter the hours of one week, from 0 to 168"
    )
    assert error(*booking, "2027-01-05", "--hours", "5", "--demand", "D-0144").splitlines()[1:] == [
        "  option START_WEEK: week 2027-01-05 is a Tuesday, not a Monday. "
        "Fix: use the Monday of that ISO week, 2027-01-04",
        "  option END_WEEK: week 2027-01-05 is a Tuesday, not a Monday. "
        "Fix: use the Monday of that ISO week, 2027-01-04",
    ]
    assert error("leave", "add", "amensah", "2027-01-10", "2027-01-05") == (
        "Error: option END: end 2027-01-05 is before start 2027-01-10. "
        "Fix: make end the same as start or later"
    )
