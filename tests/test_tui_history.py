"""The History screen (key 7): change sets, their rows, the entity filter and undo, driven
through the pilot at 80x24 and 120x40.

Data: the tiny organisation of ``test_tui_support`` (its import is change set 1); edits
are made through the editing services (as the CLI makes them) or through the capacity
screen. Expectations are read from the database and the history services of the test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_tui_support import WEEKS, build_small_db, settle, sync
from textual.widgets import DataTable, Input
from tui_edit_support import (
    SIZES,
    allocations,
    as_viewer,
    change_set_count,
    edit_app,
    newest_change_set,
    until,
)

from pmo_tui.domain.horizon import window_of
from pmo_tui.editing.allocations import Booking, set_allocation
from pmo_tui.history.log import EntityFilter, change_set_rows, list_change_sets
from pmo_tui.store.transactions import last_change_set, write_transaction
from pmo_tui.tui.data import connection, writable_connection
from pmo_tui.tui.screens.history import HistoryScreen
from pmo_tui.tui.widgets.dialogs import ConfirmDialog, ErrorDialog, RowsDialog
from pmo_tui.tui.widgets.edit_dialogs import BookingsDialog, ValueDialog


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_small_db(tmp_path / "t.db")


def _set_hours(db_path: Path, hours: str, week: dt.date = WEEKS[0]) -> int:
    """Book Ann on P-CRM/D1 for ``hours`` in ``week`` through the service; the change set."""
    with writable_connection(db_path) as db:
        set_allocation(db, Booking("ann", "P-CRM", "D1", week.isoformat()), hours)
        return last_change_set(db) or 0


def _listed(app) -> list[int]:
    table = app.screen.query_one("#change-sets", DataTable)
    return [int(str(table.get_row_at(i)[0])) for i in range(table.row_count)]


def _body(app) -> str:
    return str(app.screen.query_one("#dialog-body").render())


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_the_history_lists_change_sets_and_enter_shows_before_and_after(
    db_path: Path, size: tuple[int, int]
) -> None:
    edit = _set_hours(db_path, "30")
    with connection(db_path) as db:
        expected = list_change_sets(db)["change_set"].to_list()
        rows = change_set_rows(db, edit)
    app, _ = edit_app(db_path, "history")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert _listed(app) == expected and expected[0] == edit
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RowsDialog))
        title = str(app.screen.query_one("#dialog-title").render())
        assert title.startswith(f"Change set {edit}: allocation set by ")
        table = app.screen.query_one("#rows-table", DataTable)
        assert table.row_count == rows.height
        cells = {tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)}
        hours = rows.filter(rows["column"] == "hours").select("op", "before", "after")
        for op, before, after in hours.iter_rows():
            assert any(
                cell[1] == op and cell[3] == "hours" and cell[4:] == (before or "", after or "")
                for cell in cells
            )
        await pilot.press("escape")
        assert isinstance(app.screen, HistoryScreen)


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_the_entity_filter_keeps_the_change_sets_that_wrote_it(
    db_path: Path, size: tuple[int, int]
) -> None:
    _set_hours(db_path, "30")
    with writable_connection(db_path) as db:
        from pmo_tui.editing.projects import edit_project

        edit_project(db, "P-CRM", {"rag": "amber"})
    with connection(db_path) as db:
        wrote_projects = list_change_sets(db, entity=EntityFilter("project", "P-CRM"))
    app, _ = edit_app(db_path, "history")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert len(_listed(app)) == 3
        await pilot.press("slash", *"project:P-CRM", "enter")
        await until(pilot, lambda: len(_listed(app)) == wrote_projects.height)
        assert _listed(app) == wrote_projects["change_set"].to_list()
        assert "that wrote project:P-CRM" in str(app.screen.query_one("#status").render())
        await pilot.press("escape")  # clears the filter
        await until(pilot, lambda: len(_listed(app)) == 3)


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_an_edit_in_the_tui_is_undone_in_the_tui(
    db_path: Path, size: tuple[int, int]
) -> None:
    before = allocations(db_path)
    app, notes = edit_app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("l", "enter", "c")
        assert isinstance(app.screen, ValueDialog)
        app.screen.query_one("#value", Input).value = "12"
        await pilot.press("enter", "y")
        await until(pilot, lambda: allocations(db_path) != before)
        edit, command = newest_change_set(db_path)
        assert command == "allocation set"
        await until(pilot, lambda: any(f"change set {edit} " in note for note in notes))
        await pilot.press("escape", "7")  # close the bookings, go to History
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and _listed(app))
        assert _listed(app)[0] == edit
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Undo change set {edit}" in str(app.screen.query_one("#dialog-title").render())
        assert "allocation: " in _body(app)
        assert "allocation 1: set back hours 12.0 → 40.0" in _body(app)  # the row, in place
        await pilot.press("y")
        await until(pilot, lambda: allocations(db_path) == before)
        undo, command = newest_change_set(db_path)
        assert command == f"undo {edit}"
        await until(pilot, lambda: _listed(app)[:2] == [undo, edit])
        assert any(f"Undo change set {edit}: Written as change set {undo} " in n for n in notes)
        await pilot.press("2")  # the capacity screen reads the store again
        await until(pilot, lambda: app.screen.loaded_version == app.data_version)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingsDialog)
        table = app.screen.query_one("#rows-table", DataTable)
        assert str(table.get_row_at(0)[3]) == "40.0"  # Ann's hours as they were
    assert allocations(db_path) == before


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_an_undo_over_history_is_refused_and_forcing_takes_two_confirmations(
    db_path: Path, size: tuple[int, int]
) -> None:
    before = allocations(db_path)
    edit = _set_hours(db_path, "30")
    edited, change_sets = allocations(db_path), change_set_count(db_path)
    today = WEEKS[1] + dt.timedelta(days=2)  # the edited week is history now
    app, _ = edit_app(db_path, "history", window=window_of(today))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "refused" in str(app.screen.query_one("#dialog-title").render())
        assert "rows in weeks before the current one are history" in _body(app)
        await pilot.press("n")  # not forced
        await settle(pilot)
        await pilot.press("u", "y")  # force... then the second confirmation
        await until(pilot, lambda: "forced" in str(app.screen.query_one("#dialog-title").render()))
        assert "⚠ rows in weeks before the current one are history" in _body(app)
        await pilot.press("n")
        await settle(pilot)
        assert allocations(db_path) == edited and change_set_count(db_path) == change_sets
        await pilot.press("u", "y")
        await until(pilot, lambda: "forced" in str(app.screen.query_one("#dialog-title").render()))
        await pilot.press("y")
        await until(pilot, lambda: allocations(db_path) == before)
    assert newest_change_set(db_path)[1] == f"undo {edit}"


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_an_undo_under_a_later_change_set_names_it(
    db_path: Path, size: tuple[int, int]
) -> None:
    first = _set_hours(db_path, "30")
    later = _set_hours(db_path, "20")
    edited, change_sets = allocations(db_path), change_set_count(db_path)
    app, _ = edit_app(db_path, "history")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("j", "u")  # the older of the two
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Undo change set {first}: refused" in str(
            app.screen.query_one("#dialog-title").render()
        )
        assert f"later change sets wrote the same rows: #{later} " in _body(app)
        await pilot.press("escape")
        await settle(pilot)
    assert allocations(db_path) == edited and change_set_count(db_path) == change_sets


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_a_viewer_cannot_undo_and_is_told_why(
    db_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_hours(db_path, "30")
    as_viewer(monkeypatch)
    edited, change_sets = allocations(db_path), change_set_count(db_path)
    app, notes = edit_app(db_path, "history")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
    assert allocations(db_path) == edited and change_set_count(db_path) == change_sets
    assert len(notes) == 1 and "vera is a viewer: read only" in notes[0]


@sync
async def test_a_change_set_without_rows_cannot_be_undone_and_says_why(db_path: Path) -> None:
    with writable_connection(db_path) as db, write_transaction(db, "nothing at all"):
        pass
    app, _ = edit_app(db_path, "history")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ErrorDialog))
        assert "has no recorded rows to undo" in _body(app)


@pytest.mark.parametrize("width", [80, 100, 120, 200])
def test_the_nav_bar_keeps_seven_screens_in_view_and_the_note_where_it_fits(width: int) -> None:
    from textual.markup import to_content

    from pmo_tui.tui.screens.base import SCREENS, nav_markup

    note = "vera is a viewer: read only (pmo-tui users grant vera planner)"
    for mode in SCREENS:
        line = to_content(nav_markup(mode, "pmo.db", note, width=width)).plain
        assert len(line) <= width
        assert all(f"{n} {label}" in line for n, label in enumerate(SCREENS.values(), start=1))
        assert (note in line) == (width >= 160)
        assert ("read only" in line) == (width >= 100)
    plain = to_content(nav_markup("history", "pmo.db", width=width)).plain
    assert ("pmo.db" in plain) == (width >= 100)


@sync
async def test_e_exports_the_change_sets_the_entity_filter_keeps(
    db_path: Path, tmp_path: Path
) -> None:
    import polars as pl
    from test_tui_support import TODAY

    _set_hours(db_path, "30")
    with writable_connection(db_path) as db:
        from pmo_tui.editing.projects import edit_project

        edit_project(db, "P-CRM", {"rag": "amber"})
    app, notes = edit_app(db_path, "history")
    app.export_dir = tmp_path
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"project:P-CRM", "enter")
        await until(pilot, lambda: len(_listed(app)) == 2)  # the import and the edit
        kept = _listed(app)
        await pilot.press("e")
        await until(pilot, lambda: any("rows written to" in note for note in notes))
    path = tmp_path / f"log-{TODAY.isoformat()}.xlsx"
    assert f"Exported: 2 rows written to {path}" in notes
    sheet = pl.read_excel(path)
    assert sheet["change_set"].to_list() == kept
    assert sheet["command"].to_list() == ["project edit", "import"]
