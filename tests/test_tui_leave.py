"""Adding and removing leave from the person dialog of the capacity screen (enter on a name),
driven through the pilot at 80x24 and 120x40.

Data: the tiny organisation of ``test_tui_support`` (no leave). The capacity a week of leave
takes away is read back from the screen's own data after the re-read that follows the write.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import polars as pl
import pytest
from test_tui_support import WEEKS, build_small_db, settle, sync
from textual.widgets import Input
from tui_edit_support import (
    SIZES,
    as_viewer,
    change_set_count,
    edit_app,
    rows,
    until,
    written_as,
)

from pmo_tui.tui.screens.capacity import CapacityScreen
from pmo_tui.tui.widgets.dialogs import ConfirmDialog, ErrorDialog
from pmo_tui.tui.widgets.edit_dialogs import ChoiceDialog, LeaveDialog, PersonDialog

#: Two days off in the third week (Monday and Tuesday).
START, END = WEEKS[2], WEEKS[2] + dt.timedelta(days=1)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_small_db(tmp_path / "t.db")


def _leave(db_path: Path) -> list[tuple]:
    return rows(db_path, 'SELECT person_id, start, "end", hours_per_day, reason FROM leave')


def _capacity(app, person: str, week: dt.date) -> float:
    screen = next(s for s in app.screen_stack if isinstance(s, CapacityScreen))
    load = screen.data.utilisation.filter(
        (pl.col("person_id") == person) & (pl.col("week") == week)
    )
    return load["capacity_hours"][0]


async def _open_ann(pilot) -> PersonDialog:
    await settle(pilot)
    await pilot.press("enter")  # the grid opens on the first name: Ann
    await settle(pilot)
    assert isinstance(pilot.app.screen, PersonDialog)
    return pilot.app.screen


def _text(dialog) -> str:
    return str(dialog.query_one("#dialog-body").render())


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_adding_leave_writes_it_and_the_capacity_follows(
    db_path: Path, size: tuple[int, int]
) -> None:
    app, notes = edit_app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_ann(pilot)
        full = _capacity(app, "ann", WEEKS[2])
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, LeaveDialog)
        await pilot.press("ctrl+s")  # nothing typed: said in the form
        assert app.screen is form and "from is needed" in str(
            form.query_one("#dialog-note").render()
        )
        form.query_one("#field-start", Input).value = START.isoformat()
        form.query_one("#field-end", Input).value = END.isoformat()
        form.query_one("#field-reason", Input).value = "course"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ConfirmDialog)
        body = str(app.screen.query_one("#dialog-body").render())
        assert f"leave: - → {START} to {END}, all day (course)" in body
        await pilot.press("y")
        await until(pilot, lambda: f"{START}  {END}" in _text(dialog))
        await until(pilot, lambda: _capacity(app, "ann", WEEKS[2]) == full - 16)
    assert _leave(db_path) == [("ann", START.isoformat(), END.isoformat(), None, "course")]
    written_as(db_path, notes, "Add leave", "leave add")


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_removing_leave_offers_the_persons_leave(
    db_path: Path, size: tuple[int, int]
) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "INSERT INTO leave (person_id, start, end, hours_per_day, reason) "
            "VALUES ('ann', ?, ?, 4, 'dentist'), ('ben', ?, ?, NULL, 'holiday')",
            (START.isoformat(), END.isoformat(), START.isoformat(), END.isoformat()),
        )
    connection.close()
    app, notes = edit_app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_ann(pilot)
        await pilot.press("x")
        assert isinstance(app.screen, ChoiceDialog)
        assert app.screen.query_one("#choices").row_count == 1  # Ann's, not Ben's
        await pilot.press("enter")
        body = str(app.screen.query_one("#dialog-body").render())
        assert f"leave: {START} to {END}, 4 h a day (dentist) → removed" in body
        await pilot.press("y")
        await until(pilot, lambda: "dentist" not in _text(dialog))
    assert _leave(db_path) == [("ben", START.isoformat(), END.isoformat(), None, "holiday")]
    written_as(db_path, notes, "Remove leave", "leave remove")


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_cancelled_refused_or_read_only_leave_writes_nothing(
    db_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    change_sets = change_set_count(db_path)
    app, notes = edit_app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_ann(pilot)
        await pilot.press("x")  # no leave to remove: said, nothing to choose
        assert "has no leave to remove" in str(app.screen.query_one("#dialog-body").render())
        await pilot.press("ctrl+s")
        assert "has no leave to remove" in str(app.screen.query_one("#dialog-note").render())
        await pilot.press("escape", "a")
        app.screen.query_one("#field-start", Input).value = END.isoformat()
        app.screen.query_one("#field-end", Input).value = START.isoformat()
        await pilot.press("ctrl+s", "n")  # cancelled at the confirmation
        assert app.screen is dialog
        await pilot.press("a")
        app.screen.query_one("#field-start", Input).value = END.isoformat()
        app.screen.query_one("#field-end", Input).value = START.isoformat()
        await pilot.press("ctrl+s", "y")  # the service refuses: end before start
        await until(pilot, lambda: isinstance(app.screen, ErrorDialog))
        assert "end" in str(app.screen.query_one("#dialog-body").render())
        await pilot.press("escape")
        as_viewer(monkeypatch)
        app.role, app.role_note = "viewer", "vera is a viewer: read only"
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is dialog and "vera is a viewer: read only" in notes[-1]
    assert _leave(db_path) == [] and change_set_count(db_path) == change_sets
