"""Scenarios screen: the scenario files of a folder, run in a worker, compared, promoted.

The folder is ``$PMO_TUI_SCENARIOS``, else ``./scenarios`` or ``./fixtures/scenarios``, else ``fixtures/scenarios`` of the
repository when it exists, else ``./scenarios``. ``space`` marks scenarios; ``r``
plans the marked ones (or the highlighted one) and the base in a thread
worker with :func:`pmo_tui.scenarios.evaluate.solve_runs` (the function behind
``pmo-tui scenario run``), progress per plan, ``esc`` to cancel; the KPIs show
side by side against the base (two marked scenarios: a comparison). ``p``
promotes the highlighted scenario of the last run after a confirmation,
through :mod:`pmo_tui.scenarios.promote` (one transaction, change log).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Label, ProgressBar, Static

from pmo_tui.tui.screens.base import ExportRequest, PmoScreen, export_binding
from pmo_tui.tui.widgets.dialogs import ConfirmDialog
from pmo_tui.tui.widgets.tables import KeyTable

if TYPE_CHECKING:
    from pmo_tui.scenarios.evaluate import Prepared
    from solver import Policy

#: Environment variable naming the folder of scenario files.
SCENARIOS_ENV_VAR = "PMO_TUI_SCENARIOS"
IDLE_TEXT = "space marks scenarios, r plans them (or the highlighted one) against the base."
MARK = "✓"


def default_scenarios_dir() -> Path:
    """``$PMO_TUI_SCENARIOS``; else ``./scenarios`` or ``./fixtures/scenarios`` when they
    exist (a checkout, installed or not); else the repository's ``fixtures/scenarios``
    beside an editable install; else ``./scenarios``."""
    if os.environ.get(SCENARIOS_ENV_VAR):
        return Path(os.environ[SCENARIOS_ENV_VAR])
    for here in (Path("scenarios"), Path("fixtures") / "scenarios"):
        if here.is_dir():
            return here
    shipped = Path(__file__).resolve().parents[3] / "fixtures" / "scenarios"
    return shipped if shipped.is_dir() else Path("scenarios")


def shown_folder(folder: Path) -> str:
    """The scenario folder as the title names it: relative to the working directory when it
    lies below it (``fixtures/scenarios/``), else its absolute path, with a final ``/``."""
    where = folder.resolve()
    try:
        shown = where.relative_to(Path.cwd().resolve())
    except ValueError:
        shown = where
    return f"{shown}/"


def folder_help(folder: Path) -> str:
    """What an empty or missing scenario folder says: where the screen looks, how to point it
    elsewhere."""
    where = folder.resolve()
    state = (
        f"No *.toml scenario files in {where}."
        if folder.is_dir()
        else f"No scenario folder: {where} does not exist."
    )
    return (
        f"{state} The screen reads ${SCENARIOS_ENV_VAR}, else ./scenarios or "
        f"./fixtures/scenarios. Point it at your folder: {SCENARIOS_ENV_VAR}=/path/to/scenarios "
        "pmo-tui (file format: docs/scenarios.md); ctrl+r reads it again."
    )


@dataclass(frozen=True)
class ScenarioEntry:
    """One file of the folder: its scenario name and changes, or why it cannot be read."""

    path: Path
    name: str
    changes: int
    problem: str = ""


class ScenariosListed(Message):
    """The worker read the folder."""

    def __init__(self, entries: list[ScenarioEntry]) -> None:
        super().__init__()
        self.entries = entries


class ScenarioStarted(Message):
    """Plan ``position`` of ``total`` (``name``) started."""

    def __init__(self, position: int, total: int, name: str) -> None:
        super().__init__()
        self.position, self.total, self.name = position, total, name


class ScenariosRan(Message):
    """Every plan finished (or the run was cancelled: ``cancelled``)."""

    def __init__(self, prepared: Prepared, cancelled: bool) -> None:
        super().__init__()
        self.prepared = prepared
        self.cancelled = cancelled


class ScenarioPromoted(Message):
    """A scenario was written to the live data: rows per table."""

    def __init__(self, name: str, summary: dict[str, int]) -> None:
        super().__init__()
        self.name, self.summary = name, summary


class ScenariosScreen(PmoScreen):
    """Scenario files, their KPIs side by side with the base, promote one."""

    MODE = "scenarios"
    CSS_PATH = "scenarios.tcss"
    AUTO_FOCUS = "#scenario-files"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "mark", "Mark", id="mark"),
        Binding("r,f5", "run", "Run", key_display="r", id="run"),
        # esc cancels while it can (then the footer says so), else goes back as everywhere
        Binding("escape", "cancel", "Cancel", id="cancel"),
        *PmoScreen.BINDINGS,
        Binding("p", "promote", "Promote", id="promote"),
        export_binding(),
        Binding("ctrl+r", "reload", "Reload files", show=False, id="reload"),
        Binding("t", "switch_table", "Files/KPIs", show=False, id="switch-table"),
    ]

    def __init__(self, scenarios_dir: Path | None = None) -> None:
        super().__init__()
        self.scenarios_dir = scenarios_dir or default_scenarios_dir()
        self.entries: list[ScenarioEntry] = []
        self.marked: set[Path] = set()
        self.prepared: Prepared | None = None
        self.cancel_event: threading.Event | None = None
        self.started = 0.0

    @property
    def running(self) -> bool:
        """True while plans run."""
        return self.cancel_event is not None

    def compose(self) -> ComposeResult:
        """Navigation, files and KPIs, progress, footer."""
        yield self.nav_bar()
        with Horizontal(id="body"):
            with Vertical(id="files-pane"):
                yield Label(
                    f"Scenarios in {shown_folder(self.scenarios_dir)}",
                    id="folder",
                    classes="pane-title",
                )
                yield KeyTable(id="scenario-files", cursor_type="row")
            with Vertical(id="results"):
                yield Label("KPIs: the base and the scenarios side by side", classes="pane-title")
                yield Static(IDLE_TEXT, id="scenario-status")
                with Horizontal(id="progress-row"):
                    yield ProgressBar(total=1, show_eta=False, id="scenario-progress")
                    yield Static("", id="progress-text")
                yield KeyTable(id="scenario-kpis", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        """Columns of the files table; read the folder once painted."""
        table = self.query_one("#scenario-files", KeyTable)
        for label in (MARK, "scenario", "changes", "file"):
            table.add_column(label, key=label)
        self.load_after_paint()

    def scenario_policy(self) -> Policy:
        """The policy of every run: the app's ``scenario_policy`` or the CLI's defaults."""
        from pmo_tui.scenarios import scenario_policy

        policy = getattr(self.app, "scenario_policy", None)
        return policy or scenario_policy()

    # ------------------------------------------------------------------ files
    def action_reload(self) -> None:
        """Read the folder again."""
        self.list_files(self.scenarios_dir)

    @work(
        thread=True,
        exclusive=True,
        group="scenario-list",
        exit_on_error=False,
        name="reading scenarios",
    )
    def list_files(self, folder: Path) -> None:
        """Read every ``*.toml`` of ``folder`` (a broken file is listed with its problem)."""
        from pmo_tui.errors import UserError
        from pmo_tui.scenarios.schema import load_scenario

        entries = []
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            try:
                scenario = load_scenario(path)
                entries.append(ScenarioEntry(path, scenario.name, len(scenario.changes)))
            except UserError as error:
                entries.append(ScenarioEntry(path, path.stem, 0, error.render()))
        self.post_message(ScenariosListed(entries))

    def on_scenarios_listed(self, message: ScenariosListed) -> None:
        """Show the files; a folder without scenario files says so."""
        self.entries = message.entries
        self.marked &= {entry.path for entry in self.entries}
        self.render_files()
        if not self.entries:
            self.status(folder_help(self.scenarios_dir))

    def render_files(self) -> None:
        """Fill the files table, keeping the cursor."""
        table = self.query_one("#scenario-files", KeyTable)
        row = table.cursor_row
        table.clear()
        for entry in self.entries:
            mark = MARK if entry.path in self.marked else ""
            changes = "invalid" if entry.problem else str(entry.changes)
            table.add_row(mark, entry.name, changes, entry.path.name, key=str(entry.path))
        if self.entries:
            table.move_cursor(row=min(row, len(self.entries) - 1))

    def highlighted(self) -> ScenarioEntry | None:
        """The scenario under the cursor."""
        table = self.query_one("#scenario-files", KeyTable)
        if not self.entries or table.cursor_row < 0:
            return None
        return self.entries[min(table.cursor_row, len(self.entries) - 1)]

    def action_mark(self) -> None:
        """Mark or unmark the highlighted scenario for the next run."""
        entry = self.highlighted()
        if entry is not None:
            self.marked ^= {entry.path}
            self.render_files()

    def export_request(self) -> ExportRequest | None:
        """The KPIs of the last run, the base and the scenarios side by side (numbers), and
        the runs (file, status, changes)."""
        prepared = self.prepared
        if prepared is None:
            return None
        from pmo_tui.reporting.scenarios import kpi_sheets, run_document

        return "scenarios", lambda: kpi_sheets(run_document(prepared, []))

    # ------------------------------------------------------------------ run
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Run and promote are greyed out while plans run; promote needs a run; export is
        shown only with a run; esc cancels (and the footer says so) only while plans run."""
        if action == "cancel":
            return self.running
        if action in ("run", "mark"):
            return None if self.running else True
        if action == "promote":
            ready = self.prepared is not None and not self.running and self.allows("planner")
            return True if ready else None
        if action == "export":  # shown only once there is a run to export
            return self.prepared is not None and not self.running
        return True

    def action_run(self) -> None:
        """Plan the marked scenarios (or the highlighted one) and the base."""
        chosen = [entry for entry in self.entries if entry.path in self.marked]
        highlighted = self.highlighted()
        if not chosen and highlighted is not None:
            chosen = [highlighted]
        broken = [entry for entry in chosen if entry.problem]
        if broken:
            from pmo_tui.errors import UserError

            self.pmo_app.show_error("reading the scenario", UserError(broken[0].problem))
            return
        if not chosen:
            return
        self.cancel_event = threading.Event()
        self.pmo_app.cancel_events.add(self.cancel_event)
        self.prepared = None
        self.started = time.monotonic()
        self.add_class("-running")
        self.query_one("#scenario-progress", ProgressBar).update(total=len(chosen) + 1, progress=0)
        self.status("Planning… (Esc cancels)")
        self.query_one("#scenario-kpis", KeyTable).clear(columns=True)
        self.refresh_bindings()
        self.plan([entry.path for entry in chosen], self.scenario_policy(), self.cancel_event)

    @work(
        thread=True,
        exclusive=True,
        group="scenario-run",
        exit_on_error=False,
        name="planning scenarios",
    )
    def plan(self, paths: list[Path], policy: Policy, cancel: threading.Event) -> None:
        """Read the live data (read-only), apply the scenarios, plan the base and each."""
        from pmo_tui.scenarios.evaluate import prepare_runs, solve_runs
        from pmo_tui.scenarios.schema import load_scenarios

        def report_start(position: int, total: int, name: str) -> None:
            self.post_message(ScenarioStarted(position, total, name))

        prepared = prepare_runs(
            self.db_path, load_scenarios(paths), policy, window=self.pmo_app.window
        )
        solve_runs(prepared, on_start=report_start, cancel=cancel)
        self.post_message(ScenariosRan(prepared, cancel.is_set()))

    def on_scenario_started(self, message: ScenarioStarted) -> None:
        """Advance the bar: which plan runs now."""
        self.query_one("#scenario-progress", ProgressBar).update(progress=message.position - 1)
        self.query_one("#progress-text", Static).update(
            f"{message.position}/{message.total} {message.name} · Esc cancels"
        )

    def on_scenarios_ran(self, message: ScenariosRan) -> None:
        """Show the KPIs side by side (or that the run was cancelled)."""
        self.finish_running()
        if message.cancelled:
            self.status("Cancelled: nothing was planned to the end. " + IDLE_TEXT)
            return
        from pmo_tui.reporting.scenarios import run_document, table_rows

        self.prepared = message.prepared
        header, rows = table_rows(run_document(message.prepared, []))
        table = self.query_one("#scenario-kpis", KeyTable)
        table.clear(columns=True)
        for label in header:
            table.add_column(label, key=label)
        from rich.text import Text

        table.add_rows(  # as text, never markup: "unmet h [backend-dev]" keeps its skill
            [Text(row[0]), *(Text(cell, justify="right") for cell in row[1:])] for row in rows
        )
        elapsed = time.monotonic() - self.started
        names = ", ".join(run.name for run in message.prepared.scenarios)
        self.status(
            f"Planned the base and {names} in {elapsed:.1f} s. p promotes the highlighted one."
        )
        self.refresh_bindings()

    def finish_running(self) -> None:
        """Leave the running state (after success, cancel or failure)."""
        if self.cancel_event is not None:
            self.pmo_app.cancel_events.discard(self.cancel_event)
        self.cancel_event = None
        self.remove_class("-running")
        self.refresh_bindings()

    def on_worker_state_changed(self, event: Any) -> None:
        """A failed run leaves the running state; the base class shows the error."""
        from textual.worker import WorkerState

        if event.worker.group == "scenario-run" and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self.finish_running()
            self.status("The run failed: see the message. " + IDLE_TEXT)
        super().on_worker_state_changed(event)

    def action_cancel(self) -> None:
        """Cancel running plans (esc while they run)."""
        self.escape()

    def escape(self) -> bool:
        """Cancel running plans."""
        if self.cancel_event is None:
            return False
        self.cancel_event.set()
        self.query_one("#progress-text", Static).update("stopping…")
        return True

    def on_screen_suspend(self) -> None:
        """Leaving the screen cancels running plans."""
        self.escape()

    # ------------------------------------------------------------------ promote
    def promotable_run(self) -> Any:
        """The last run's plan of the highlighted scenario, or None (with a note)."""
        entry = self.highlighted()
        runs = {run.file: run for run in self.prepared.scenarios} if self.prepared else {}
        if entry is None or entry.path.name not in runs:
            self.notify(
                "Run the highlighted scenario first (r).", title="Promote", severity="warning"
            )
            return None
        return runs[entry.path.name]

    def action_promote(self) -> None:
        """Ask, then write the highlighted scenario's data and plan to the live data."""
        run = self.promotable_run()
        if run is None:
            return
        from pmo_tui.errors import UserError
        from pmo_tui.scenarios.promote import check_promotable
        from pmo_tui.store.change_log import current_user

        try:
            check_promotable(run)
        except UserError as error:
            self.pmo_app.show_error("promoting the scenario", error)
            return
        question = (
            f"Promote scenario {run.name} to the live data? Its {run.changes} change(s) and its "
            f"plan are written in one transaction, logged as approved by {current_user()}. "
            "If someone changed the allocations since the run, nothing is written."
        )

        def promote_if_confirmed(confirmed: bool | None) -> None:
            if confirmed:
                self.promote(run)

        self.app.push_screen(
            ConfirmDialog("Promote the scenario", question, "Promote"), promote_if_confirmed
        )

    @work(
        thread=True,
        exclusive=True,
        group="scenario-promote",
        exit_on_error=False,
        name="promoting the scenario",
    )
    def promote(self, run: Any) -> None:
        """Write the scenario (fingerprint check inside the transaction)."""
        from pmo_tui.scenarios.promote import promote_scenario
        from pmo_tui.tui.data import writable_connection

        assert self.prepared is not None
        with writable_connection(self.db_path) as db:
            summary = promote_scenario(db, self.prepared, run)
        self.post_message(ScenarioPromoted(run.name, summary))

    def on_scenario_promoted(self, message: ScenarioPromoted) -> None:
        """Confirm, forget the run (the live data changed) and let other screens re-read."""
        self.pmo_app.data_version += 1
        self.loaded_version = self.pmo_app.data_version
        self.prepared = None
        self.query_one("#scenario-kpis", KeyTable).clear(columns=True)
        written = ", ".join(f"{table} {count}" for table, count in message.summary.items())
        self.status(f"Promoted {message.name}: {written} (see the change log). " + IDLE_TEXT)
        self.notify(f"Scenario {message.name} promoted.", title="Promote")
        self.refresh_bindings()

    # ------------------------------------------------------------------ helpers
    def status(self, text: str) -> None:
        """Show ``text`` above the KPIs."""
        self.query_one("#scenario-status", Static).update(text)

    def action_switch_table(self) -> None:
        """Move the focus between the files and the KPIs."""
        files = self.query_one("#scenario-files", KeyTable)
        (self.query_one("#scenario-kpis", KeyTable) if files.has_focus else files).focus()

    def focus_main(self) -> None:
        """Focus the files table."""
        self.query_one("#scenario-files", KeyTable).focus()
