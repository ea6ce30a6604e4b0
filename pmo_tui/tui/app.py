"""The pmo-tui Textual application and its factory :func:`make_app`.

The app stays small: it installs one mode per screen (number keys 1-7 and the
command palette switch between them), owns the app-wide keys (``?`` help,
``:``/``ctrl+p`` palette, ``esc`` back, ``q`` quit) and shows errors. Screens
own their data, workers and handlers.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from pmo_tui.domain.horizon import Window, current_date, window_of
from pmo_tui.errors import UserError
from pmo_tui.tui.screens.base import SCREENS
from pmo_tui.tui.screens.capacity import CapacityScreen
from pmo_tui.tui.screens.dashboard import DashboardScreen
from pmo_tui.tui.screens.findings import FindingsScreen
from pmo_tui.tui.screens.history import HistoryScreen
from pmo_tui.tui.screens.plan import PlanScreen
from pmo_tui.tui.screens.portfolio import PortfolioScreen
from pmo_tui.tui.screens.scenarios import ScenariosScreen
from pmo_tui.tui.widgets.dialogs import ErrorDialog, HelpDialog, KeyHelp, key_help

#: The environment variable naming the folder ``e`` writes exports to.
EXPORTS_ENV_VAR = "PMO_TUI_EXPORTS"


def describe_error(error: BaseException) -> str:
    """One message for a failed task: a :class:`UserError` as rendered, else type and text."""
    if isinstance(error, UserError):
        return error.render()
    return f"{type(error).__name__}: {error}"


def _goto_bindings() -> list[Binding]:
    """``1``-``7`` switch screens."""
    return [
        Binding(str(number), f"goto('{mode}')", f"{label} screen", show=False, id=f"goto-{mode}")
        for number, (mode, label) in enumerate(SCREENS.items(), start=1)
    ]


class PmoApp(App[None]):
    """The Project Management Office in the terminal: portfolio, capacity, plan, findings,
    scenarios, dashboard and the history of changes."""

    TITLE = "pmo-tui"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, Any]] = {
        "portfolio": PortfolioScreen,
        "capacity": CapacityScreen,
        "plan": PlanScreen,
        "findings": FindingsScreen,
        "scenarios": ScenariosScreen,
        "dashboard": DashboardScreen,
        "history": HistoryScreen,
    }
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        *_goto_bindings(),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="help"),
        Binding(
            "colon,ctrl+p", "command_palette", "Palette", show=False, key_display=":", id="palette"
        ),
        Binding("q,f10", "quit", "Quit", key_display="q", id="quit"),
    ]

    def __init__(
        self,
        db_path: Path,
        *,
        initial_screen: str = "portfolio",
        today: dt.date | None = None,
        mouse: bool = True,
        plan_defaults: dict[str, str] | None = None,
        window: Window | None = None,
    ) -> None:
        super().__init__()
        #: Parameter name -> text the plan screen's form starts with (``pmo-tui plan`` options).
        self.plan_defaults = dict(plan_defaults or {})
        #: Cancel events of running solves: quitting sets them, so the solver stops at once.
        self.cancel_events: set[threading.Event] = set()
        self.db_path = Path(db_path)
        self.initial_screen = initial_screen
        self.today = window.today if window else today or current_date()
        #: The weeks every screen shows and plans (weeks before the current one are history).
        self.window = window or window_of(self.today)
        self.use_mouse = mouse
        #: The policy of scenario runs (None: the `scenario run` defaults); tests make it fast.
        self.scenario_policy: Any = None
        #: Bumped after every write from the TUI; screens re-read the store when they see a new one.
        self.data_version = 0
        #: Where ``e`` writes exports: ``$PMO_TUI_EXPORTS``, else the current folder.
        self.export_dir = Path(os.environ.get(EXPORTS_ENV_VAR) or ".").resolve()
        #: Said once the app is up (the first run's demo database); None: nothing to say.
        self.startup_notice: str | None = None
        #: The account's role (viewer, planner, admin) and, for a viewer, why writes are disabled.
        self.role, self.role_note = "admin", ""
        self._history: list[str] = []

    def on_mount(self) -> None:
        """Open the initial screen (and say what the first run did)."""
        self.switch_mode(self.initial_screen)
        if self.startup_notice:
            self.notify(self.startup_notice, title="First run", timeout=20)

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app; the mouse stays off when the factory was given ``no_mouse``."""
        kwargs.setdefault("mouse", self.use_mouse)
        return super().run(*args, **kwargs)

    async def action_quit(self) -> None:
        """Stop running solves first (else the exit waits for the solver thread), then quit."""
        for event in list(self.cancel_events):
            event.set()
        self.exit()

    def action_goto(self, mode: str) -> None:
        """Switch to the screen ``mode``, remembering where we came from for ``esc``."""
        if mode == self.current_mode:
            return
        self._history.append(self.current_mode)
        self.switch_mode(mode)

    async def action_back(self) -> None:
        """Go back to the previous screen (``esc`` when the screen has nothing to undo)."""
        if self._history:
            self.switch_mode(self._history.pop())

    def action_help(self) -> None:
        """Show the keys of the current screen, generated from its bindings."""
        screen = self.screen
        title = SCREENS.get(self.current_mode, self.current_mode)
        self.push_screen(HelpDialog(title, key_help(screen)))

    def show_error(self, task: str, error: BaseException) -> None:
        """Show ``error`` from ``task`` in a dialog (one message, no traceback)."""
        self.push_screen(ErrorDialog(f"{task} failed", describe_error(error)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette: the screens, then the current screen's keys, then Textual's own."""
        for number, (mode, label) in enumerate(SCREENS.items(), start=1):
            yield SystemCommand(
                f"{label} screen",
                f"Go to the {label} screen (key {number})",
                partial(self.action_goto, mode),
            )
        for line, action in _screen_actions(screen):
            yield SystemCommand(
                line.description, f"key {line.keys}", partial(screen.run_action, action)
            )
        yield from super().get_system_commands(screen)


def _screen_actions(screen: Screen) -> list[tuple[KeyHelp, str]]:
    """The enabled bindings of ``screen`` itself, with their action strings.

    Keys hidden from the footer (the filter drop-downs, reload) are listed too:
    the palette is where a user looks for what the footer has no room for.
    """
    lines = []
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if active.node is not screen or not binding.description or not active.enabled:
            continue
        if binding.action in seen:
            continue
        seen.add(binding.action)
        lines.append(
            (
                KeyHelp(screen.app.get_key_display(binding) or key, binding.description, True),
                binding.action,
            )
        )
    return lines


def make_app(
    db_path: Path,
    initial_screen: str = "portfolio",
    theme: str | None = None,
    no_mouse: bool = False,
    *,
    today: dt.date | None = None,
    plan_defaults: dict[str, str] | None = None,
    window: Window | None = None,
) -> PmoApp:
    """The pmo-tui app on ``db_path`` (which must exist), opening ``initial_screen``.

    Args:
        db_path: the database file; every worker opens its own connection to it.
        initial_screen: a key of :data:`~pmo_tui.tui.screens.base.SCREENS` (``portfolio``,
            ``capacity``, ``plan``, ``findings``, ``scenarios``, ``dashboard``, ``history``).
        theme: a Textual theme name (``ansi-dark`` for 16-colour terminals); None keeps the default.
        no_mouse: leave the mouse to the terminal, so users can select text.
        today: the date the app runs as of (finding ages, the current week; tests freeze it).
        window: the weeks the screens show and the plan covers (default: from ``today``'s
            week on; its ``today`` wins over ``today``).
        plan_defaults: parameter name (as in :data:`~pmo_tui.tui.plan_form.PARAMETERS`)
            -> text the plan screen's form starts with, e.g. ``{"time_limit": "3"}``.

    Raises:
        UserError: an unknown screen, theme or plan parameter.
    """
    from pmo_tui.tui.plan_form import PARAMETERS

    names = {parameter.name for parameter in PARAMETERS}
    unknown = sorted(set(plan_defaults or {}) - names)
    if unknown:
        raise UserError(
            f"unknown plan parameter {unknown[0]!r}", fix=f"use one of {', '.join(sorted(names))}"
        )
    if initial_screen not in SCREENS:
        raise UserError(
            f"unknown screen {initial_screen!r}", fix=f"use one of {', '.join(SCREENS)}"
        )
    from pmo_tui.tui.data import account_role

    app = PmoApp(
        Path(db_path),
        initial_screen=initial_screen,
        today=today,
        mouse=not no_mouse,
        plan_defaults=plan_defaults,
        window=window,
    )
    app.role, app.role_note = account_role(Path(db_path))
    if theme is not None:
        if theme not in app.available_themes:
            known = ", ".join(sorted(app.available_themes))
            raise UserError(f"unknown theme {theme!r}", column="--theme", fix=f"use one of {known}")
        app.theme = theme
    return app
