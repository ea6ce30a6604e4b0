"""Errors a user can fix, with the place they come from and what to do.

The CLI prints a :class:`UserError` as one message and exits with code 2; it
never shows a traceback for a user's mistake.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the user's input: which file, row and column, and the fix.

    Attributes:
        message: what is wrong, in the user's words.
        file: the file (or element) it was found in, if any.
        row: 1-based data row (the header is row 1, the first data row is 2), if any.
        column: the column or field name, if any.
        option: the command-line option, if the mistake is in one (e.g. ``--time-limit``).
        fix: what to do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        option: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.option = option
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        """One line: ``file, row N, column C: message. Fix: ...``."""
        place = ", ".join(
            part
            for part in (
                self.file,
                f"row {self.row}" if self.row is not None else None,
                f"column {self.column!r}" if self.column else None,
                f"option {self.option}" if self.option else None,
            )
            if part
        )
        text = f"{place}: {self.message}" if place else self.message
        if self.fix:
            text = text.rstrip() + ("" if text.rstrip().endswith((".", "!", "?")) else ".")
            text += f" Fix: {self.fix}"
        return text


class UserErrors(UserError):
    """Several mistakes found in one input, reported together (at most a limit of them).

    Attributes:
        errors: the mistakes shown, in the order found.
        total: how many were found (may exceed ``len(errors)``).
    """

    def __init__(self, errors: list[UserError], total: int | None = None) -> None:
        if not errors:
            raise ValueError("UserErrors needs at least one error")
        self.errors = errors
        self.total = max(total or len(errors), len(errors))
        first = errors[0]
        super().__init__(
            first.message,
            file=first.file,
            row=first.row,
            column=first.column,
            option=first.option,
            fix=first.fix,
        )

    def render(self) -> str:
        """One line per mistake under a count; a single mistake as one line."""
        if len(self.errors) == 1 and self.total == 1:
            return self.errors[0].render()
        shown = len(self.errors)
        head = f"{self.total} problems" + (
            f" (the first {shown} shown)" if self.total > shown else ""
        )
        return head + ":\n" + "\n".join(f"  {error.render()}" for error in self.errors)


class OverridableError(UserError):
    """A rule refused the change, and a user with the right may override it with a reason
    (the stage-gate rule: :class:`pmo_tui.portfolio_health.gates.GateRefused`). The CLI
    says which option overrides it; the TUI offers the override and asks for the reason."""


def raise_all(errors: list[UserError], total: int | None = None) -> None:
    """Raise ``errors`` together (:class:`UserErrors`); nothing when the list is empty."""
    if errors:
        raise UserErrors(errors, total)


class InfeasiblePlanError(Exception):
    """The hard constraints of a plan cannot all hold; ``conflicts`` names them."""

    def __init__(self, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        super().__init__("; ".join(conflicts))


def closest_match(value: str, candidates: list[str]) -> str | None:
    """The candidate closest to ``value`` (difflib, ratio 0.6 or more), for "did you mean"."""
    import difflib

    found = difflib.get_close_matches(value, candidates, n=1)
    return found[0] if found else None


def did_you_mean(value: str, candidates: list[str]) -> str:
    """``did you mean 'x'? `` (with the trailing space) for the closest candidate
    (:func:`closest_match`), else ``""``: the start of a fix."""
    close = closest_match(value, candidates)
    return f"did you mean {close!r}? " if close else ""


def toml_error_line(error: Exception, text: str) -> int | None:
    """The line a ``tomllib.TOMLDecodeError`` points at (Python 3.11 puts it only in the
    message: "(at line 2, column 9)"; "(at end of document)" is the last line)."""
    import re

    found = re.search(r"\(at line (\d+), column \d+\)", str(error))
    if found:
        return int(found.group(1))
    if "end of document" in str(error):
        return max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    return None


def read_toml_file(path: object, *, what: str, fix: str) -> dict:
    """The TOML document in the file ``path``; any failure a :class:`UserError` naming the
    file and, where there is one, the line (a syntax error, a byte that is not UTF-8).

    Args:
        what: the kind of file, for messages (``policy file``).
        fix: the fix of a syntax error (where its format is documented).
    """
    import tomllib
    from pathlib import Path

    file = Path(str(path))
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise UserError(f"no such {what}", file=str(file), fix="check the path") from None
    except OSError as error:
        raise UserError(
            f"cannot read the {what}: {error.strerror or error}",
            file=str(file),
            fix="check the path",
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UserError(
            f"the {what} is not UTF-8 text",
            file=str(file),
            row=data[: error.start].count(b"\n") + 1,
            fix="save it as UTF-8",
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(
            f"not valid TOML: {error}", file=str(file), row=toml_error_line(error, text), fix=fix
        ) from None


def with_toml_line(error: UserError, text: str, name: str | None = None) -> UserError:
    """``error`` with the line of TOML table or key ``name`` (``[limits]``, ``frozen_weeks``;
    default: the error's column, else the first word of its message) when it names no line
    yet: the first line that defines it, else line 1 (where a missing top-level key goes)."""
    if error.row is not None:
        return error
    import re

    name = name or error.column or (error.message.split() or [""])[0]
    error.row = 1
    key = name.rsplit(".", 1)[-1]
    pattern = re.compile(rf"^\s*(\[+\s*{re.escape(name)}\s*\]+|{re.escape(key)}\s*=)")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            error.row = number
            break
    error.args = (error.render(),)
    return error
