"""Editing a project on the portfolio screen, driven through the pilot at 80x24 and 120x40.

Data: the tiny organisation of ``test_tui_support`` (no gate is approved yet, so any
phase change needs the stage-gate override). The values before are read from the
database; each test checks the row after, the change set, and that cancelling, a
viewer or a bad value leave the database as it was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_tui_support import build_small_db, settle, sync
from textual.widgets import Input, Select
from tui_edit_support import (
    SIZES,
    as_viewer,
    change_set_count,
    edit_app,
    newest_change_set,
    projects,
    rows,
    until,
    written_as,
)

from pmo_tui.tui.app import PmoApp
from pmo_tui.tui.widgets.dialogs import ConfirmDialog
from pmo_tui.tui.widgets.edit_dialogs import ProjectDialog, ValueDialog
from pmo_tui.tui.widgets.tables import KeyTable


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_small_db(tmp_path / "t.db")


def _project(db_path: Path, project_id: str) -> dict:
    names = ("rag", "phase", "priority", "start", "finish")
    found = rows(db_path, f"SELECT {', '.join(names)} FROM project WHERE id = ?", (project_id,))[0]
    return dict(zip(names, found, strict=True))


async def _select(pilot, project_id: str) -> None:
    """Put the tree's cursor on ``project_id`` (as j/k would)."""
    await settle(pilot)
    table = pilot.app.screen.query_one("#tree", KeyTable)
    table.move_cursor(row=table.get_row_index(f"project:{project_id}"))
    await pilot.pause()


async def _open_dialog(pilot, project_id: str) -> ProjectDialog:
    await _select(pilot, project_id)
    await pilot.press("c")
    dialog = pilot.app.screen
    assert isinstance(dialog, ProjectDialog)
    return dialog


def _body(app: PmoApp) -> str:
    return str(app.screen.query_one("#dialog-body").render())


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_editing_rag_status_priority_and_finish(db_path: Path, size: tuple[int, int]) -> None:
    before = _project(db_path, "P-CRM")
    finish = dt.date.fromisoformat(before["finish"]) + dt.timedelta(weeks=2)
    priority = before["priority"] % 5 + 1
    rag = next(r for r in ("green", "amber", "red") if r != before["rag"])
    app, notes = edit_app(db_path, "portfolio")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_dialog(pilot, "P-CRM")
        assert dialog.query_one("#field-rag", Select).value == before["rag"]
        assert dialog.query_one("#field-start", Input).value == before["start"]
        dialog.query_one("#field-rag", Select).value = rag
        dialog.query_one("#field-priority", Input).value = str(priority)
        dialog.query_one("#field-finish", Input).value = finish.isoformat()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        body = _body(app)
        assert f"rag: {before['rag']} → {rag}" in body
        assert f"priority: {before['priority']} → {priority}" in body
        assert f"finish: {before['finish']} → {finish}" in body
        assert "phase" not in body and "start" not in body
        await pilot.press("y")
        await until(pilot, lambda: any("Written as change set" in note for note in notes))
        await until(pilot, lambda: rag in str(app.screen.query_one("#detail").render()))
    after = _project(db_path, "P-CRM")
    assert after == {**before, "rag": rag, "priority": priority, "finish": finish.isoformat()}
    written_as(db_path, notes, "Edit project", "project edit")


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_a_phase_the_stage_gate_refuses_is_overridden_only_with_a_reason(
    db_path: Path, size: tuple[int, int]
) -> None:
    before = _project(db_path, "P-WEB")
    app, _ = edit_app(db_path, "portfolio")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_dialog(pilot, "P-WEB")
        dialog.query_one("#field-phase", Select).value = "execution"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"phase: {before['phase']} → execution" in _body(app)
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, ValueDialog))
        assert f"cannot move from {before['phase']} to execution" in _body(app)
        assert "gate is not approved" in _body(app)
        await pilot.press("ctrl+s")  # no reason: refused in the dialog
        note = str(app.screen.query_one("#dialog-note").render())
        assert "a reason is required" in note
        assert _project(db_path, "P-WEB") == before
        app.screen.query_one("#value", Input).value = "board decision of 6 January"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _project(db_path, "P-WEB")["phase"] == "execution")
        await settle(pilot)
    assert newest_change_set(db_path)[1] == "project edit"
    logged = rows(db_path, "SELECT action, reason FROM change_log ORDER BY id DESC LIMIT 2")
    assert ("phase_override", "board decision of 6 January") in logged


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_cancelling_a_project_edit_writes_nothing(
    db_path: Path, size: tuple[int, int]
) -> None:
    before, change_sets = projects(db_path), change_set_count(db_path)
    app, _ = edit_app(db_path, "portfolio")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_dialog(pilot, "P-DWH")
        dialog.query_one("#field-priority", Input).value = "5"
        await pilot.press("escape")  # the form
        dialog = await _open_dialog(pilot, "P-DWH")
        await pilot.press("ctrl+s")  # nothing changed: said, the form stays
        assert app.screen is dialog
        assert "nothing changed" in str(dialog.query_one("#dialog-note").render())
        dialog.query_one("#field-phase", Select).value = "closing"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")  # the gate refuses; the override is cancelled
        await until(pilot, lambda: isinstance(app.screen, ValueDialog))
        await pilot.press("escape")
        await settle(pilot)
        dialog = await _open_dialog(pilot, "P-DWH")
        dialog.query_one("#field-rag", Select).value = "red"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")  # the confirmation
        await settle(pilot)
    assert projects(db_path) == before and change_set_count(db_path) == change_sets


@pytest.mark.parametrize(
    ("size", "field", "typed", "said"),
    [
        ((80, 24), "finish", "the day before start", "finish"),
        ((120, 40), "finish", "the day before start", "finish"),
        ((80, 24), "start", "2027-13-45", "'2027-13-45' is not a date."),
    ],
)
@sync
async def test_a_bad_value_opens_the_dialog_again_as_typed_and_writes_nothing(
    db_path: Path, size: tuple[int, int], field: str, typed: str, said: str
) -> None:
    """The service's message under the fields, the cursor in the field it is about and
    every value as typed, so a typo costs one correction, not the whole form again."""
    before, change_sets = projects(db_path), change_set_count(db_path)
    start = _project(db_path, "P-OPS")["start"]
    if typed == "the day before start":
        typed = (dt.date.fromisoformat(start) - dt.timedelta(days=1)).isoformat()
    app, _ = edit_app(db_path, "portfolio")
    async with app.run_test(size=size) as pilot:
        dialog = await _open_dialog(pilot, "P-OPS")
        dialog.query_one(f"#field-{field}", Input).value = typed
        dialog.query_one("#field-priority", Input).value = "2"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ProjectDialog) and app.screen != dialog)
        again = app.screen
        assert again.query_one(f"#field-{field}", Input).value == typed
        assert again.query_one("#field-priority", Input).value == "2"
        assert again.focused is again.query_one(f"#field-{field}")
        note = str(again.query_one("#dialog-note").render())
        assert note.startswith("✖ ") and said in note and "Fix: " in note
        await pilot.press("escape")
        await settle(pilot)
    assert projects(db_path) == before and change_set_count(db_path) == change_sets


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_a_viewer_cannot_edit_a_project_and_is_told_why(
    db_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    as_viewer(monkeypatch)
    before = projects(db_path)
    app, notes = edit_app(db_path, "portfolio")
    async with app.run_test(size=size) as pilot:
        await _select(pilot, "P-CRM")
        await pilot.press("c")
        await settle(pilot)
        assert not isinstance(app.screen, ProjectDialog)
    assert projects(db_path) == before
    assert len(notes) == 1 and "vera is a viewer: read only" in notes[0]


@sync
async def test_edit_needs_a_project_under_the_cursor(db_path: Path) -> None:
    app, notes = edit_app(db_path, "portfolio")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g", "c")  # a portfolio
        assert not isinstance(app.screen, ProjectDialog)
    assert notes == ["Select a project first."]
