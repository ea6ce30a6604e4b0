"""The command line: exit codes, messages on stderr, results on stdout, no start-up cost."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_tui.cli import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _dump(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def _invoke(runner: CliRunner, db: Path, *args: str):
    return runner.invoke(cli, ["--db", str(db), *args], obj={}, catch_exceptions=False)


def test_help_does_not_import_ortools_textual_polars_nor_the_store() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from pmo_tui.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = ('ortools', 'textual', 'jpype', 'polars', 'sqlite_utils')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_db_init_empty_then_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    first = _invoke(runner, db, "db", "init", "--empty")
    assert first.exit_code == 0 and db.exists()
    second = _invoke(runner, db, "db", "init", "--empty")
    assert second.exit_code == 2
    assert "already exists" in second.output and "--force" in second.output


def test_capacity_on_an_empty_database_prints_no_rows(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    _invoke(runner, db, "db", "init", "--empty")
    result = _invoke(runner, db, "capacity", "--over-allocated", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_bad_csv_exits_2_names_file_row_column_and_leaves_db_unchanged(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = tmp_path / "org.db"
    _invoke(runner, db, "db", "init", "--empty")
    before = _dump(db)
    skills = tmp_path / "skills.csv"
    skills.write_text("id,name\ndev,Developer\n")
    people = tmp_path / "people.csv"
    people.write_text(
        "id,name,region,mon,tue,wed,thu,fri,sat,sun\n"
        "ann,Ann,UK,8,8,8,8,8,0,0\n"
        "ben,Ben,UK,8,-8,8,8,8,0,0\n"
    )
    result = _invoke(runner, db, "import", "csv", str(skills), str(people))
    assert result.exit_code == 2
    assert "people.csv" in result.output and "row 3" in result.output and "'tue'" in result.output
    assert "Fix:" in result.output
    assert _dump(db) == before


def _write_ann_org(folder: Path, demands: str, allocations: str) -> None:
    """CSV files of a one-person organisation (Ann, 40 h a week, developer) with two projects."""
    (folder / "portfolios.csv").write_text("id,name\nPF,Portfolio\n")
    (folder / "projects.csv").write_text(
        "id,name,portfolio_id,phase,priority,start,finish,rag\n"
        "P1,One,PF,execution,1,2027-01-04,2027-03-01,green\n"
        "P2,Two,PF,planning,3,2027-01-04,2027-03-01,amber\n"
    )
    (folder / "skills.csv").write_text("id,name\ndev,Developer\n")
    (folder / "people.csv").write_text(
        "id,name,region,mon,tue,wed,thu,fri,sat,sun\nann,Ann Lee,UK,8,8,8,8,8,0,0\n"
    )
    (folder / "person_skills.csv").write_text("person_id,skill_id,level\nann,dev,3\n")
    (folder / "demands.csv").write_text(
        "id,project_id,skill_id,min_level,start_week,end_week,hours_per_week\n" + demands
    )
    (folder / "allocations.csv").write_text(
        "person_id,project_id,demand_id,start_week,end_week,hours_per_week,pinned\n" + allocations
    )


def test_csv_import_then_capacity_shows_over_allocation(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    _invoke(runner, db, "db", "init", "--empty")
    _write_ann_org(
        tmp_path,
        "D1,P1,dev,1,2027-01-04,2027-01-11,30\nD2,P2,dev,1,2027-01-04,2027-01-04,20\n",
        "ann,P1,D1,2027-01-04,2027-01-11,30,false\nann,P2,D2,2027-01-04,2027-01-04,20,false\n",
    )
    imported = _invoke(runner, db, "import", "csv", str(tmp_path))
    assert imported.exit_code == 0, imported.output
    result = _invoke(runner, db, "capacity", "--over-allocated", "--format", "json")
    rows = json.loads(result.output)
    # 30 h + 20 h on a 40 h week: 10 h over, 125 %; the second week (30 h) is not over.
    assert rows == [
        {
            "person_id": "ann",
            "name": "Ann Lee",
            "week": "2027-01-04",
            "capacity_hours": 40.0,
            "allocated_hours": 50.0,
            "over_hours": 10.0,
            "utilisation_pct": 125.0,
        }
    ]
    unmet = json.loads(_invoke(runner, db, "capacity", "--unmet", "--format", "json").output)
    assert unmet == []


def _command_paths(group, prefix: str = "pmo-tui") -> list[tuple[str, object]]:
    paths = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            paths += _command_paths(command, path)
        else:
            paths.append((path, command))
    return paths


def test_every_command_has_help_and_a_row_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for path, command in _command_paths(cli):
        assert command.help, f"{path} has no help text"
        if path != "pmo-tui tui":  # the default command: `pmo-tui` alone
            assert f"`{path}" in readme, f"{path} is missing from the README's command table"


def test_ctrl_c_during_plan_apply_writes_nothing(tmp_path: Path) -> None:
    import signal

    db = tmp_path / "demo.db"
    assert CliRunner().invoke(cli, ["--db", str(db), "db", "init"], obj={}).exit_code == 0
    before = _dump(db)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from pmo_tui.cli import main; main()",
            "--db",
            str(db),
            "plan",
            "--headless",
            "--apply",
            "--time-limit",
            "60",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline().startswith("Solving")  # the solve has started
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "nothing was written" in err
    assert _dump(db) == before


def test_a_named_database_that_does_not_exist_is_not_created(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = tmp_path / "typo.db"
    result = _invoke(runner, db, "capacity")
    assert result.exit_code == 2 and not db.exists()
    assert "no database at this path" in result.output and "db init" in result.output


def test_over_allocated_and_unmet_together_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    _invoke(runner, db, "db", "init", "--empty")
    result = _invoke(runner, db, "capacity", "--over-allocated", "--unmet")
    assert result.exit_code == 2 and "option --unmet" in result.output


def test_the_tui_without_a_terminal_says_so_instead_of_hanging(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = tmp_path / "org.db"
    _invoke(runner, db, "db", "init", "--empty")
    result = _invoke(runner, db)
    assert result.exit_code == 2 and "needs an interactive terminal" in result.output


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--time-limit", "0"),
        ("--workers", "0"),
        ("--churn-weight", "-1"),
        ("--fragmentation-weight", "nan"),
        ("--churn-weight", "inf"),
    ],
)
def test_bad_plan_options_are_one_clear_message(
    runner: CliRunner, tmp_path: Path, option: str, value: str
) -> None:
    db = tmp_path / "org.db"
    _invoke(runner, db, "db", "init", "--empty")
    result = _invoke(runner, db, "plan", "--headless", option, value)
    assert result.exit_code == 2 and f"option {option}" in result.output
    assert "Fix:" in result.output and "Traceback" not in result.output


def test_pinned_work_above_capacity_exits_3_and_names_the_conflict(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = tmp_path / "org.db"
    _invoke(runner, db, "db", "init", "--empty")
    _write_ann_org(
        tmp_path,
        "D1,P1,dev,1,2027-01-04,2027-01-04,50\n",
        "ann,P1,D1,2027-01-04,2027-01-04,50,true\n",
    )
    assert _invoke(runner, db, "import", "csv", str(tmp_path)).exit_code == 0
    result = _invoke(runner, db, "plan", "--headless", "--apply")
    assert result.exit_code == 3
    assert "INFEASIBLE" in result.stdout
    assert "ann, week of 2027-01-04: capacity 40 h" in result.stdout
    assert "pinned or hard booking on P1/D1 50 h" in result.stdout
    rows = json.loads(_invoke(runner, db, "capacity", "--format", "json").stdout)
    assert [r["allocated_hours"] for r in rows] == [50.0]  # nothing was applied
