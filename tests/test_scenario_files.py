"""Scenario files: every mistake names the file, the line and key, and the fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pmo_tui.errors import UserError
from pmo_tui.scenarios.schema import CHANGE_KINDS, load_scenario, load_scenarios


def _error(tmp_path: Path, text: str, name: str = "s.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(UserError) as caught:
        load_scenarios([path])
    return caught.value.render()


def test_a_valid_file_reads_dates_and_keeps_the_change_lines(tmp_path: Path) -> None:
    path = tmp_path / "hire.toml"
    path.write_text(
        'name = "Hire"\ndescription = "two data engineers"\n\n'
        '[[change]]\nkind = "add_person"\nid = "hire-1"\nskills = { data = 3 }\nstart = 2027-03-01\n\n'
        '[[change]]\nkind = "leave"\nperson = "ann"\nstart = "2027-01-04"\nend = 2027-01-08\n'
    )
    scenario = load_scenario(path)
    assert scenario.name == "Hire" and scenario.base == "live"
    assert [(c.kind, c.line) for c in scenario.changes] == [("add_person", 4), ("leave", 10)]
    assert scenario.changes[1].values["start"] == dt.date(2027, 1, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name = "x"\n[[change]\nkind = "leave"\n', "row 2: not valid TOML"),
        (
            'name = "x"\n[[change]]\nkind = "hire"\n',
            "row 2, column 'kind': change 1 (hire): unknown kind 'hire'",
        ),
        (
            '[[change]]\nkind = "leave"\nperson = "ann"\nstart = 2027-01-04\n',
            "column 'end': change 1 (leave): end is required",
        ),
        (
            '[[change]]\nkind = "priority"\nproject = "P1"\npriority = 7\n',
            "priority must be a priority from 1 (highest) to 5, not 7",
        ),
        (
            '[[change]]\nkind = "capacity"\nperson = "a"\nfrom = 2027-02-01\nto = 2027-01-01\npercent = 5\n',
            "to 2027-01-01 is before from 2027-02-01",
        ),
        (
            '[[change]]\nkind = "capacity"\nperson = "a"\nfrom = 2027-02-01\n',
            "give exactly one of percent, hours_per_week",
        ),
        (
            '[[change]]\nkind = "shift_project"\nproject = "P1"\nweeks = 0\n',
            "weeks must be a whole number of weeks, not 0",
        ),
        (
            '[[change]]\nkind = "leave"\nperson = "a"\nstart = 2027-01-04\nend = 2027-01-05\ncolour = 1\n',
            "unknown key 'colour' for leave",
        ),
        ('[[change]]\nkind = "policy"\nsearch = { seed = 3 }\n', "unknown key 'search' for policy"),
        (
            '[[change]]\nkind = "policy"\nweights = { churn = -1 }\n',
            "weights.churn must be a number from 0 to 1,000,000",
        ),
        ('titel = "x"\n', "column 'titel': unknown key 'titel'"),
        ('base = "missing.toml"\n', "the base scenario 'missing.toml' does not exist"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, text: str, expected: str) -> None:
    message = _error(tmp_path, text)
    assert message.startswith(str(tmp_path / "s.toml")) and expected in message, message
    assert "Fix:" in message


def test_bases_forming_a_cycle_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('base = "b.toml"\n')
    (tmp_path / "b.toml").write_text('base = "a.toml"\n')
    message = _error(tmp_path, 'base = "a.toml"\n', name="c.toml")
    assert "the bases form a cycle: c.toml -> a.toml -> b.toml -> a.toml" in message


def test_two_files_with_one_name_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('name = "same"\n')
    (tmp_path / "b.toml").write_text('name = "same"\n')
    with pytest.raises(UserError, match="also used by"):
        load_scenarios([tmp_path / "a.toml", tmp_path / "b.toml"])


def test_every_change_kind_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "scenarios.md").read_text()
    for kind, keys in CHANGE_KINDS.items():
        assert f'kind = "{kind}"' in docs, kind
        for key in keys:
            assert f"`{key}`" in docs, (kind, key)
