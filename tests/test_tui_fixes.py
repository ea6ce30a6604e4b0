"""The TUI fixes of issue 13 and the `e` export, driven through the pilot at 80x24 and 120x40.

Data: the tiny organisation of ``test_tui_support`` (Ann 125 % in 2027-W01/W02, 100 %
after; Ben 25 %, 25 %, 0, 0; Cat 50 %; Dan 20 %). Waits are on the app's workers and
message queue, never sleeps.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl
import pytest
from test_tui_support import TODAY, WEEKS, build_small_db, settle, sync
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey

from pmo_tui.tui.app import PmoApp, make_app
from pmo_tui.tui.widgets.dialogs import RowsDialog, TextDialog
from pmo_tui.tui.widgets.grid import GridTable
from pmo_tui.tui.widgets.moves import MovesPane

SIZES = [(80, 24), (120, 40)]
WEEK_LABELS = ["2027-W01", "2027-W02", "2027-W03", "2027-W04"]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_small_db(tmp_path / "t.db")


def _app(db_path: Path, screen: str, export_dir: Path | None = None) -> tuple[PmoApp, list[str]]:
    """The app on ``screen`` writing exports to ``export_dir``, and the notifications it shows."""
    app = make_app(db_path, initial_screen=screen, today=TODAY)
    notes: list[str] = []
    app.notify = lambda message, **_: notes.append(str(message))  # type: ignore[method-assign]
    if export_dir is not None:
        app.export_dir = export_dir
    return app, notes


def _footer_keys(app: PmoApp) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


# --------------------------------------------------------------------- export with e
@pytest.mark.parametrize("size", SIZES)
@sync
async def test_e_exports_the_filtered_heatmap_and_says_where(
    db_path: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    app, notes = _app(db_path, "capacity", tmp_path / "exports")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("o")  # over-allocated people only: Ann
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        path = tmp_path / "exports" / f"capacity-{TODAY.isoformat()}.xlsx"
        assert notes == [f"6 rows written to {path}"]  # Ann's 2 grid rows + her 4 person-weeks
        await pilot.press("e")  # a second export never overwrites the first
        await settle(pilot)
        assert notes[-1].endswith(f"capacity-{TODAY.isoformat()}-2.xlsx")
    grid = pl.read_excel(path, sheet_name="utilisation")
    assert grid.columns == ["person_id", "name", *WEEK_LABELS]
    assert grid.rows() == [("ann", "Ann Archer", 125, 125, 100, 100)]
    over = pl.read_excel(path, sheet_name="over_hours")
    assert over.rows() == [("ann", "Ann Archer", 10, 10, 0, 0)]
    rows = pl.read_excel(path, sheet_name="capacity")
    assert rows.height == 4 and set(rows["person_id"]) == {"ann"}


@sync
async def test_e_exports_the_portfolio_rows_the_filter_keeps(db_path: Path, tmp_path: Path) -> None:
    app, notes = _app(db_path, "portfolio", tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"warehouse", "enter", "e")
        await settle(pilot)
    assert notes == [f"3 rows written to {tmp_path / f'portfolio-{TODAY.isoformat()}.xlsx'}"]
    sheet = pl.read_excel(tmp_path / f"portfolio-{TODAY.isoformat()}.xlsx")
    assert sheet["id"].to_list() == ["PF-A", "PG-2", "P-DWH"]
    warehouse = sheet.row(2, named=True)
    assert (warehouse["phase"], warehouse["start"]) == ("execution", WEEKS[0])


@sync
async def test_e_exports_the_findings_the_filters_keep(tmp_path: Path) -> None:
    from governance_support import TODAY as GOVERNED_TODAY
    from governance_support import build_governed_db

    app = make_app(build_governed_db(tmp_path / "g.db"), "findings", today=GOVERNED_TODAY)
    app.export_dir = tmp_path
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#findings", DataTable)
        await pilot.press("slash", *"p-web", "enter", "e")
        await settle(pilot)
        kept = [int(str(table.get_row_at(i)[0])) for i in range(table.row_count)]
    sheet = pl.read_excel(tmp_path / f"findings-{GOVERNED_TODAY.isoformat()}.xlsx")
    assert kept and sheet["id"].to_list() == kept and set(sheet["project_id"]) == {"P-WEB"}
    assert {"description", "age_days", "repeats"} <= set(sheet.columns)


@sync
async def test_the_plan_exports_what_is_on_screen_and_hides_keys_that_cannot_act(
    db_path: Path, tmp_path: Path
) -> None:
    app, notes = _app(db_path, "plan", tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert not {"Accept", "Discard", "Export", "Cancel"} & set(_footer_keys(app))
        await pilot.press("e")  # nothing to export: the key does nothing
        screen.query_one("#param-time_limit", Input).value = "1"
        await pilot.press("r")
        await settle(pilot)
        assert {"Accept", "Discard", "Export"} <= set(_footer_keys(app))
        await pilot.press("e")
        await settle(pilot)
        moves = screen.outcome.result.moves.height
    path = tmp_path / f"plan-{TODAY.isoformat()}.xlsx"
    assert notes == [f"{moves + 8 + screen.outcome.result.unmet.height} rows written to {path}"]
    sheets = pl.read_excel(path, sheet_id=0)
    assert list(sheets) == ["moves", "kpis", "unmet"] and sheets["moves"].height == moves


# --------------------------------------------------------------------- capacity
@pytest.mark.parametrize("size", SIZES)
@sync
async def test_enter_on_a_name_opens_the_person(db_path: Path, size: tuple[int, int]) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "INSERT INTO leave (person_id, start, end, hours_per_day, reason) "
            "VALUES ('ann', '2027-01-11', '2027-01-12', 8, 'training')"
        )
    app, _ = _app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#grid", GridTable).cursor_column == 0  # the name column
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        assert str(dialog.query_one("#dialog-title").render()) == "Ann Archer (ann)"
        text = str(dialog.query_one("#dialog-body").render())
        assert "unit Engineering · region UK" in text
        assert "Working pattern: Mon 8 h, Tue 8 h, Wed 8 h, Thu 8 h, Fri 8 h (40 h a week)" in text
        assert "dev  Developer      4" in text  # the skill, its name and level
        assert "2027-01-11  2027-01-12          8.0  training" in text
        await pilot.press("escape")
        assert isinstance(app.screen.query_one("#grid"), GridTable)


@sync
async def test_the_drill_down_speaks_in_words(db_path: Path) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "UPDATE allocation SET pinned = 1 WHERE person_id = 'ann' AND hours = 10"
        )
    app, _ = _app(db_path, "capacity")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l", "enter")
        dialog = app.screen
        assert isinstance(dialog, RowsDialog)
        table = dialog.query_one("#rows-table", DataTable)
        assert [str(c.label) for c in table.ordered_columns] == [
            "project",
            "name",
            "demand",
            "hours",
            "booking",
        ]
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [
            ["P-CRM", "CRM upgrade", "D1", "40.0", "soft"],
            ["P-WEB", "Web shop", "D2", "10.0", "soft, pinned"],
        ]
        note = str(dialog.query_one("#dialog-note").render())
        assert "soft: the plan may move it" in note and "False" not in note


@sync
async def test_the_legend_explains_dash_and_infinity_on_one_line(db_path: Path) -> None:
    app, _ = _app(db_path, "capacity")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = app.screen.query_one("#status", Static)
        assert "- 0 h cap  ∞ on 0 h" in str(status.render())
        assert status.region.height == 1


@sync
async def test_the_skill_list_fits_80_columns_one_skill_a_line(db_path: Path) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.execute("INSERT INTO skill (id, name) VALUES ('solution-architecture', 'SA')")
        connection.execute(
            "INSERT INTO person_skill (person_id, skill_id, level) "
            "VALUES ('cat', 'solution-architecture', 3)"
        )
    app, _ = _app(db_path, "capacity")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        overlay = app.screen.query_one("#skill > SelectOverlay")
        assert overlay.region.right <= 80
        assert overlay.content_region.width >= len("solution-architecture") + 2
        assert overlay.virtual_size.height == 4  # the prompt and three skills, no wrapping


# --------------------------------------------------------------------- portfolio
def _header(app: PmoApp) -> str:
    return app.screen.query_one("#tree", DataTable).render_line(0).text


@sync
async def test_portfolio_shows_phase_start_finish_at_120_with_the_detail_below(
    db_path: Path,
) -> None:
    app, _ = _app(db_path, "portfolio")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _header(app).split() == [
            "name",
            "status",
            "prio",
            "demand",
            "h",
            "alloc",
            "h",
            "over",
            "phase",
            "start",
            "finish",
        ]
        tree, detail = app.screen.query_one("#tree"), app.screen.query_one("#detail")
        assert detail.display and detail.region.y >= tree.region.bottom
        assert "manager: Maria Moss" in str(detail.render())


@sync
async def test_portfolio_at_80_scrolls_whole_columns_and_keeps_the_name(db_path: Path) -> None:
    app, _ = _app(db_path, "portfolio")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "finish" not in _header(app)
        seen = [_header(app)]
        for _ in range(8):
            await pilot.press("l")
            await pilot.pause()
            seen.append(_header(app))
        assert all(line.split()[0] == "name" for line in seen)  # the name column stays
        last = seen[-1].split()
        assert last[-3:] == ["phase", "start", "finish"]
        # whole columns only: every header word is a column label, never a cut one
        labels = {"name", "status", "prio", "demand", "alloc", "h", "over", "phase", "start"}
        assert all(set(line.split()) <= labels | {"finish"} for line in seen)
        row = app.screen.query_one("#tree", DataTable).render_line(3).text  # P-CRM
        assert "execution" in row and "2027-01-04" in row and "CRM upgrade" in row


# --------------------------------------------------------------------- plan
@sync
async def test_the_moves_tab_groups_by_person_and_tells_the_highlighted_move_in_full(
    db_path: Path,
) -> None:
    app, _ = _app(db_path, "plan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#param-time_limit", Input).value = "1"
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("t", "space", "j")
        moves = screen.query_one(MovesPane).moves
        table = screen.query_one("#moves", DataTable)
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        move = moves.row(int(key), named=True)
        detail = str(screen.query_one("#move-detail", Static).render())
        assert move["reason"] in detail and move["person"] in detail
        assert "2027-W0" in str(table.get_row_at(table.cursor_row)[0])  # the weeks, in view
        await pilot.press("space")  # folds the person again
        assert table.row_count == moves["person_id"].n_unique()


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_enter_unfolds_a_person_with_the_moves_columns_whole(
    db_path: Path, size: tuple[int, int]
) -> None:
    """``enter`` rebuilds the table inside a key press: the frame painted then must show
    each move's weeks and change whole, not cut to the column labels' widths."""
    from pmo_tui.tui.plan_views import change_text, weeks_text

    app, _ = _app(db_path, "plan")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#param-time_limit", Input).value = "1"
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("t", "enter")
        await settle(pilot)
        table = screen.query_one("#moves", DataTable)
        key = table.coordinate_to_cell_key((1, 0)).row_key.value
        move = screen.query_one(MovesPane).moves.row(int(key), named=True)
        line = table.render_line(2).text  # the header, the person, then the first move
        weeks = weeks_text(move["first_week"], move["last_week"], move["weeks"])
        assert weeks in line and change_text(move["from"], move["to"]) in line


@sync
async def test_conflicts_tab_says_there_are_none_and_kpi_changes_add_up(db_path: Path) -> None:
    app, _ = _app(db_path, "plan")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#param-time_limit", Input).value = "1"
        await pilot.press("r")
        await settle(pilot)
        conflicts = app.screen.query_one("#conflicts", DataTable)
        assert str(conflicts.get_row_at(0)[0]).startswith("no conflicts")
        kpis = app.screen.query_one("#kpis", DataTable)
        for i in range(kpis.row_count):
            _, before, after, change = (str(cell).replace(",", "") for cell in kpis.get_row_at(i))
            assert round(float(after) - float(before), 1) == float(change)


# --------------------------------------------------------------------- first run
def test_the_tui_on_a_new_database_says_it_holds_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    import click

    from pmo_tui.cli import cli
    from pmo_tui.cli.common import run_app

    terminal = types.SimpleNamespace(isatty=lambda: True)
    monkeypatch.setattr(
        "pmo_tui.cli.common.sys", types.SimpleNamespace(stdin=terminal, stdout=terminal)
    )
    notices: list[str | None] = []
    monkeypatch.setattr(PmoApp, "run", lambda app, *_, **__: notices.append(app.startup_notice))
    path = tmp_path / "pmo.db"
    obj = {"db_path": path, "db_named": False, "theme": None, "no_mouse": False}
    run_app(click.Context(cli, obj=obj), "portfolio")
    assert path.exists() and notices[0] is not None
    assert notices[0].startswith(f"Created the database {path} with the demo organisation")
    run_app(click.Context(cli, obj=obj), "portfolio")
    assert notices[1] is None  # said once


@sync
async def test_the_first_run_notice_is_shown_once_the_app_is_up(db_path: Path) -> None:
    app, notes = _app(db_path, "portfolio")
    app.startup_notice = "Created the database x.db with the demo organisation"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert notes == ["Created the database x.db with the demo organisation"]
