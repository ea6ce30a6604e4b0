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


class InfeasiblePlanError(Exception):
    """The hard constraints of a plan cannot all hold; ``conflicts`` names them."""

    def __init__(self, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        super().__init__("; ".join(conflicts))
