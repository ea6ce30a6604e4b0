"""Changing bookings from the capacity drill-down, driven through the pilot at 80x24 and 120x40.

Data: the tiny organisation of ``test_tui_support``; the drill-down opens on Ann's first
week (``l``, ``enter``), whose largest booking is listed first. Each test reads the
database before and after: the values written, the change set named in the notification,
and nothing written when the user cancels, is a viewer, or the week is history.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from test_tui_support import TODAY, WEEKS, build_small_db, settle, sync
from textual.widgets import DataTable, Input
from tui_edit_support import (
    SIZES,
    allocations,
    as_viewer,
    booked,
    change_set_count,
    edit_app,
    newest_change_set,
    rows,
    until,
    written_as,
)

from pmo_tui.domain.horizon import window_of
from pmo_tui.editing.allocations import Booking
from pmo_tui.editing.candidates import move_candidates
from pmo_tui.tui.data import connection
from pmo_tui.tui.widgets.dialogs import ConfirmDialog, ErrorDialog
from pmo_tui.tui.widgets.edit_dialogs import BookingsDialog, ChoiceDialog, ValueDialog


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_small_db(tmp_path / "t.db")


def _largest_booking(db_path: Path, person: str, week: dt.date) -> tuple[str, str, float]:
    """(project, demand, hours) of the person-week's largest booking (listed first)."""
    return rows(
        db_path,
        "SELECT project_id, demand_id, hours FROM allocation WHERE person_id = ? AND week = ? "
        "ORDER BY hours DESC, project_id LIMIT 1",
        (person, week.isoformat()),
    )[0]


async def _open_first_week(pilot) -> BookingsDialog:
    """Ann's first week (the grid opens on the name column of the first row)."""
    await settle(pilot)
    await pilot.press("l", "enter")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, BookingsDialog)
    return dialog


def _table_rows(dialog) -> list[list[str]]:
    table = dialog.query_one("#rows-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_changing_the_hours_of_a_booking_writes_one_change_set(
    db_path: Path, size: tuple[int, int]
) -> None:
    project, _, hours = _largest_booking(db_path, "ann", WEEKS[0])
    others = [
        row for row in allocations(db_path) if row[1:5] != ("ann", project, "D1", str(WEEKS[0]))
    ]
    app, notes = edit_app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_first_week(pilot)
        await pilot.press("c")
        ask = app.screen
        assert isinstance(ask, ValueDialog)
        assert ask.query_one("#value", Input).value == f"{hours:g}"
        ask.query_one("#value", Input).value = "abc"
        await pilot.press("enter")  # refused in the dialog, which stays
        assert app.screen is ask and "number" in str(ask.query_one("#dialog-note").render())
        ask.query_one("#value", Input).value = f"{hours - 12.5:g}"
        await pilot.press("enter")
        confirm = app.screen
        assert isinstance(confirm, ConfirmDialog)
        body = str(confirm.query_one("#dialog-body").render())
        assert f"hours: {hours:g} → {hours - 12.5:g}" in body and "Ann Archer (ann)" in body
        await pilot.press("y")
        await until(pilot, lambda: any("Written as change set" in note for note in notes))
        assert app.screen is dialog  # the bookings stay open, as they are now
        await until(pilot, lambda: _table_rows(dialog)[0][3] == f"{hours - 12.5:.1f}")
    assert booked(db_path, "ann", project, WEEKS[0]) == [(hours - 12.5, "soft", 0)]
    assert [
        row for row in allocations(db_path) if row[1:5] != ("ann", project, "D1", str(WEEKS[0]))
    ] == others
    written_as(db_path, notes, "Change hours", "allocation set")


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_cancelling_at_any_step_writes_nothing(db_path: Path, size: tuple[int, int]) -> None:
    before, change_sets = allocations(db_path), change_set_count(db_path)
    app, _ = edit_app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_first_week(pilot)
        await pilot.press("c", "escape")  # the hours dialog
        assert app.screen is dialog
        await pilot.press("c")
        app.screen.query_one("#value", Input).value = "1"
        await pilot.press("enter", "n")  # the confirmation
        assert app.screen is dialog
        await pilot.press("p", "n", "m")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("escape")  # the move dialog
        await settle(pilot)
        assert app.screen is dialog
    assert allocations(db_path) == before and change_set_count(db_path) == change_sets


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_pinning_and_unpinning_a_booking(db_path: Path, size: tuple[int, int]) -> None:
    project, _, hours = _largest_booking(db_path, "ann", WEEKS[0])
    app, notes = edit_app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_first_week(pilot)
        await pilot.press("p")
        assert "booking: soft → soft, pinned" in str(app.screen.query_one("#dialog-body").render())
        await pilot.press("y")
        await until(pilot, lambda: _table_rows(dialog)[0][4] == "soft, pinned")
        assert booked(db_path, "ann", project, WEEKS[0]) == [(hours, "soft", 1)]
        assert newest_change_set(db_path)[1] == "allocation pin"
        await pilot.press("p", "y")
        await until(pilot, lambda: _table_rows(dialog)[0][4] == "soft")
    assert booked(db_path, "ann", project, WEEKS[0]) == [(hours, "soft", 0)]
    assert newest_change_set(db_path)[1] == "allocation unpin"
    assert sum("Written as change set" in note for note in notes) == 2


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_moving_a_booking_offers_the_qualified_people_best_first(
    db_path: Path, size: tuple[int, int]
) -> None:
    project, demand, hours = _largest_booking(db_path, "ann", WEEKS[0])
    with connection(db_path) as db:  # the service's own answer
        expected = move_candidates(db, Booking("ann", project, demand, str(WEEKS[0])), today=TODAY)
    assert expected.height >= 1
    target = expected.row(0, named=True)
    target_before = sum(h for h, *_ in booked(db_path, target["person_id"], project, WEEKS[0]))
    app, notes = edit_app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_first_week(pilot)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        table = app.screen.query_one("#choices", DataTable)
        offered = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert offered == expected["person_id"].to_list()
        await pilot.press("enter")
        body = str(app.screen.query_one("#dialog-body").render())
        assert f"person: Ann Archer (ann) → {target['name']} ({target['person_id']})" in body
        await pilot.press("y")
        await until(pilot, lambda: project not in [row[0] for row in _table_rows(dialog)])
    assert booked(db_path, "ann", project, WEEKS[0]) == []
    moved = booked(db_path, target["person_id"], project, WEEKS[0])
    assert [h for h, *_ in moved] == [target_before + hours]
    written_as(db_path, notes, "Move booking", "allocation move")


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_a_week_of_history_is_shown_but_not_changed(
    db_path: Path, size: tuple[int, int]
) -> None:
    today = WEEKS[1] + dt.timedelta(days=2)  # the first week is history now
    before = allocations(db_path)
    app, notes = edit_app(db_path, "capacity", window=window_of(today, start=WEEKS[0]))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("h", "enter")  # the grid opens on the current week
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, BookingsDialog)
        assert str(WEEKS[0]) in str(dialog.query_one("#dialog-title").render())
        assert "History" in str(dialog.query_one("#dialog-note").render())
        for key in ("c", "p", "m"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is dialog
    assert allocations(db_path) == before
    refusals = [note for note in notes if note.startswith("History: nothing was changed")]
    assert len(refusals) == 3 and f"the week of {WEEKS[0]} is history" in refusals[0]


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_a_viewer_is_told_why_nothing_changes(
    db_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    as_viewer(monkeypatch)
    before = allocations(db_path)
    app, notes = edit_app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_first_week(pilot)
        for key in ("c", "p", "m"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is dialog
    assert allocations(db_path) == before
    assert notes and all("vera is a viewer: read only" in note for note in notes)


@sync
async def test_a_refusal_of_the_service_is_an_error_dialog_and_writes_nothing(
    db_path: Path,
) -> None:
    app, _ = edit_app(db_path, "capacity")
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await _open_first_week(pilot)
        await pilot.press("c")
        app.screen.query_one("#value", Input).value = "8"
        await pilot.press("enter")
        before = allocations(db_path)
        other = sqlite3.connect(db_path, isolation_level=None)  # someone removes the project
        other.execute("PRAGMA foreign_keys = OFF")
        other.execute("DELETE FROM project WHERE id = 'P-CRM'")
        other.close()
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, ErrorDialog))
        assert "unknown project 'P-CRM'" in str(app.screen.query_one("#dialog-body").render())
        await pilot.press("escape")
        assert app.screen is dialog
    assert allocations(db_path) == before
