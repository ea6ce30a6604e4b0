"""Each scenario change kind on the tiny organisation, with effects computed by hand.

No solver here: the changes are applied to the frames and the solver's inputs
derived from them (tests/scenario_support.py describes the organisation).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from scenario_support import W1, W2, W3, W4, build_scenario_db, write_scenario

from pmo_tui.errors import UserError
from pmo_tui.planning.inputs import plan_inputs
from pmo_tui.scenarios.changes import apply_changes
from pmo_tui.scenarios.overlay import plan_input, read_state
from pmo_tui.scenarios.schema import load_scenario
from pmo_tui.store.readonly import read_connection
from solver import PlanInput

W5 = W4 + (W2 - W1)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("overlay")
    db = build_scenario_db(folder)
    connection = read_connection(db)
    try:
        yield read_state(connection), plan_inputs(connection)
    finally:
        connection.close()


def _apply(live, tmp_path: Path, body: str):
    state = apply_changes(live[0], load_scenario(write_scenario(tmp_path, "s", body)).changes)
    return state, plan_input(state)


def _capacity(inputs: PlanInput, person: str) -> list[float]:
    frame = inputs.capacity.filter(pl.col("person_id") == person).sort("week")
    return frame["hours"].to_list()


def _weeks(frame: pl.DataFrame, **equal: str) -> list:
    for column, value in equal.items():
        frame = frame.filter(pl.col(column) == value)
    return sorted(frame["week"].to_list())


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def test_no_changes_gives_the_inputs_plan_inputs_reads_from_the_store(live) -> None:
    state, expected = live
    derived = plan_input(state)
    for name in ("capacity", "skills", "demand", "projects", "current", "people", "dependencies"):
        assert _sorted(getattr(derived, name)).equals(_sorted(getattr(expected, name))), name
    assert _capacity(derived, "ann") == [32.0, 40.0, 40.0, 40.0]  # the UK holiday in W1


def test_add_person_default_pattern_with_the_regions_holiday(live, tmp_path: Path) -> None:
    state, inputs = _apply(
        live,
        tmp_path,
        '[[change]]\nkind = "add_person"\nid = "hire-1"\nregion = "UK"\nskills = { dev = 3, data = 2 }\n',
    )
    assert _capacity(inputs, "hire-1") == [32.0, 40.0, 40.0, 40.0]
    skills = inputs.skills.filter(pl.col("person_id") == "hire-1").sort("skill_id")
    assert skills.select("skill_id", "level").rows() == [("data", 2), ("dev", 3)]
    assert state.not_promotable == ()


def test_add_person_from_a_start_to_an_end_date_part_time(live, tmp_path: Path) -> None:
    body = (
        '[[change]]\nkind = "add_person"\nid = "hire-2"\nregion = "UK"\nskills = { dev = 2 }\n'
        "start = 2027-01-11\nend = 2027-01-20\n"
        "hours_per_day = { mon = 8, tue = 8, wed = 8 }\n"
    )
    _, inputs = _apply(live, tmp_path, body)
    # Mon-Wed 24 h; W1 before the start; W3 ends on Wednesday (whole); W4 after the end.
    assert _capacity(inputs, "hire-2") == [0.0, 24.0, 24.0, 0.0]


def test_remove_person_from_a_date_drops_capacity_and_allocations(live, tmp_path: Path) -> None:
    _, inputs = _apply(
        live, tmp_path, '[[change]]\nkind = "remove_person"\nperson = "ann"\nfrom = 2027-01-18\n'
    )
    assert _capacity(inputs, "ann") == [32.0, 40.0, 0.0, 0.0]
    assert _weeks(inputs.current, person_id="ann") == [W1, W2]


def test_replace_person_hands_over_allocations_pattern_and_skills(live, tmp_path: Path) -> None:
    body = '[[change]]\nkind = "replace_person"\nperson = "ann"\nby = "new-1"\nfrom = 2027-01-18\n'
    _, inputs = _apply(live, tmp_path, body)
    assert _capacity(inputs, "ann") == [32.0, 40.0, 0.0, 0.0]
    assert _capacity(inputs, "new-1") == [0.0, 0.0, 40.0, 40.0]
    assert _weeks(inputs.current, person_id="new-1") == [W3, W4]
    assert _weeks(inputs.current, person_id="ann") == [W1, W2]
    assert inputs.skills.filter(pl.col("person_id") == "new-1").select(
        "skill_id", "level"
    ).rows() == [("dev", 4)]


def test_capacity_percent_is_an_availability_period(live, tmp_path: Path) -> None:
    body = '[[change]]\nkind = "capacity"\nperson = "cat"\nfrom = 2027-01-11\nto = 2027-01-24\npercent = 50\n'
    state, inputs = _apply(live, tmp_path, body)
    assert _capacity(inputs, "cat") == [40.0, 20.0, 20.0, 40.0]
    assert state.not_promotable == ()


def test_capacity_hours_per_week_is_set_and_cannot_be_promoted(live, tmp_path: Path) -> None:
    body = '[[change]]\nkind = "capacity"\nperson = "ben"\nfrom = 2027-01-11\nhours_per_week = 10\n'
    state, inputs = _apply(live, tmp_path, body)
    assert _capacity(inputs, "ben") == [32.0, 10.0, 10.0, 10.0]
    assert "hours_per_week" in state.not_promotable[0]


@pytest.mark.parametrize(("hours", "week2"), [("", 16.0), ("hours_per_day = 4\n", 28.0)])
def test_leave_whole_days_or_hours_per_day(live, tmp_path: Path, hours: str, week2: float) -> None:
    body = (
        f'[[change]]\nkind = "leave"\nperson = "cat"\nstart = 2027-01-11\nend = 2027-01-13\n{hours}'
    )
    _, inputs = _apply(live, tmp_path, body)
    assert _capacity(inputs, "cat") == [40.0, week2, 40.0, 40.0]


def test_shift_project_moves_demand_and_its_allocations(live, tmp_path: Path) -> None:
    state, inputs = _apply(
        live, tmp_path, '[[change]]\nkind = "shift_project"\nproject = "P1"\nweeks = 1\n'
    )
    assert _weeks(inputs.demand, demand_id="D1") == [W2, W3, W4, W5]
    assert _weeks(inputs.current, person_id="ann") == [W2, W3, W4, W5]
    assert _capacity(inputs, "ann") == [32.0, 40.0, 40.0, 40.0, 40.0]  # the horizon grows
    project = state.tables["project"].filter(pl.col("id") == "P1").row(0, named=True)
    assert str(project["start"]) == "2027-01-11"


def test_shift_project_with_pinned_work_names_the_rows(live, tmp_path: Path) -> None:
    with pytest.raises(UserError) as caught:
        _apply(live, tmp_path, '[[change]]\nkind = "shift_project"\nproject = "P2"\nweeks = 2\n')
    assert "ben 2027-01-18 (D3)" in caught.value.render() and "unpin" in caught.value.render()
    body = (
        '[[change]]\nkind = "unpin"\nproject = "P2"\n'
        '[[change]]\nkind = "shift_project"\nproject = "P2"\nweeks = 2\n'
    )
    _, inputs = _apply(live, tmp_path, body)
    assert _weeks(inputs.current, person_id="ben") == [W5, W5 + (W2 - W1)]


def test_cancel_project_from_a_date(live, tmp_path: Path) -> None:
    _, inputs = _apply(
        live, tmp_path, '[[change]]\nkind = "cancel_project"\nproject = "P2"\nfrom = 2027-01-18\n'
    )
    assert _weeks(inputs.demand, project_id="P2") == [W1, W2]
    assert _weeks(inputs.current, project_id="P2") == [W1, W2]
    assert inputs.current.filter(pl.col("person_id") == "ben").is_empty()


def test_add_project_and_change_priority(live, tmp_path: Path) -> None:
    body = (
        '[[change]]\nkind = "add_project"\nid = "NEW"\nportfolio = "PF"\npriority = 2\n'
        '[[change.demand]]\nskill = "dev"\nstart = 2027-01-11\nend = 2027-01-18\nhours_per_week = 20\n'
        '[[change]]\nkind = "priority"\nproject = "P2"\npriority = 1\n'
    )
    state, inputs = _apply(live, tmp_path, body)
    new = inputs.demand.filter(pl.col("project_id") == "NEW")
    assert new.select("demand_id", "week", "hours").rows() == [
        ("NEW-D1", W2, 20.0),
        ("NEW-D1", W3, 20.0),
    ]
    weights = dict(inputs.projects.select("project_id", "priority_weight").rows())
    assert weights == {"P1": 5.0, "P2": 5.0, "NEW": 4.0}
    assert state.not_promotable == ()


def test_add_demand_and_scale_or_set_demand(live, tmp_path: Path) -> None:
    body = (
        '[[change]]\nkind = "add_demand"\nproject = "P1"\nskill = "data"\nstart = 2027-01-25\n'
        "end = 2027-01-25\nhours_per_week = 8\n"
        '[[change]]\nkind = "demand"\nproject = "P1"\nskill = "dev"\nfrom = 2027-01-18\npercent = 50\n'
        '[[change]]\nkind = "demand"\nskill = "data"\nhours_per_week = 10\n'
    )
    _, inputs = _apply(live, tmp_path, body)

    def hours(demand: str) -> list[float]:
        return inputs.demand.filter(pl.col("demand_id") == demand).sort("week")["hours"].to_list()

    assert hours("D1") == [40.0, 40.0, 20.0, 20.0]
    assert hours("D2") == [10.0, 10.0, 10.0, 10.0]
    assert hours("P1-D1") == [10.0]  # added, then set by the skill-wide change


def test_pin_and_unpin_by_person_project_and_period(live, tmp_path: Path) -> None:
    body = (
        '[[change]]\nkind = "pin"\nperson = "ann"\nproject = "P1"\nto = 2027-01-11\n'
        '[[change]]\nkind = "unpin"\nperson = "ben"\n'
    )
    _, inputs = _apply(live, tmp_path, body)
    pinned = inputs.current.filter(pl.col("pinned")).select("person_id", "week").sort("week").rows()
    assert pinned == [("ann", W1), ("ann", W2)]


def test_freeze_and_policy_weights_set_policy_fields(live, tmp_path: Path) -> None:
    body = (
        '[[change]]\nkind = "freeze"\nweeks = 2\n'
        '[[change]]\nkind = "policy"\nweights = { churn = 1.5 }\nlimits = { max_people_moved = 1 }\n'
    )
    state, _ = _apply(live, tmp_path, body)
    assert state.policy == {"frozen_weeks": 2, "churn_weight": 1.5, "max_people_moved": 1}


def test_a_base_scenario_applies_first(live, tmp_path: Path) -> None:
    write_scenario(tmp_path, "a", '[[change]]\nkind = "remove_person"\nperson = "ann"\n')
    path = write_scenario(
        tmp_path,
        "b",
        'base = "a.toml"\n[[change]]\nkind = "leave"\nperson = "cat"\nstart = 2027-01-04\nend = 2027-01-08\n',
    )
    scenario = load_scenario(path)
    assert [change.kind for change in scenario.changes] == ["remove_person", "leave"]
    inputs = plan_input(apply_changes(live[0], scenario.changes))
    assert _capacity(inputs, "ann") == [0.0] * 4 and _capacity(inputs, "cat")[0] == 0.0


def test_the_base_state_is_never_modified(live, tmp_path: Path) -> None:
    before = {name: frame.clone() for name, frame in live[0].tables.items()}
    _apply(
        live,
        tmp_path,
        '[[change]]\nkind = "cancel_project"\nproject = "P1"\n[[change]]\nkind = "freeze"\nweeks = 1\n',
    )
    assert all(live[0].tables[name].equals(before[name]) for name in before)
    assert live[0].policy == {}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '[[change]]\nkind = "leave"\nperson = "an"\nstart = 2027-01-04\nend = 2027-01-04\n',
            "unknown person 'an'. Fix: did you mean 'ann'",
        ),
        (
            '[[change]]\nkind = "add_person"\nid = "x"\nskills = { deV = 2 }\n',
            "unknown skill 'deV'. Fix: did you mean 'dev'",
        ),
        (
            '[[change]]\nkind = "add_person"\nid = "ann"\nskills = { dev = 2 }\n',
            "person 'ann' exists already",
        ),
        ('[[change]]\nkind = "shift_project"\nproject = "P3"\nweeks = 1\n', "unknown project 'P3'"),
        ('[[change]]\nkind = "pin"\nperson = "cat"\nproject = "P1"\n', "matches no allocation"),
    ],
)
def test_unknown_ids_are_named_with_the_closest_known(
    live, tmp_path: Path, body: str, expected: str
) -> None:
    with pytest.raises(UserError) as caught:
        _apply(live, tmp_path, body)
    message = caught.value.render()
    assert expected in message and "s.toml, row 2" in message, message
