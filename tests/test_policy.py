"""Policy files and plan options: values land in the solver's Policy; mistakes are one
message naming file, key or option and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_tui.cli import cli
from pmo_tui.cli.plan import progress_bar
from pmo_tui.errors import UserError
from pmo_tui.planning.policy import build_policy, policy_table
from solver import Policy

FULL_FILE = """
[weights]
cover = 1.5
churn = 0.1
fragmentation = 3
continuity = 0.5
delay = 20

[limits]
min_block_hours = 8
max_concurrent_projects = 3
frozen_weeks = 2
max_people_moved = 40

[search]
time_limit_s = 30
seed = 7
workers = 1
deterministic_time = 12.5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_key_of_a_policy_file_lands_in_the_policy(tmp_path: Path) -> None:
    policy = build_policy(write(tmp_path, FULL_FILE))
    assert policy == Policy(
        cover_weight=1.5, churn_weight=0.1, fragmentation_weight=3.0, continuity_weight=0.5,
        delay_weight=20.0,
        min_block_hours=8.0, max_concurrent_projects=3, frozen_weeks=2, max_people_moved=40,
        time_limit_s=30.0, seed=7, workers=1, deterministic_time=12.5,
    )  # fmt: skip
    assert isinstance(policy.workers, int) and isinstance(policy.fragmentation_weight, float)


def test_options_win_over_the_file_and_the_file_over_defaults(tmp_path: Path) -> None:
    policy = build_policy(write(tmp_path, FULL_FILE), seed=3, frozen_weeks=None)
    assert (policy.seed, policy.frozen_weeks, policy.churn_weight) == (3, 2, 0.1)
    assert build_policy(None).churn_weight == Policy().churn_weight


def test_policy_table_round_trips_through_a_file(tmp_path: Path) -> None:
    policy = build_policy(write(tmp_path, FULL_FILE))
    lines = []
    for table, values in policy_table(policy).items():
        lines.append(f"[{table}]")
        lines += [f"{key} = {value!r}" for key, value in values.items()]
    assert build_policy(write(tmp_path, "\n".join(lines))) == policy


@pytest.mark.parametrize(
    ("text", "expected", "where"),
    [
        (
            "[weights]\nchurn = -1\n",
            "weights.churn must be a number from 0 to 1,000,000",
            "weights.churn",
        ),
        (
            "[limits]\nfrozen_weeks = 1.5\n",
            "must be a whole number from 0 to 1,000,000",
            "limits.frozen_weeks",
        ),
        (
            "[limits]\nmax_concurrent_projects = 0\n",
            "a whole number from 1 to 1,000",
            "limits.max_concurrent_projects",
        ),
        ("[weights]\nchurn = 'high'\n", "weights.churn must be a number", "weights.churn"),
        ("[weights]\nchrun = 1\n", "unknown key 'chrun' in [weights]", "weights.chrun"),
    ],
)
def test_a_bad_value_names_file_key_and_fix(
    tmp_path: Path, text: str, expected: str, where: str
) -> None:
    with pytest.raises(UserError) as caught:
        build_policy(write(tmp_path, text))
    error = caught.value
    assert expected in error.message and error.column == where
    assert error.file.endswith("policy.toml") and error.fix


def test_unknown_table_and_broken_toml_are_clear(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"unknown table \[weight\]") as caught:
        build_policy(write(tmp_path, "[weight]\nchurn = 1\n"))
    assert "[weights]" in caught.value.fix
    with pytest.raises(UserError, match="not valid TOML") as caught:
        build_policy(write(tmp_path, "[weights]\nchurn = = 1\n"))
    assert caught.value.row == 2
    with pytest.raises(UserError, match="no such policy file"):
        build_policy(tmp_path / "missing.toml")


def test_progress_bar_shows_time_best_bound_and_gap() -> None:
    line = progress_bar(2.5, 10.0, 361603.6, 370533.6, 0.0241)
    assert line == "[#####---------------]   2.5/10 s  best 361604  bound 370534  gap 2.41 %"
    assert progress_bar(20.0, 10.0, 1.0, 1.0, 0.0).startswith("[" + "#" * 20 + "]")


def test_plan_with_a_policy_file_and_progress_lines(tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "db", "init"], obj={}).exit_code == 0
    policy = write(tmp_path, "[search]\ntime_limit_s = 2\ndeterministic_time = 1\n")
    result = runner.invoke(
        cli,
        ["--db", str(db), "plan", "--headless", "--policy", str(policy), "--format", "json",
         "--progress", "--max-concurrent", "3"],
        obj={},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "best " in result.stderr and "gap " in result.stderr
    import json

    settings = json.loads(result.stdout)["settings"]
    assert settings["time_limit_s"] == 2.0 and settings["deterministic_time"] == 1.0
    assert settings["max_concurrent_projects"] == 3


def test_a_bad_policy_file_exits_2_without_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    runner = CliRunner()
    runner.invoke(cli, ["--db", str(db), "db", "init", "--empty"], obj={})
    policy = write(tmp_path, "[limits]\nfrozen_weeks = -2\n")
    result = runner.invoke(
        cli, ["--db", str(db), "plan", "--headless", "--policy", str(policy)], obj={}
    )
    assert result.exit_code == 2
    assert "policy.toml, row 2, column 'limits.frozen_weeks'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("seed", 99999999999999999999),
        ("fragmentation_weight", 1e15),
        ("workers", 1000),
        ("churn_weight", 1e308),
    ],
)
def test_values_beyond_what_the_solver_can_count_are_refused(option: str, value: float) -> None:
    with pytest.raises(UserError, match="must be"):
        build_policy(**{option: value})
