"""The TUI driven as a user does: keys through the pilot, at 80x24 and 120x40.

Every wait is on the app's own workers (``app.workers.wait_for_complete()``)
and message queue (``pilot.pause()``), never a sleep. Solves use a 1 s limit.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from test_tui_support import TODAY, WEEKS, build_small_db, large_capacity, settle, sync
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static
from textual.widgets._footer import FooterKey

from pmo_tui.errors import UserError
from pmo_tui.tui.app import PmoApp, make_app
from pmo_tui.tui.plan_views import person_groups
from pmo_tui.tui.screens.capacity import CapacityLoaded, CapacityScreen
from pmo_tui.tui.screens.findings import FindingsScreen
from pmo_tui.tui.screens.plan import PlanScreen
from pmo_tui.tui.screens.portfolio import PortfolioScreen
from pmo_tui.tui.widgets.dialogs import ConfirmDialog, ErrorDialog, HelpDialog, RowsDialog
from pmo_tui.tui.widgets.grid import GridTable
from pmo_tui.tui.widgets.moves import MovesPane

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_small_db(tmp_path / "t.db")


def _app(db_path: Path, screen: str = "portfolio") -> PmoApp:
    return make_app(db_path, initial_screen=screen, today=TODAY)


def _rows(app: PmoApp, selector: str) -> int:
    return app.screen.query_one(selector, DataTable).row_count


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_number_keys_switch_screens_and_esc_goes_back(
    db_path: Path, size: tuple[int, int]
) -> None:
    app = _app(db_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PortfolioScreen)
        for key, screen_type in (("2", CapacityScreen), ("3", PlanScreen), ("4", FindingsScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen_type)
        await pilot.press("escape")
        assert isinstance(app.screen, PlanScreen)
        await pilot.press("1")
        assert isinstance(app.screen, PortfolioScreen)


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_portfolio_filter_fold_and_detail(db_path: Path, size: tuple[int, int]) -> None:
    app = _app(db_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert _rows(app, "#tree") == 8
        await pilot.press("slash", *"warehouse", "enter")
        assert _rows(app, "#tree") == 3  # Alpha > Data > Warehouse
        assert isinstance(app.focused, DataTable)
        await pilot.press("escape")  # clears the filter
        assert _rows(app, "#tree") == 8
        await pilot.press("g", "space")  # fold portfolio Alpha
        assert _rows(app, "#tree") == 3
        await pilot.press("G")
        detail = str(app.screen.query_one("#detail").render())
        assert "Ops tooling" in detail and "closing" in detail


@sync
async def test_detail_pane_collapses_at_80_columns(db_path: Path) -> None:
    app = _app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = app.screen.query_one("#detail")
        assert app.screen.has_class("-narrow") and not detail.display
        await pilot.press("i")
        assert detail.display


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_capacity_drill_down_into_a_person_week(db_path: Path, size: tuple[int, int]) -> None:
    app = _app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, GridTable) and app.focused.row_count == 4
        await pilot.press("l", "enter")  # Ann, week of 2027-01-04
        dialog = app.screen
        assert isinstance(dialog, RowsDialog)
        assert dialog.query_one("#rows-table", DataTable).row_count == 2  # P-CRM 40 h, P-WEB 10 h
        assert str(WEEKS[0]) in str(dialog.query_one("#dialog-title").render())
        await pilot.press("escape")
        assert isinstance(app.screen, CapacityScreen)


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_capacity_marks_a_day_over_capacity_in_a_week_within_it(
    db_path: Path, size: tuple[int, int]
) -> None:
    """Cat's 20 h of the week of 2027-01-04 (50 %) were imported all on Monday: 20 h of 8."""
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO allocation_day (person_id, project_id, demand_id, date, hours) "
            "VALUES ('cat', 'P-DWH', 'D3', '2027-01-04', 20.0)"
        )
    app = _app(db_path, "capacity")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CapacityScreen) and screen.frame is not None
        cells = dict(zip(screen.frame["person_id"], screen.frame[str(WEEKS[0])], strict=True))
        assert cells["cat"] == "  50% △"
        assert cells["ben"] == "  25% ░"  # no shape: spread over the calendar, never a day over
        assert "△a day over" in str(screen.query_one("#status").render())
        await pilot.press("j", "j", "l", "enter")  # Cat, week of 2027-01-04
        note = str(app.screen.query_one("#dialog-note").render())
        assert "peak day Mon 04 Jan: 20 h of 8 h  △ over on that day" in note


@sync
async def test_capacity_filters_and_demand_view(db_path: Path) -> None:
    app = _app(db_path, "capacity")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("o")
        await settle(pilot)
        assert screen.frame["person_id"].to_list() == ["ann"]
        await pilot.press("o")
        screen.query_one("#skill", Select).value = "ba"
        await settle(pilot)
        assert screen.frame["person_id"].to_list() == ["ben", "cat"]
        await pilot.press("slash", *"cole", "enter")
        await settle(pilot)
        assert screen.frame["person_id"].to_list() == ["cat"]
        screen.query_one("#skill", Select).value = Select.NULL
        screen.query_one("#text-filter", Input).value = ""
        await pilot.press("v", "o")
        await settle(pilot)
        assert screen.frame["project_id"].to_list() == ["P-DWH", "P-OPS"]  # unmet demand only
        assert screen.check_action("drill", ()) is None  # drill-down is for the heatmap


@sync
async def test_capacity_filters_are_reachable_from_the_keyboard(db_path: Path) -> None:
    app = _app(db_path, "capacity")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("tab")  # from the grid to the name filter, not the next cell
        assert app.focused is screen.query_one("#text-filter")
        await pilot.press("tab", "enter", "down", "enter")  # skill: the first choice, "ba"
        await settle(pilot)
        assert screen.filters.skill == "ba" and not isinstance(app.focused, GridTable)
        await pilot.press("escape", "u")  # back to the grid; u opens the unit drop-down
        assert app.focused.parent is screen.query_one("#unit", Select)
        await pilot.press("escape", "escape", "ctrl+p", *"region", "enter")
        assert screen.query_one("#region", Select).expanded


@sync
async def test_findings_filters_open_with_s_and_t(db_path: Path) -> None:
    app = _app(db_path, "findings")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert app.screen.query_one("#severity", Select).expanded
        await pilot.press("escape", "escape", "t")
        assert app.screen.query_one("#status-filter", Select).expanded


@sync
async def test_capacity_stays_responsive_with_2000_people_and_100000_allocations(
    db_path: Path,
) -> None:
    data = large_capacity()
    app = _app(db_path, "capacity")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.post_message(CapacityLoaded(data))  # what the load worker posts
        await settle(pilot)
        grid = app.screen.query_one("#grid", GridTable)
        assert (grid.row_count, grid.column_count) == (2000, 53)  # name + 52 weeks
        await pilot.press(*"l" * 10)
        assert grid.scroll_x > 0
        header = grid.render_line(0).text.split()
        assert (
            header[0] == "person"
            and all(  # ISO year and week, e.g. 2027-W01
                len(label) == 8 and label[4:6] == "-W" for label in header[1:]
            )
        )
        await pilot.press("G", "l", "enter")
        assert isinstance(app.screen, RowsDialog)
        assert "Person 1999" in str(app.screen.query_one("#dialog-title").render())
        await pilot.press("escape", "v")
        await settle(pilot)
        assert app.screen.frame.height == 300  # project/skill rows of the demand grid


@sync
async def test_findings_show_an_empty_state(db_path: Path) -> None:
    app = _app(db_path, "findings")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-empty")
        assert app.screen.query_one("#empty").display


async def _run_plan(pilot: Pilot, time_limit: str = "1") -> PlanScreen:
    screen = pilot.app.screen
    assert isinstance(screen, PlanScreen)
    screen.query_one("#param-time_limit", Input).value = time_limit
    await pilot.press("r")
    return screen


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_plan_runs_to_completion_and_shows_kpis_moves_unmet(
    db_path: Path, size: tuple[int, int]
) -> None:
    app = _app(db_path, "plan")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.check_action("accept", ()) is False  # no plan yet: not in the footer
        await _run_plan(pilot)
        await settle(pilot)
        assert screen.outcome is not None and screen.outcome.result.status in (
            "OPTIMAL",
            "FEASIBLE",
        )
        assert _rows(app, "#kpis") == 8
        moves = screen.outcome.result.moves
        assert _rows(app, "#moves") == moves["person_id"].n_unique() > 0  # a row per person
        assert _rows(app, "#shifts") == max(screen.outcome.result.shifts.height, 1)  # or a note
        assert screen.check_action("accept", ()) is True
        assert not screen.query_one("#parameters").display  # the results get the width
        await pilot.press("t", "enter")  # the moves tab; enter unfolds the person's moves
        shown = screen.query_one(MovesPane).moves
        top = person_groups(shown)["person_id"][0]  # the first row: most hours moved
        first = moves.filter(moves["person_id"] == top)
        assert _rows(app, "#moves") == moves["person_id"].n_unique() + first.height
        await pilot.press("j", "enter")  # enter on a move shows it whole
        assert isinstance(app.screen, RowsDialog)
        await pilot.press("escape", "d")
        assert screen.outcome is None and _rows(app, "#kpis") == 0


@pytest.fixture
def slow_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real solver, started only once the user cancels: the solve is surely running at esc."""
    import solver

    real = solver.solve_plan

    def wait_for_cancel(data, policy, on_progress=None, cancel=None):
        on_progress(solver.Progress(incumbent=10.0, bound=20.0, gap=0.5, elapsed_s=0.2))
        assert cancel.wait(30), "the screen never cancelled"
        return real(data, policy, on_progress=on_progress, cancel=cancel)

    monkeypatch.setattr(solver, "solve_plan", wait_for_cancel)


@sync
async def test_esc_cancels_a_solve_and_keeps_the_best_plan(
    db_path: Path, slow_solver: None
) -> None:
    app = _app(db_path, "plan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await _run_plan(pilot, time_limit="60")
        await pilot.pause()
        assert screen.solving and screen.check_action("run", ()) is None  # one solve at a time
        assert "gap 50.0%" in str(screen.query_one("#progress-figures").render())
        await pilot.press("escape")
        await settle(pilot)
        assert screen.outcome is not None and screen.outcome.result.status == "CANCELLED_WITH_PLAN"
        status = str(screen.query_one("#plan-status").render())
        assert status.startswith("cancelled: best plan so far")
        assert not screen.solving and screen.check_action("accept", ()) is True
        assert isinstance(app.screen, PlanScreen)  # esc cancelled, it did not go back


@sync
async def test_the_elapsed_time_moves_between_the_solvers_reports(
    db_path: Path, slow_solver: None
) -> None:
    app = _app(db_path, "plan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PlanScreen)
        screen.query_one("#param-time_limit", Input).value = "60"
        await pilot.press("r")
        await pilot.pause()
        figures = screen.query_one("#progress-figures", Static)
        assert "gap 50.0%" in str(figures.render())
        footer = [key.description for key in app.screen.query(FooterKey)]
        assert "Cancel" in footer  # esc cancels: the footer says so while it can
        # seven seconds after the start, with no new report from the solver (set from the
        # clock, not from the start: on a busy machine the press itself can take a second)
        screen.started = time.monotonic() - 7.1
        screen._tick()  # what the screen's half-second timer runs
        assert "gap 50.0% 7s" in str(figures.render())
        await pilot.press("escape")
        await settle(pilot)


@sync
async def test_quitting_stops_a_running_solve_at_once(db_path: Path, slow_solver: None) -> None:
    app = make_app(db_path, initial_screen="plan", plan_defaults={"time_limit": "60", "seed": "7"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.form_values()["seed"] == "7"
        await pilot.press("r")
        await pilot.pause()
        cancel = screen.cancel_event
        assert cancel is not None and not cancel.is_set()
        await pilot.press("q")
        assert cancel.is_set()


def test_form_errors_name_the_field_as_shown() -> None:
    from pmo_tui.tui.plan_form import policy_from_form

    with pytest.raises(UserError) as caught:
        policy_from_form({"time_limit": "0"})
    assert "'time limit (s)'" in str(caught.value) and "--time-limit" not in str(caught.value)


def _allocations(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as connection:
        return connection.execute(
            "SELECT person_id, demand_id, week, hours FROM allocation "
            "WHERE demand_id IS NOT NULL ORDER BY 1, 2, 3"
        ).fetchall()


@sync
async def test_accepting_a_plan_writes_it_with_a_change_log(db_path: Path) -> None:
    before = _allocations(db_path)
    app = _app(db_path, "plan")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await _run_plan(pilot)
        await settle(pilot)
        plan = screen.outcome.result.plan
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        status = str(screen.query_one("#plan-status").render())
        assert screen.outcome is None and "accepted" in status
    with sqlite3.connect(db_path) as connection:
        (newest,) = connection.execute("SELECT max(id) FROM change_set").fetchone()
    said = f"as change set {newest} (7 History lists it; u there undoes it)"
    assert said in status.replace("\n", " ")
    after = _allocations(db_path)
    assert after != before
    assert sum(hours for *_, hours in after) == pytest.approx(
        plan.filter(plan["demand_id"].is_not_null())["hours"].sum()
    )
    with sqlite3.connect(db_path) as connection:
        actions = [row[0] for row in connection.execute("SELECT action FROM change_log")]
    assert actions[-1] == "apply plan"


@sync
async def test_a_second_users_change_is_not_overwritten(db_path: Path) -> None:
    app = _app(db_path, "plan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await _run_plan(pilot)
        await settle(pilot)
        with sqlite3.connect(db_path) as connection:  # someone else books Ben meanwhile
            connection.execute(
                "INSERT INTO allocation (person_id, project_id, demand_id, week, hours) "
                "VALUES ('ben', 'P-CRM', 'D1', '2027-01-25', 5)"
            )
        before = _allocations(db_path)
        await pilot.press("a", "y")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "allocation changed since this plan" in str(
            app.screen.query_one("#dialog-body").render()
        )
        await pilot.press("escape")
        assert screen.outcome is not None  # the plan is still there to discard or re-run
    assert _allocations(db_path) == before


@sync
async def test_a_failing_read_shows_an_error_dialog_not_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_text("this is not a database")
    app = _app(broken)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "cannot read the database" in str(app.screen.query_one("#dialog-body").render())


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_help_from_the_bindings_and_the_palette_on_colon_and_ctrl_p(
    db_path: Path, size: tuple[int, int]
) -> None:
    app = _app(db_path, "plan")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpDialog)
        table = app.screen.query_one("#help-table", DataTable)
        lines = {table.get_row_at(i)[1]: table.get_row_at(i) for i in range(table.row_count)}
        assert lines["Accept"][2] == "(not now)"
        assert lines["Run"][0] == "r, f5" and lines["Palette"][0] == ":, ^p"
        assert "Capacity screen" in lines
        await pilot.press("escape", "colon")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape", "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"capa", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CapacityScreen)


def test_factory_checks_screen_and_theme(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(db_path, initial_screen="plan", theme="ansi-dark", no_mouse=True)
    assert (app.theme, app.initial_screen, app.use_mouse) == ("ansi-dark", "plan", False)
    with pytest.raises(UserError, match="unknown theme"):
        make_app(db_path, theme="no-such-theme")
    with pytest.raises(UserError, match="unknown screen"):
        make_app(db_path, initial_screen="gantt")
    with pytest.raises(UserError, match="unknown plan parameter"):
        make_app(db_path, plan_defaults={"time-limit": "3"})
    monkeypatch.setenv("NO_COLOR", "1")
    assert make_app(db_path).no_color  # Textual renders in monochrome


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_capacity_with_history_opens_on_the_current_week(db_path: Path, size) -> None:
    import datetime as dt

    from pmo_tui.domain.horizon import window_of

    window = window_of(dt.date(2027, 1, 20), start=WEEKS[0])  # the third week; two past weeks
    app = make_app(db_path, initial_screen="capacity", window=window)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        grid = screen.query_one("#grid", GridTable)
        assert grid.column_count == 5  # person + four weeks, the two past ones included
        assert grid.cursor_column == 3  # 2027-W03, the current week
        status = str(screen.query_one("#status").render())
        assert "history before 2027-W03" in status


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_the_plan_screen_shows_what_to_hire(tmp_path: Path, size: tuple[int, int]) -> None:
    from click.testing import CliRunner

    from pmo_tui.cli import cli

    db = build_small_db(tmp_path / "t.db")
    extra = tmp_path / "demands.csv"  # 100 h a week of development nobody has
    extra.write_text(
        "id,project_id,skill_id,min_level,start_week,end_week,hours_per_week\n"
        "D9,P-CRM,dev,2,2027-01-04,2027-01-25,100\n"
    )
    assert CliRunner().invoke(cli, ["--db", str(db), "import", "csv", str(extra)]).exit_code == 0
    app = _app(db, "plan")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = await _run_plan(pilot)
        await settle(pilot)
        await pilot.press("t", "t", "t")  # KPIs -> moves -> unmet -> hiring
        hiring = screen.query_one("#hiring", DataTable)
        assert app.focused is hiring
        first = [str(cell) for cell in hiring.get_row_at(0)]
        assert (first[0], first[1]) == ("dev", "2027-Q1")
        assert screen.outcome is not None and screen.outcome.hiring is not None
        assert float(first[5]) == screen.outcome.hiring["fte_hours"][0]  # one FTE covers
