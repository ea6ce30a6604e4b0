"""The Scenarios screen driven as a user does, at 80x24 and 120x40; layering of the package."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from scenario_support import build_scenario_db, file_hash, write_scenario
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from pmo_tui.tui.app import make_app
from pmo_tui.tui.screens.scenarios import SCENARIOS_ENV_VAR, ScenariosScreen
from pmo_tui.tui.widgets.dialogs import ConfirmDialog
from solver import Policy

SIZES = [(80, 24), (120, 40)]
FAST = Policy(deterministic_time=0.5, time_limit_s=20)


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = build_scenario_db(tmp_path)
    folder = tmp_path / "scenarios"
    folder.mkdir()
    write_scenario(
        folder,
        "hire",
        '[[change]]\nkind = "add_person"\nid = "hire-1"\nregion = "DE"\nskills = { data = 3 }\n',
    )
    write_scenario(folder, "no-cat", '[[change]]\nkind = "remove_person"\nperson = "cat"\n')
    (folder / "broken.toml").write_text("[[change]\n")
    monkeypatch.setenv(SCENARIOS_ENV_VAR, str(folder))
    monkeypatch.chdir(tmp_path)  # the title names the folder relative to here: "scenarios/"
    return db


async def settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _app(db: Path):
    app = make_app(db, initial_screen="scenarios")
    app.scenario_policy = FAST
    return app


def _status(app) -> str:
    return str(app.screen.query_one("#scenario-status", Static).render())


@pytest.mark.parametrize("size", SIZES)
def test_mark_two_run_compare_and_promote(org: Path, size: tuple[int, int]) -> None:
    async def scenario() -> None:
        app = _app(org)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ScenariosScreen)
            files = app.screen.query_one("#scenario-files", DataTable)
            assert files.row_count == 3  # broken.toml is listed as invalid
            assert [files.get_row_at(i)[1] for i in range(3)] == ["broken", "hire", "no-cat"]
            before = file_hash(org)
            await pilot.press("j", "space", "j", "space", "r")
            await settle(pilot)
            kpis = app.screen.query_one("#scenario-kpis", DataTable)
            assert [str(c.label) for c in kpis.ordered_columns] == [
                "metric",
                "base",
                "hire",
                "no-cat",
            ]
            status = [str(cell) for cell in kpis.get_row_at(0)]
            assert status[0] == "status" and set(status[1:]) <= {"OPTIMAL", "FEASIBLE"}
            assert "Planned the base and hire, no-cat" in _status(app)
            assert file_hash(org) == before  # running never writes
            await pilot.press("p")  # the highlighted one: no-cat
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("y")
            await settle(pilot)
            assert "Promoted no-cat" in _status(app)
        with sqlite3.connect(org) as connection:
            reasons = connection.execute(
                "SELECT reason FROM change_log WHERE entity = 'scenario'"
            ).fetchall()
        assert len(reasons) == 1 and reasons[0][0].startswith(
            "promote scenario no-cat approved by "
        )

    asyncio.run(scenario())


def test_a_broken_file_shows_its_error_and_promote_needs_a_run(org: Path) -> None:
    async def scenario() -> None:
        app = _app(org)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.screen.check_action("promote", ()) is None  # greyed out before a run
            await pilot.press("r")  # the cursor is on broken.toml
            await settle(pilot)
            assert "not valid TOML" in str(app.screen.query_one("#dialog-body", Static).render())

    asyncio.run(scenario())


def test_esc_cancels_a_running_plan(org: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import solver

    real = solver.solve_plan
    started = threading.Event()

    def slow(inputs, policy, *, cancel=None, on_progress=None):
        started.set()
        assert cancel is not None and cancel.wait(30)
        return real(inputs, policy, cancel=cancel)

    monkeypatch.setattr(solver, "solve_plan", slow)

    async def scenario() -> None:
        app = _app(org)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("j", "r")
            while not started.is_set():
                await asyncio.sleep(0.01)
            assert app.screen.running and app.screen.check_action("run", ()) is None
            await pilot.press("escape")
            await settle(pilot)
            assert "Cancelled" in _status(app) and not app.screen.running

    asyncio.run(scenario())


@pytest.mark.parametrize("size", SIZES)
def test_per_skill_rows_name_their_skill_and_t_shows_where_the_focus_is(
    org: Path, size: tuple[int, int]
) -> None:
    async def scenario() -> None:
        app = _app(org)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("j", "j", "r")  # no-cat
            await settle(pilot)
            kpis = app.screen.query_one("#scenario-kpis", DataTable)
            labels = [kpis.get_row_at(i)[0].plain for i in range(kpis.row_count)]
            assert "unmet h [data]" in labels  # without cat, data demand goes unmet
            rendered = [kpis.render_line(1 + i).text for i in range(kpis.row_count)]
            assert any("unmet h [data]" in line for line in rendered)  # not read as markup
            files_title, kpis_title = app.screen.query(".pane-title").results()
            assert files_title.rich_style.reverse and not kpis_title.rich_style.reverse
            await pilot.press("t")
            assert app.focused is kpis
            assert kpis_title.rich_style.reverse and not files_title.rich_style.reverse

    asyncio.run(scenario())


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_without_scenario_files_the_screen_says_where_it_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    path = tmp_path / folder
    if folder == "empty":
        path.mkdir()
    monkeypatch.setenv(SCENARIOS_ENV_VAR, str(path))
    db = build_scenario_db(tmp_path)

    async def scenario() -> None:
        app = _app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            text = " ".join(_status(app).split())
            said = "does not exist" if folder == "missing" else "No *.toml scenario files in"
            assert said in text and str(path) in text
            assert f"{SCENARIOS_ENV_VAR}=/path/to/scenarios pmo-tui" in text

    asyncio.run(scenario())


@pytest.mark.parametrize("size", SIZES)
def test_snapshot(org: Path, size: tuple[int, int], snap_compare) -> None:
    assert snap_compare(_app(org), terminal_size=size, run_before=settle)


def test_the_scenarios_package_imports_without_textual() -> None:
    code = (
        "import sys\nimport pmo_tui.scenarios.evaluate, pmo_tui.reporting.scenarios, "
        "pmo_tui.scenarios.promote, pmo_tui.scenarios.diff, pmo_tui.reporting.junit\n"
        "print('textual' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_title_names_the_folder_the_files_come_from(tmp_path, monkeypatch) -> None:
    from pmo_tui.tui.screens.scenarios import shown_folder

    (tmp_path / "fixtures" / "scenarios").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert shown_folder(Path("fixtures") / "scenarios") == "fixtures/scenarios/"
    elsewhere = tmp_path.parent / "elsewhere"
    assert shown_folder(elsewhere) == f"{elsewhere.resolve()}/"


def test_e_exports_the_kpis_side_by_side_as_numbers_and_says_where(
    org: Path, tmp_path: Path
) -> None:
    import polars as pl
    from textual.widgets._footer import FooterKey

    async def scenario() -> None:
        app = _app(org)
        app.export_dir = tmp_path / "exports"
        notes: list[str] = []
        app.notify = lambda message, **_: notes.append(str(message))  # type: ignore[method-assign]
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            keys = lambda: [key.description for key in app.screen.query(FooterKey)]  # noqa: E731
            assert "Export" not in keys()  # nothing run yet: nothing to export
            await pilot.press("j", "j", "r")  # no-cat
            await settle(pilot)
            assert "Export" in keys()
            shown = app.screen.query_one("#scenario-kpis", DataTable)
            on_screen = {
                shown.get_row_at(i)[0].plain: [c.plain for c in shown.get_row_at(i)[1:]]
                for i in range(shown.row_count)
            }
            await pilot.press("e")
            await settle(pilot)
            path = tmp_path / "exports" / f"scenarios-{app.today.isoformat()}.xlsx"
            assert notes and notes[-1].endswith(f"rows written to {path}")
            kpis = pl.read_excel(path, sheet_name="kpis")
            runs = pl.read_excel(path, sheet_name="runs")
            assert kpis.columns == ["metric", "base", "no-cat"]
            assert kpis["metric"].to_list() == [label for label in on_screen if label != "status"]
            for row in kpis.iter_rows(named=True):  # each number as shown, unrounded
                for run, text in zip(["base", "no-cat"], on_screen[row["metric"]], strict=True):
                    shown_value = text.split(" (")[0].replace(",", "")  # "1,234.5 (+3.0)"
                    decimals = len(shown_value.partition(".")[2])
                    assert round(row[run], decimals) == float(shown_value), (row, text)
            unmet = kpis.filter(pl.col("metric") == "unmet h [data]").row(0, named=True)
            assert unmet["no-cat"] > unmet["base"]  # without cat, data demand goes unmet
            assert runs["run"].to_list() == ["base", "no-cat"]
            assert runs["status"].to_list() == on_screen["status"]
            assert runs["changes"].to_list() == [0, 1] and runs["file"][1] == "no-cat.toml"

    asyncio.run(scenario())
