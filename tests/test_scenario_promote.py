"""`pmo-tui scenario promote`: the live data becomes the scenario's, in one transaction."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl
import pytest
from scenario_support import FAST, build_scenario_db, checkpoint, file_hash, invoke, write_scenario

from pmo_tui.planning.inputs import plan_inputs
from pmo_tui.scenarios.changes import apply_changes
from pmo_tui.scenarios.overlay import plan_input, read_state
from pmo_tui.scenarios.schema import load_scenario
from pmo_tui.store.readonly import read_connection

CHANGES = (
    '[[change]]\nkind = "add_person"\nid = "hire-1"\nregion = "DE"\nskills = { data = 3 }\n'
    "start = 2027-01-11\ncost_rate = 70\n"
    '[[change]]\nkind = "leave"\nperson = "ann"\nstart = 2027-01-11\nend = 2027-01-12\n'
    '[[change]]\nkind = "capacity"\nperson = "cat"\nfrom = 2027-01-18\npercent = 50\n'
    '[[change]]\nkind = "priority"\nproject = "P2"\npriority = 2\n'
    '[[change]]\nkind = "demand"\ndemand = "D2"\nfrom = 2027-01-18\nhours_per_week = 45\n'
    '[[change]]\nkind = "add_project"\nid = "NEW"\nprogram = "PG"\n'
    '[[change.demand]]\nskill = "dev"\nstart = 2027-01-25\nend = 2027-01-25\nhours_per_week = 8\n'
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_scenario_db(tmp_path)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def _dump(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_promote_makes_the_live_inputs_the_scenarios_and_logs_who(db: Path, tmp_path: Path) -> None:
    path = write_scenario(tmp_path, "grow", CHANGES)
    with read_connection(db) as connection:
        expected = plan_input(apply_changes(read_state(connection), load_scenario(path).changes))
    result = invoke(db, "scenario", "promote", str(path), "--yes", *FAST)
    assert result.exit_code == 0, result.output
    assert "promoted grow:" in result.stdout
    with read_connection(db) as connection:
        promoted = plan_inputs(connection)
        log = connection.execute(
            "SELECT who, entity, action, reason FROM change_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
    for name in ("capacity", "skills", "demand", "projects", "people"):
        assert _sorted(getattr(promoted, name)).equals(_sorted(getattr(expected, name))), name
    hire = promoted.capacity.filter(pl.col("person_id") == "hire-1").sort("week")["hours"].to_list()
    assert hire == [0.0, 40.0, 40.0, 40.0]
    # pinned rows stay as they were; every other row is the scenario's plan
    pinned = promoted.current.filter(pl.col("pinned")).select("person_id", "demand_id", "hours")
    assert pinned.rows() == [("ben", "D3", 10.0), ("ben", "D3", 10.0)]
    from pmo_tui.store.change_log import current_user

    who = current_user()
    assert log == (who, "scenario", "promote", f"promote scenario grow approved by {who}")


def test_promote_asks_first_and_writes_nothing_on_no(db: Path, tmp_path: Path) -> None:
    path = write_scenario(tmp_path, "grow", CHANGES)
    before = file_hash(db)
    from click.testing import CliRunner

    from pmo_tui.cli import cli

    result = CliRunner().invoke(
        cli, ["--db", str(db), "scenario", "promote", str(path), *FAST], input="n\n", obj={}
    )
    assert result.exit_code == 0 and "Nothing was written." in result.output
    checkpoint(db)
    assert file_hash(db) == before


def test_promote_refuses_changes_the_store_cannot_hold(db: Path, tmp_path: Path) -> None:
    path = write_scenario(
        tmp_path,
        "cap",
        '[[change]]\nkind = "capacity"\nperson = "ben"\nfrom = 2027-01-11\nhours_per_week = 10\n',
    )
    before = _dump(db)
    result = invoke(db, "scenario", "promote", str(path), "--yes", *FAST)
    assert result.exit_code == 2
    assert (
        "cannot be promoted" in result.output
        and "change 1 (capacity): hours_per_week" in result.output
    )
    assert _dump(db) == before


def test_promote_refuses_when_the_allocations_changed_meanwhile(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmo_tui.scenarios import promote

    path = write_scenario(tmp_path, "grow", CHANGES)
    real = promote.write_promotion

    def someone_writes_first(database, run, rows, fingerprint, who):
        with sqlite3.connect(db) as other:  # another user, on another connection
            other.execute("UPDATE allocation SET hours = 31 WHERE person_id = 'ann'")
        return real(database, run, rows, fingerprint, who)

    monkeypatch.setattr(promote, "write_promotion", someone_writes_first)
    result = invoke(db, "scenario", "promote", str(path), "--yes", *FAST)
    assert (
        result.exit_code == 2
        and "allocation changed since this scenario was computed" in result.output
    )
    with read_connection(db) as connection:
        assert connection.execute("SELECT count(*) FROM person WHERE id = 'hire-1'").fetchone() == (
            0,
        )
        assert connection.execute(
            "SELECT count(*) FROM change_log WHERE entity = 'scenario'"
        ).fetchone() == (0,)


def test_a_failed_promote_leaves_the_database_as_it_was(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmo_tui.store import change_log

    path = write_scenario(tmp_path, "grow", CHANGES)
    before = _dump(db)

    def fail(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(change_log, "log_change", fail)  # the last write of the transaction
    with pytest.raises(RuntimeError, match="killed"):
        invoke(db, "scenario", "promote", str(path), "--yes", *FAST)
    assert _dump(db) == before
