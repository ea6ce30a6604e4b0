"""What every command module of the CLI shares: exit codes, errors, options, the runner.

Each command module imports only this one (never another command module, never
the group in :mod:`pmo_tui.cli`): open the database with :func:`open_db`, take
``--format`` with :func:`output_options`, the optimizer's options with
:func:`policy_options`, a date with :func:`today_option`, run long work with
:func:`run_interruptibly` and ask with :func:`confirm`. Heavy imports (ortools,
textual, polars, MPXJ) happen inside the commands, so ``pmo-tui --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pmo_tui.errors import UserError
from pmo_tui.reporting.formats import FORMATS

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.domain.horizon import Window
    from pmo_tui.planning.parameters import PolicyParameter

#: Exit codes of every command (README, "Exit codes").
EXIT_OK = 0
EXIT_CHECK_FAILED = 1  # a threshold, --fail-if or --fail-on check failed
EXIT_BAD_INPUT = 2  # a user mistake: the message names file, row, column and the fix
EXIT_INFEASIBLE = 3  # the plan's hard constraints cannot all hold
EXIT_INTERRUPTED = 130  # Ctrl-C: nothing was written

#: The environment variable that sets "today" (:data:`pmo_tui.domain.horizon.TODAY_ENV_VAR`;
#: written here too so that ``--help`` does not import the domain).
TODAY_ENV_VAR = "PMO_TUI_TODAY"

Decorated = TypeVar("Decorated", bound=Callable[..., Any])


class BadInput(click.ClickException):
    """A user mistake, shown as ``Error: <file, row, column: what. Fix: ...>`` with exit code 2."""

    exit_code = EXIT_BAD_INPUT


class PmoGroup(click.Group):
    """A group that turns :class:`UserError` into one clean message and exit code 2.

    A mistyped command gets click's "No such command ... Did you mean ..."; with
    ``default_command`` set, the group runs that command when it is called with no
    command name (``pmo-tui findings`` lists the findings; ``pmo-tui findings --status
    open --help`` is that command's help, ``pmo-tui findings --help`` the group's).
    """

    def __init__(self, *args: Any, default_command: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_command = default_command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Put the default command in front when no command name is given."""
        no_command = not args or args[0].startswith("-")
        only_help = bool(args) and all(arg in ("--help", "-h") for arg in args)
        if self.default_command and no_command and not only_help:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; user mistakes, Ctrl-C and a read-only file become messages."""
        try:
            return super().invoke(ctx)
        except UserError as error:
            raise BadInput(error.render()) from error
        except KeyboardInterrupt:  # before a command's own handler took over
            click.echo("Interrupted: nothing was written.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except sqlite3.OperationalError as error:
            from pmo_tui.store.transactions import busy_message, is_busy

            if is_busy(error):
                raise BadInput(busy_message().render()) from error
            if "readonly" not in str(error) and "read-only" not in str(error):
                raise
            where = (ctx.obj or {}).get("db_path") or "the database"
            raise BadInput(
                f"{where}: cannot write the database ({error}); nothing was changed. "
                "Fix: check the file's permissions, or use another --db"
            ) from error


class IsoDate(click.ParamType):
    """A ``YYYY-MM-DD`` option or argument, given to the command as a ``datetime``.

    A bad value is a :class:`UserError` naming the option (or, when it came from an
    environment variable such as ``$PMO_TUI_TODAY``, the variable) and the fix.
    """

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        """``YYYY-MM-DD`` in ``--help``."""
        return "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        """``value`` as a datetime at midnight.

        Raises:
            UserError: ``value`` is not a date (the variable's own message when it came
                from ``$PMO_TUI_TODAY``).
        """
        if isinstance(value, dt.datetime):
            return value
        text = str(value).strip()
        try:
            return dt.datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            pass
        source = ctx.get_parameter_source(param.name) if ctx and param and param.name else None
        if source is click.core.ParameterSource.ENVIRONMENT:
            from pmo_tui.domain.horizon import today_from_env

            today_from_env(text)  # raises, naming the variable
        raise UserError(
            f"{text!r} is not a date",
            option=parameter_name(param),
            fix="write dates as YYYY-MM-DD, e.g. 2027-01-04",
        )


def parameter_name(param: click.Parameter | None) -> str | None:
    """How a message names ``param``: its long option (``--output``), else its metavar."""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name if param is not None else None


#: The type of every date option (``--today``, ``--from``, ``--to``, ``--since``, ...).
DATE = IsoDate()


class OutputFile(click.Path):
    """A file to write (``-o``, ``--junit``): not a folder, in a folder that exists and may
    be written, checked before any work is done (never a traceback after it)."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The path, once its folder is known to exist and be writable.

        Raises:
            UserError: the folder is missing or not writable.
        """
        path = Path(os.fsdecode(super().convert(value, param, ctx)))
        folder = path.parent
        option = parameter_name(param)
        if not folder.is_dir():
            raise UserError(
                f"{path}: the folder {folder} does not exist",
                option=option,
                fix=f"create it first (mkdir -p {folder}) or write the file elsewhere",
            )
        if not os.access(folder, os.W_OK):
            raise UserError(
                f"{path}: the folder {folder} cannot be written by you",
                option=option,
                fix="write the file in a folder of yours",
            )
        return path


def output_options(*choices: str, default: str = "table") -> Callable[[Decorated], Decorated]:
    """The ``--format`` option (parameter ``fmt``) of a listing command.

    Every listing offers the same names (:data:`~pmo_tui.reporting.formats.FORMATS`)
    unless it passes its own ``choices`` (a report may add ``junit``).
    """
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices or FORMATS),
        default=default,
        show_default=True,
        help="Output format.",
    )


def policy_file_option(help_text: str) -> Callable[[Decorated], Decorated]:
    """``--policy FILE`` (parameter ``policy_file``): a TOML policy file (docs/planning.md)."""
    return click.option(
        "--policy",
        "policy_file",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help=help_text,
    )


def policy_options(
    parameters: Iterable[PolicyParameter], *, defaults: dict[str, Any] | None = None
) -> Callable[[Decorated], Decorated]:
    """One click option per policy parameter, made from its declaration.

    The command receives each as its ``name`` (``--time-limit`` -> ``time_limit``),
    None when not given; :func:`policy_fields` turns them into Policy fields.
    ``defaults`` (field -> value) changes the default shown in the help, for
    commands whose own default differs from :class:`solver.Policy`'s.
    """
    shown = defaults or {}

    def decorate(command: Decorated) -> Decorated:
        for parameter in reversed(tuple(parameters)):
            default = shown.get(parameter.field, parameter.default)
            hint = "" if default is None else f" [{default:g}]"
            kind = int if parameter.value_kind.whole else float
            command = click.option(
                parameter.option, parameter.name, type=kind, help=parameter.help + hint
            )(command)
        return command

    return decorate


def policy_fields(options: dict[str, Any]) -> dict[str, Any]:
    """Options named as :func:`policy_options` names them -> Policy field -> value."""
    from pmo_tui.planning.parameters import BY_NAME

    return {BY_NAME[name].field: value for name, value in options.items() if name in BY_NAME}


def given_on_command_line(ctx: click.Context, names: Iterable[str]) -> dict[str, str]:
    """The options among ``names`` that the user typed, as texts (to prefill a form)."""
    typed = click.core.ParameterSource.COMMANDLINE
    return {
        name: str(ctx.params[name])
        for name in names
        if ctx.get_parameter_source(name) == typed and ctx.params.get(name) is not None
    }


def today_option(
    help_text: str = "As of this date (YYYY-MM-DD).",
) -> Callable[[Decorated], Decorated]:
    """``--today DATE`` (also ``$PMO_TUI_TODAY``); the command gets a ``datetime`` or None."""
    return click.option(
        "--today",
        type=DATE,
        envvar=TODAY_ENV_VAR,
        default=None,
        help=f"{help_text} Default: ${TODAY_ENV_VAR}, else today.",
    )


def resolve_today(value: dt.datetime | None) -> dt.date:
    """A ``--today`` value as a date; when not given, ``$PMO_TUI_TODAY``, else today's date.

    Raises:
        UserError: ``$PMO_TUI_TODAY`` is not a date.
    """
    from pmo_tui.domain.horizon import current_date

    return value.date() if value is not None else current_date()


def window_options(command: Decorated) -> Decorated:
    """``--today``, ``--from`` and ``--to``: the weeks a command works on.

    The command receives ``today``, ``start`` and ``end`` (``datetime`` or None);
    :func:`resolve_window` turns them into a :class:`~pmo_tui.domain.horizon.Window`.
    """
    day = DATE
    command = click.option(
        "--to",
        "end",
        type=day,
        default=None,
        help="Last week (a date in it, YYYY-MM-DD). Default: the last week with data.",
    )(command)
    command = click.option(
        "--from",
        "start",
        type=day,
        default=None,
        help="First week (a date in it, YYYY-MM-DD). Default: the current week; "
        "earlier weeks are history, shown but never planned.",
    )(command)
    return today_option("Plan and list as of this date (YYYY-MM-DD).")(command)


def resolve_window(
    today: dt.datetime | None, start: dt.datetime | None, end: dt.datetime | None
) -> Window:
    """The :class:`~pmo_tui.domain.horizon.Window` of ``--today``, ``--from`` and ``--to``.

    Raises:
        UserError: ``--to`` is before ``--from``.
    """
    from pmo_tui.domain.horizon import window_of

    try:
        return window_of(
            resolve_today(today),
            start.date() if start else None,
            end.date() if end else None,
        )
    except ValueError as error:
        raise UserError(str(error), option="--to", fix="give a --to on or after --from") from None


def terminal_width() -> int | None:
    """The columns of the terminal stdout writes to; None when it is a pipe or a file
    (whole lines, for scripts)."""
    import shutil

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def open_db(
    ctx: click.Context, *, seed_demo: bool = True, write: bool = False
) -> sqlite_utils.Database:
    """The database of ``--db``/``$PMO_TUI_DB``, else the default one (made from the demo).

    A path the user named must exist: a typo should not quietly create a demo database.
    A write command (``write``) upgrades an older database, after a backup; a read
    on one is refused with the fix (``pmo-tui db upgrade``).

    Raises:
        UserError: the named file does not exist, or cannot be opened.
    """
    from pmo_tui.bootstrap import open_database

    path: Path = ctx.obj["db_path"]
    if ctx.obj.get("db_named") and not path.exists():
        raise UserError(
            "no database at this path",
            file=str(path),
            fix=f"check the path, or create it: `pmo-tui --db {path} db init` "
            "(demo organisation) or `db init --empty`",
        )
    is_new = not path.exists()
    db = open_database(path, seed_demo=seed_demo, upgrade=write)
    if is_new and seed_demo:
        click.echo(wrapped(first_run_notice(path)), err=True)
    return db


def wrapped(text: str) -> str:
    """``text`` wrapped at word boundaries to the terminal's width, at most 100 columns
    (``$COLUMNS``, else the terminal, else 80: :func:`shutil.get_terminal_size`)."""
    import shutil

    return click.wrap_text(text, width=min(100, shutil.get_terminal_size().columns))


def first_run_notice(path: Path) -> str:
    """What the first run says: the database it created, filled with the demo organisation."""
    return (
        f"Created the database {path} with the demo organisation (made for the current week). "
        "Load your own data with `pmo-tui import`, or start empty with `pmo-tui db init --empty "
        "--force`."
    )


def current_db_path(ctx: click.Context) -> Path:
    """The database's path, created (demo) or migrated first only when it must be.

    For commands that then read through their own read-only connections.
    """
    from pmo_tui.store.migrations import SCHEMA_VERSION
    from pmo_tui.store.readonly import schema_version

    path: Path = ctx.obj["db_path"]
    if not path.exists() or schema_version(path) < SCHEMA_VERSION:
        open_db(ctx).close()
    return path


def run_app(
    ctx: click.Context,
    initial_screen: str,
    plan_defaults: dict[str, str] | None = None,
    window: Window | None = None,
) -> None:
    """Open the terminal UI on ``initial_screen`` (the database created or migrated first).

    Raises:
        UserError: there is no interactive terminal.
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(
            "the terminal UI needs an interactive terminal",
            fix="run it in a terminal (over SSH: ssh -t), or use the headless commands, "
            "e.g. `pmo-tui plan --headless`, `pmo-tui capacity`",
        )
    from pmo_tui.tui.app import make_app

    is_new = not ctx.obj["db_path"].exists()
    path = current_db_path(ctx)
    obj = ctx.obj
    app = make_app(
        path,
        initial_screen,
        theme=obj["theme"],
        no_mouse=obj["no_mouse"],
        plan_defaults=plan_defaults,
        window=window,
    )
    if is_new:
        app.startup_notice = first_run_notice(path)
    app.run()


def exit_now(code: int) -> None:
    """Exit at once after Ctrl-C: OR-Tools' native threads must not be torn down at exit."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_interruptibly(
    work: Callable[[threading.Event], Any],
    *,
    name: str,
    interrupted: str,
    on_tick: Callable[[float], None] | None = None,
    tick_s: float = 0.25,
) -> Any:
    """Run ``work(cancel)`` in a thread so that Ctrl-C stops it; return what it returns.

    Every ``tick_s`` seconds ``on_tick(elapsed_s)`` runs on the main thread (a
    progress bar). After Ctrl-C the cancel event is set, the thread is joined,
    ``interrupted`` is printed on stderr and the process exits with code 130:
    nothing is printed or written.

    Raises:
        Whatever ``work`` raised, re-raised on the main thread.
    """
    cancel = threading.Event()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = work(cancel)
        except BaseException as error:
            box["error"] = error

    worker = threading.Thread(target=target, name=name, daemon=True)
    started = time.perf_counter()
    worker.start()
    try:
        while worker.is_alive():
            worker.join(tick_s)
            if on_tick is not None:
                on_tick(time.perf_counter() - started)
    except KeyboardInterrupt:
        cancel.set()
        worker.join()
        click.echo(f"\nInterrupted: {interrupted}", err=True)
        exit_now(EXIT_INTERRUPTED)
    if "error" in box:
        raise box["error"]
    return box.get("result")


def confirm(question: str, *, what: str) -> bool:
    """Ask ``question`` on stderr; no answer to read (no terminal, end of input) is a user error.

    Raises:
        UserError: nothing to read the answer from; it names ``--yes``.
    """
    try:
        return click.confirm(question, err=True)
    except click.exceptions.Abort:
        raise UserError(
            f"{what} asks for a confirmation, and there was no answer to read",
            option="--yes",
            fix="run it in a terminal, or pass --yes in scripts",
        ) from None
