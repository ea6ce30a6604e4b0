"""Plan screen: parameters, a solve in a thread worker with live progress, review, accept.

``r`` runs :func:`pmo_tui.planning.service.run_plan` (the function behind
``pmo-tui plan --headless``) in a thread with its own connection; progress
reports arrive as messages; ``esc`` cancels (the best plan so far stays).
Then KPIs before/after, the moves by person (unfolded with ``space``, the
highlighted one told in full under the table) and the unmet demand. ``a`` accepts
through :func:`pmo_tui.planning.service.apply_outcome` (one transaction, change
log) after a confirmation; ``d`` discards; ``e`` exports the plan (both keys show
only once there is a plan). OR-Tools is imported only when a solve starts.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import (
    DataTable,
    Footer,
    Input,
    Label,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
)

from pmo_tui.tui.screens.base import ExportRequest, PmoScreen, export_binding
from pmo_tui.tui.widgets.dialogs import ConfirmDialog, RowsDialog
from pmo_tui.tui.widgets.moves import MovesPane
from pmo_tui.tui.widgets.tables import KeyTable, fill_table

if TYPE_CHECKING:
    import polars as pl

    from pmo_tui.planning.service import PlanOutcome
    from solver import Policy, Progress

#: The results tables, one per tab.
RESULT_TABLES = ("kpis", "moves", "unmet", "hiring", "shifts", "conflicts")
#: What an empty results tab says instead of an empty table.
EMPTY_NOTES = {
    "shifts": "no project starts later",
    "conflicts": "no conflicts: every hard constraint holds (capacity, qualification, "
    "pinned and frozen bookings)",
    "unmet": "no unmet demand",
    "hiring": "no bottleneck: the plan covers every demand a hire could",
}
IDLE_TEXT = "No plan yet: set the parameters and press r to run the optimizer."
#: Said under a plan made before the data changed (an edit, an undo, a promote).
STALE_TEXT = (
    "⚠ The data changed since this plan was made: accepting it would be refused. "
    "Press r to plan again."
)


class PlanProgress(Message):
    """A progress report of the running solve (incumbent, bound, gap, elapsed)."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress


class PlanSolved(Message):
    """The solve finished (or was cancelled with its best plan so far)."""

    def __init__(self, outcome: PlanOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class PlanApplied(Message):
    """The plan was written: ``rows`` allocation rows."""

    def __init__(self, rows: int | None, change_set: int | None = None) -> None:
        super().__init__()
        #: Rows written; None: the plan changed nothing and nothing was written.
        self.rows = rows
        #: The change set written (``pmo-tui log``, the History screen), if any.
        self.change_set = change_set


class PlanScreen(PmoScreen):
    """Optimizer parameters, live progress, KPIs/moves/unmet, accept or discard."""

    MODE = "plan"
    CSS_PATH = "plan.tcss"
    AUTO_FOCUS = "#kpis"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r,f5", "run", "Run", key_display="r", id="run"),
        # esc cancels while it can (then the footer says so), else goes back as everywhere
        Binding("escape", "cancel", "Cancel", id="cancel"),
        *PmoScreen.BINDINGS,
        Binding("a", "accept", "Accept", id="accept"),
        Binding("d", "discard", "Discard", id="discard"),
        export_binding(),
        Binding("p", "toggle_parameters", "Params", id="parameters"),
        Binding(
            "t",
            "next_tab",
            "Next tab (KPIs, moves, unmet, hiring, shifts, conflicts)",
            show=False,
            id="next-tab",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.outcome: PlanOutcome | None = None
        self.cancel_event: threading.Event | None = None
        self.time_limit = 10.0
        self.started = 0.0
        self.ticker: Timer | None = None
        #: The latest progress report of the running solve (None before the first).
        self.last_report: Progress | None = None

    @property
    def solving(self) -> bool:
        """True while a solve runs."""
        return self.cancel_event is not None

    def compose(self) -> ComposeResult:
        """Navigation, parameters pane, progress and results, footer."""
        yield self.nav_bar()
        with Horizontal(id="body"):
            with VerticalScroll(id="parameters"):
                yield Label("Parameters", classes="pane-title")
                yield from self.parameter_inputs()
            with Vertical(id="results"):
                yield Static(IDLE_TEXT, id="plan-status")
                with Horizontal(id="progress-row"):
                    yield ProgressBar(total=100, show_eta=False, id="progress")
                    yield Static("", id="progress-figures")
                with TabbedContent(id="tabs"):
                    with TabPane("KPIs before/after", id="tab-kpis"):
                        yield KeyTable(id="kpis", cursor_type="row")
                    with TabPane("Moves", id="tab-moves"):
                        yield MovesPane(id="moves-pane")
                    with TabPane("Unmet demand", id="tab-unmet"):
                        yield KeyTable(id="unmet", cursor_type="row")
                    with TabPane("Hiring", id="tab-hiring"):
                        yield KeyTable(id="hiring", cursor_type="row")
                    with TabPane("Shifts", id="tab-shifts"):
                        yield KeyTable(id="shifts", cursor_type="row")
                    with TabPane("Conflicts", id="tab-conflicts"):
                        yield KeyTable(id="conflicts", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        """Import the planning service off the UI thread, so the first ``r`` starts at once."""
        self.call_after_refresh(self.warm_up)

    @work(thread=True, group="plan-warm-up", exit_on_error=False, name="loading the planner")
    def warm_up(self) -> None:
        """Import the planning service and report (the store layer; OR-Tools stays unloaded)."""
        import pmo_tui.planning.service
        import pmo_tui.reporting.plan  # noqa: F401

    def parameter_inputs(self) -> ComposeResult:
        """One labelled input per policy parameter, prefilled by the CLI's options."""
        from pmo_tui.tui.plan_form import PARAMETERS

        for parameter in PARAMETERS:
            with Horizontal(classes="param-row"):
                yield Label(parameter.label, classes="param-label")
                yield Input(
                    self.pmo_app.plan_defaults.get(parameter.name, parameter.default_text()),
                    id=f"param-{parameter.name}",
                    compact=True,
                    type="integer" if parameter.value_kind.whole else "number",
                )

    def form_values(self) -> dict[str, str]:
        """Parameter name -> the text of its input."""
        from pmo_tui.tui.plan_form import PARAMETERS

        return {p.name: self.query_one(f"#param-{p.name}", Input).value for p in PARAMETERS}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Run is greyed out while solving; accept, discard and export show only when they
        can act (a plan, no solve running), esc's Cancel while a solve runs."""
        if action == "cancel":
            return self.solving
        if action == "run":
            return None if self.solving else True
        if action == "accept":
            from solver.status import STATUS_INFEASIBLE

            if not self.allows("planner"):
                return None
            ready = self.outcome is not None and self.outcome.result.status != STATUS_INFEASIBLE
            return ready and not self.solving
        if action in ("discard", "export"):
            return self.outcome is not None and not self.solving
        return True

    def action_run(self) -> None:
        """Start a solve with the form's parameters (a bad value opens an error dialog)."""
        from pmo_tui.errors import UserError
        from pmo_tui.tui.plan_form import policy_from_form

        try:
            policy = policy_from_form(self.form_values())
        except UserError as error:
            self.pmo_app.show_error("reading the parameters", error)
            return
        self.outcome = None
        self.last_report = None
        self.cancel_event = threading.Event()
        self.pmo_app.cancel_events.add(self.cancel_event)
        self.time_limit = policy.time_limit_s
        self.hide_parameters()
        self.show_running()
        self.solve(self.db_path, policy, self.cancel_event)

    @work(thread=True, exclusive=True, group="plan-solve", exit_on_error=False, name="planning")
    def solve(self, path: Path, policy: Policy, cancel: threading.Event) -> None:
        """Run the planning service in a thread with its own connection; report progress."""
        from pmo_tui.planning.service import run_plan
        from pmo_tui.tui.data import connection

        def report(progress: Progress) -> None:
            self.post_message(PlanProgress(progress))

        with connection(path) as db:
            outcome = run_plan(
                db, policy, window=self.pmo_app.window, on_progress=report, cancel=cancel
            )
        self.post_message(PlanSolved(outcome))

    def show_running(self) -> None:
        """Clear the last results and show the progress row."""
        self.add_class("-solving")
        self.query_one("#plan-status", Static).update(
            "Solving… (Esc to cancel: the best plan so far stays)"
        )
        self.query_one("#progress", ProgressBar).update(total=self.time_limit, progress=0)
        self.started = time.monotonic()
        self.ticker = self.set_interval(0.5, self._tick)
        self.query_one("#progress-figures", Static).update("starting… · Esc stops")
        for table_id in RESULT_TABLES:
            self.query_one(f"#{table_id}", KeyTable).clear(columns=True)
        self.query_one(MovesPane).show(None)
        self.refresh_bindings()

    def on_plan_progress(self, message: PlanProgress) -> None:
        """Keep the incumbent, bound and gap; the figures show them with the elapsed time."""
        if not self.solving:
            return
        self.last_report = message.progress
        self.show_figures()

    def show_figures(self) -> None:
        """The bar and the figures: the latest report and the wall-clock time since the start
        (it moves between the solver's reports)."""
        from pmo_tui.tui.plan_form import progress_figures

        elapsed = time.monotonic() - self.started
        self.query_one("#progress", ProgressBar).update(progress=min(elapsed, self.time_limit))
        report = self.last_report
        figures = (
            f"starting… {elapsed:.0f}s · Esc stops"
            if report is None
            else progress_figures(report.incumbent, report.bound, report.gap, elapsed)
        )
        self.query_one("#progress-figures", Static).update(figures)

    def on_plan_solved(self, message: PlanSolved) -> None:
        """Show the KPIs before/after, the moves by person, the unmet demand, the shifts."""
        import polars as pl

        from pmo_tui.reporting.plan import (
            hiring_frame,
            kpi_frame,
            person_moves,
            shifts_frame,
            unmet_frame,
        )
        from pmo_tui.tui.plan_form import outcome_headline

        self.finish_solving()
        self.outcome = message.outcome
        self.query_one("#plan-status", Static).update(outcome_headline(self.outcome))
        fill_table(self.query_one("#kpis", KeyTable), kpi_frame(self.outcome))
        self.query_one(MovesPane).show(person_moves(self.outcome).with_row_index("move"))
        conflicts = pl.DataFrame(
            {"conflict": self.outcome.result.conflicts}, schema={"conflict": pl.String}
        )
        hiring = self.outcome.hiring
        for table_id, frame in (
            ("unmet", unmet_frame(self.outcome)),
            ("hiring", hiring_frame(hiring) if hiring is not None else pl.DataFrame()),
            ("shifts", shifts_frame(self.outcome)),
            ("conflicts", conflicts),
        ):
            fill_table(self.query_one(f"#{table_id}", KeyTable), _or_note(frame, table_id))
        if conflicts.height:
            self.query_one("#tabs", TabbedContent).active = "tab-conflicts"
        self.refresh_bindings()

    def export_request(self) -> ExportRequest | None:
        """The plan on screen: its moves, KPIs before and after, and unmet demand."""
        outcome = self.outcome
        if outcome is None:
            return None
        from pmo_tui.reporting.export import plan_sheets

        return "plan", lambda: plan_sheets(outcome, grid=False)

    def _tick(self) -> None:
        """Move the bar and the elapsed time with the wall clock between the solver's reports."""
        if self.solving:
            self.show_figures()

    def finish_solving(self) -> None:
        """Leave the running state (after success, cancel or failure)."""
        if self.ticker is not None:
            self.ticker.stop()
            self.ticker = None
        self.pmo_app.cancel_events.discard(self.cancel_event)
        self.cancel_event = None
        self.remove_class("-solving")
        self.refresh_bindings()

    def on_worker_state_changed(self, event: Any) -> None:
        """A failed solve leaves the running state (the base class then shows the error)."""
        from textual.worker import WorkerState

        if event.worker.group == "plan-solve" and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self.finish_solving()
            self.query_one("#plan-status", Static).update(
                "The solve failed: see the message. " + IDLE_TEXT
            )

    def on_screen_suspend(self) -> None:
        """Leaving the screen stops a running solve (its best plan so far shows on return)."""
        self.escape()

    def hide_parameters(self) -> None:
        """Close the parameters pane, so the results (the moves' reasons) get the width."""
        self.set_class(not self.has_class("-narrow"), "-parameters-toggled")

    def action_cancel(self) -> None:
        """Cancel the running solve (esc while it runs; the best plan so far is kept)."""
        self.escape()

    def escape(self) -> bool:
        """Cancel a running solve (its best plan so far is kept)."""
        if self.cancel_event is None:
            return False
        self.cancel_event.set()
        self.query_one("#progress-figures", Static).update(
            "stopping: keeping the best plan so far…"
        )
        return True

    def action_accept(self) -> None:
        """Ask, then write the plan in one transaction with a change-log entry."""
        if self.outcome is None:
            return
        result = self.outcome.result
        question = (
            f"Write this plan? {result.moves.height} moves; the movable allocations are "
            "replaced in one transaction and the change is logged. If someone changed the "
            "allocations since the plan was read, nothing is written."
        )
        self.app.push_screen(
            ConfirmDialog("Accept the plan", question, "Accept"), self._accept_answer
        )

    def _accept_answer(self, confirmed: bool | None) -> None:
        if confirmed and self.outcome is not None:
            self.apply(self.db_path, self.outcome)

    @work(
        thread=True,
        exclusive=True,
        group="plan-apply",
        exit_on_error=False,
        name="applying the plan",
    )
    def apply(self, path: Path, outcome: PlanOutcome) -> None:
        """Write the plan through the planning service (optimistic concurrency check inside)."""
        from pmo_tui.planning.service import apply_outcome
        from pmo_tui.store.transactions import last_change_set
        from pmo_tui.tui.data import writable_connection

        with writable_connection(path) as db:
            rows = apply_outcome(db, outcome, reason="accepted in the plan screen")
            change_set = last_change_set(db) if rows is not None else None
        self.post_message(PlanApplied(rows, change_set))

    def on_plan_applied(self, message: PlanApplied) -> None:
        """Confirm the write, forget the plan, and let the other screens re-read the store."""
        from pmo_tui.planning.service import applied_text

        self.pmo_app.data_version += 1
        said = applied_text(message.rows, message.change_set, tui=True)
        self.discard(f"Plan accepted: {said}.")
        self.notify(said[0].upper() + said[1:] + ".", title="Plan")

    def action_reload(self) -> None:
        """The data changed (an edit, an undo, a promote): a plan made before is stale; its
        accept would be refused, so say so (``r`` plans again from the data as it is)."""
        if self.outcome is not None and self.cancel_event is None:
            from pmo_tui.tui.plan_form import outcome_headline

            self.query_one("#plan-status", Static).update(
                f"{outcome_headline(self.outcome)}\n{STALE_TEXT}"
            )

    def action_discard(self) -> None:
        """Forget the plan without writing anything."""
        self.discard("Plan discarded; nothing was written. " + IDLE_TEXT)

    def discard(self, text: str) -> None:
        """Clear the results and show ``text``."""
        self.outcome = None
        self.query_one(MovesPane).show(None)
        for table_id in RESULT_TABLES:
            self.query_one(f"#{table_id}", KeyTable).clear(columns=True)
        self.query_one("#plan-status", Static).update(text)
        self.refresh_bindings()

    def action_toggle_parameters(self) -> None:
        """Show or hide the parameters pane (hidden below 100 columns and once a plan runs)."""
        self.toggle_class("-parameters-toggled")

    def action_next_tab(self) -> None:
        """Show the next results tab and focus its table."""
        tabs = self.query_one("#tabs", TabbedContent)
        order = [f"tab-{name}" for name in RESULT_TABLES]
        tabs.active = order[(order.index(tabs.active) + 1) % len(order)]
        self.focus_main()

    def focus_main(self) -> None:
        """Focus the table of the visible results tab."""
        active = self.query_one("#tabs", TabbedContent).active
        self.query_one(f"#{active.removeprefix('tab-')}", KeyTable).focus()

    @on(Input.Submitted)
    def _parameter_submitted(self) -> None:
        self.focus_main()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a result row shows the whole row (long reasons) in a dialog (the Moves
        tab handles its own rows)."""
        table = event.data_table
        if table.id == "kpis" or table.row_count == 0:
            return
        names = [str(column.label) for column in table.ordered_columns]
        values = [
            str(cell.plain if hasattr(cell, "plain") else cell)
            for cell in table.get_row_at(event.cursor_row)
        ]
        import polars as pl

        rows = pl.DataFrame({"field": names, "value": values})
        self.app.push_screen(RowsDialog(f"{table.id} row {event.cursor_row + 1}", rows))


def _or_note(frame: pl.DataFrame, table_id: str) -> pl.DataFrame:
    """``frame``, or one row saying why it is empty (:data:`EMPTY_NOTES`)."""
    if not frame.is_empty() or table_id not in EMPTY_NOTES:
        return frame
    import polars as pl

    return pl.DataFrame({"note": [EMPTY_NOTES[table_id]]})
