"""`pmo-tui scenario run|merge|diff` on the tiny organisation: exit codes, outputs, no writes."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from scenario_support import FAST, build_scenario_db, file_hash, invoke, write_scenario

NO_CAT = '[[change]]\nkind = "remove_person"\nperson = "cat"\n'
HIRE = '[[change]]\nkind = "add_person"\nid = "hire-1"\nregion = "DE"\nskills = { data = 3, dev = 3 }\n'
SLIP = '[[change]]\nkind = "unpin"\nproject = "P2"\n[[change]]\nkind = "shift_project"\nproject = "P2"\nweeks = 2\n'


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The live database and a folder with three scenarios."""
    folder = tmp_path_factory.mktemp("cli")
    db = build_scenario_db(folder)
    scenarios = folder / "scenarios"
    scenarios.mkdir()
    write_scenario(scenarios, "no-cat", NO_CAT)
    write_scenario(scenarios, "hire", HIRE)
    write_scenario(scenarios, "slip", SLIP)
    return db, scenarios


def _json(result) -> dict:
    document = json.loads(result.stdout)
    document.pop("generated_at")
    return document


def test_run_and_diff_never_change_the_live_database(org: tuple[Path, Path]) -> None:
    db, scenarios = org
    before = file_hash(db)
    assert invoke(db, "scenario", "run", str(scenarios), *FAST).exit_code == 0
    assert (
        invoke(db, "scenario", "diff", "base", str(scenarios / "slip.toml"), *FAST).exit_code == 0
    )
    assert file_hash(db) == before


def test_run_prints_the_kpis_side_by_side_with_the_base(org: tuple[Path, Path]) -> None:
    db, scenarios = org
    result = invoke(db, "scenario", "run", str(scenarios), *FAST, "--format", "json")
    assert result.exit_code == 0, result.output
    document = _json(result)
    assert [entry["name"] for entry in document["scenarios"]] == ["hire", "no-cat", "slip"]
    assert document["settings"]["search"] == {
        "time_limit_s": 20.0,
        "seed": 0,
        "workers": 2,
        "deterministic_time": 0.5,
    }
    assert document["solver_version"] and document["skills"] == ["data", "dev"]
    base = document["base"]["kpis"]
    kpis = {entry["name"]: entry["kpis"] for entry in document["scenarios"]}
    # The base: 320 demand hours (D1 160 + D2 120 + D3 40), everything coverable.
    assert base["demand_hours"] == 320.0 and base["coverage"] == 1.0
    # Without cat, ben (data 2) is the only data engineer left: D2 cannot all be covered.
    assert kpis["no-cat"]["unmet_hours"] > 0 and kpis["no-cat"]["coverage"] < 1.0
    assert set(kpis["no-cat"]["unmet_hours_by_skill"]) <= {"data", "dev"}
    # P2 slips two weeks: its first demand week is two weeks later than in the base.
    assert kpis["slip"]["delayed_projects"] == [{"project_id": "P2", "weeks": 2}]
    assert kpis["slip"]["projects_delayed"] == 1
    assert kpis["slip"]["demand_hours"] == 320.0
    table = invoke(db, "scenario", "run", str(scenarios), *FAST).stdout
    assert (
        "metric" in table and "base" in table and "no-cat" in table and "checks: 3 passed" in table
    )


def test_thresholds_exit_1_and_name_each_failing_check(org: tuple[Path, Path]) -> None:
    db, scenarios = org
    ok = invoke(
        db, "scenario", "run", str(scenarios / "hire.toml"), *FAST, "--fail-if", "coverage < 0.9"
    )
    assert ok.exit_code == 0, ok.output
    failed = invoke(
        db,
        "scenario",
        "run",
        str(scenarios),
        *FAST,
        "--fail-if",
        "coverage < 0.99",
        "--fail-if",
        "unmet_hours[data] > 1",
        "--fail-if",
        "cost < 0",
    )
    assert failed.exit_code == 1
    assert "failed: scenario no-cat: coverage = 0." in failed.stderr and "< 0.99" in failed.stderr
    assert "failed: scenario no-cat: unmet_hours[data] = " in failed.stderr
    assert "scenario hire" not in failed.stderr


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ("coverage << 0.9", "cannot read the check"),
        ("velocity > 3", "unknown metric 'velocity'"),
        (
            "coverge < 0.8",
            "unknown metric 'coverge' in 'coverge < 0.8'. Fix: did you mean 'coverage'?",
        ),
        ("cost[dev] > 3", "only unmet_hours takes a [key]"),
        ("unmet_hours[dat] > 3", "did you mean 'data'"),
    ],
)
def test_a_bad_check_exits_2_with_the_grammar(
    org: tuple[Path, Path], check: str, expected: str
) -> None:
    db, scenarios = org
    result = invoke(db, "scenario", "run", str(scenarios / "hire.toml"), *FAST, "--fail-if", check)
    assert result.exit_code == 2 and expected in result.output and "--fail-if" in result.output


def test_an_invalid_file_exits_2_and_nothing_is_planned(
    org: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import solver

    db, scenarios = org
    bad = write_scenario(
        tmp_path,
        "bad",
        '[[change]]\nkind = "leave"\nperson = "zed"\nstart = 2027-01-04\nend = 2027-01-04\n',
    )
    monkeypatch.setattr(solver, "solve_plan", lambda *a, **k: pytest.fail("planned"))
    result = invoke(db, "scenario", "run", str(scenarios / "hire.toml"), str(bad), *FAST)
    assert result.exit_code == 2 and "bad.toml, row 2, column 'person'" in result.output


def test_two_runs_give_identical_json_but_the_time(org: tuple[Path, Path]) -> None:
    db, scenarios = org
    first = invoke(db, "scenario", "run", str(scenarios), *FAST, "--format", "json")
    second = invoke(db, "scenario", "run", str(scenarios), *FAST, "--format", "json")
    assert _json(first) == _json(second)


def test_shards_merged_equal_one_run(org: tuple[Path, Path], tmp_path: Path) -> None:
    db, scenarios = org
    check = ["--fail-if", "coverage < 0.99"]
    whole = invoke(db, "scenario", "run", str(scenarios), *FAST, *check, "--format", "json")
    parts = []
    for shard in ("1/2", "2/2"):
        result = invoke(
            db, "scenario", "run", str(scenarios), *FAST, "--shard", shard, "--format", "json"
        )
        assert result.exit_code == 0
        parts.append(tmp_path / f"out-{shard[0]}.json")
        parts[-1].write_text(result.stdout)
    names = [[s["name"] for s in json.loads(p.read_text())["scenarios"]] for p in parts]
    assert names == [["hire", "slip"], ["no-cat"]]  # files sorted: hire, no-cat, slip
    merged = invoke(db, "scenario", "merge", *map(str, parts), *check, "--format", "json")
    assert merged.exit_code == whole.exit_code == 1
    assert _json(merged) == _json(whole)


def test_merge_refuses_outputs_of_different_runs(org: tuple[Path, Path], tmp_path: Path) -> None:
    db, scenarios = org
    one = invoke(db, "scenario", "run", str(scenarios / "hire.toml"), *FAST, "--format", "json")
    other = invoke(
        db,
        "scenario",
        "run",
        str(scenarios / "slip.toml"),
        *FAST,
        "--seed",
        "1",
        "--format",
        "json",
    )
    (tmp_path / "a.json").write_text(one.stdout)
    (tmp_path / "b.json").write_text(other.stdout)
    result = invoke(db, "scenario", "merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert result.exit_code == 2 and "not shards of one run" in result.output


def test_junit_has_a_testcase_per_scenario_and_check(
    org: tuple[Path, Path], tmp_path: Path
) -> None:
    db, scenarios = org
    junit = tmp_path / "report.xml"
    result = invoke(
        db,
        "scenario",
        "run",
        str(scenarios),
        *FAST,
        "--format",
        "junit",
        "--junit",
        str(junit),
        "--fail-if",
        "coverage < 0.99",
        "--fail-if",
        "projects_delayed > 0",
    )
    assert result.exit_code == 1
    suite = ElementTree.fromstring(junit.read_text()).find("testsuite")
    assert suite is not None and suite.get("tests") == "6" and suite.get("failures") == "2"
    failures = {
        (case.get("classname"), case.get("name"))
        for case in suite.iter("testcase")
        if case.find("failure") is not None
    }
    assert failures == {("no-cat", "coverage < 0.99"), ("slip", "projects_delayed > 0")}
    assert ElementTree.fromstring(result.stdout.strip()).tag == "testsuites"
    plain = invoke(db, "scenario", "run", str(scenarios / "hire.toml"), *FAST, "--format", "junit")
    cases = list(ElementTree.fromstring(plain.stdout).iter("testcase"))
    assert [(c.get("classname"), c.get("name")) for c in cases] == [("hire", "planned")]


def test_markdown_output(org: tuple[Path, Path]) -> None:
    db, scenarios = org
    result = invoke(
        db, "scenario", "run", str(scenarios / "hire.toml"), *FAST, "--format", "markdown"
    )
    assert "| metric | base | hire |" in result.stdout and "|---|---:|---:|" in result.stdout


def test_diff_by_person_project_and_week(org: tuple[Path, Path]) -> None:
    db, scenarios = org
    no_cat = str(scenarios / "no-cat.toml")
    people = json.loads(
        invoke(
            db, "scenario", "diff", "base", no_cat, "--by", "person", "--format", "json", *FAST
        ).stdout
    )
    cat = [row for row in people if row["person_id"] == "cat"]
    assert cat == [
        {"person_id": "cat", "project_id": "P2", "hours_a": 120.0, "hours_b": 0.0, "change": -120.0}
    ]
    projects = json.loads(
        invoke(db, "scenario", "diff", "base", no_cat, "--format", "json", *FAST).stdout
    )
    p2 = next(row for row in projects if row["project_id"] == "P2")
    assert (
        p2["demand_a"] == p2["demand_b"] == 160.0 and p2["covered_a"] == 160.0 and p2["change"] < 0
    )
    weeks = json.loads(
        invoke(
            db, "scenario", "diff", no_cat, "base", "--by", "week", "--format", "json", *FAST
        ).stdout
    )
    assert weeks and all(row["change"] > 0 for row in weeks)
    same = invoke(db, "scenario", "diff", "base", "base", *FAST)
    assert same.exit_code == 0 and same.stdout.strip() == "(none)"


def test_a_folder_without_scenarios_and_a_missing_shard_are_refused(
    org: tuple[Path, Path], tmp_path: Path
) -> None:
    db, scenarios = org
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke(db, "scenario", "run", str(empty), *FAST)
    assert result.exit_code == 2 and "no *.toml scenario files" in result.output
    only = invoke(
        db, "scenario", "run", str(scenarios), *FAST, "--shard", "1/2", "--format", "json"
    )
    (tmp_path / "one.json").write_text(only.stdout)
    merged = invoke(db, "scenario", "merge", str(tmp_path / "one.json"))
    assert merged.exit_code == 2 and "shard(s) 2/2 missing" in merged.output


def test_an_unwritable_junit_path_is_refused_before_planning(org: tuple[Path, Path]) -> None:
    db, scenarios = org
    result = invoke(db, "scenario", "run", str(scenarios), "--junit", "/nonexistent/dir/r.xml")
    assert result.exit_code == 2
    assert "option --junit: /nonexistent/dir/r.xml: the folder /nonexistent/dir does not exist" in (
        result.output
    )
