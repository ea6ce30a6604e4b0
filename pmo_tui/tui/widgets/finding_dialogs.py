"""Dialogs of the findings screen: a finding's detail, and changing its status with a reason.

The status dialog offers only the statuses the lifecycle allows next
(:data:`pmo_tui.governance.findings.TRANSITIONS`), so a refused change cannot
be asked for; the domain refuses it again if the finding changed meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from pmo_tui.tui.widgets.dialogs import AskDialog, Dialog
from pmo_tui.tui.widgets.tables import KeyTable

if TYPE_CHECKING:
    from pmo_tui.governance.findings import FindingDetail

DETAIL_FIELDS = (
    "description",
    "corrective_action",
    "evidence",
    "project_id",
    "rule",
    "subject",
    "owner",
    "due",
    "opened",
)


def detail_text(detail: FindingDetail) -> str:
    """The finding's fields as plain lines (description first)."""
    record = detail.record
    return "\n".join(
        f"{name.replace('_', ' ')}: {record.get(name) or '-'}" for name in DETAIL_FIELDS
    )


def links_text(detail: FindingDetail) -> str:
    """What the finding repeats, what repeats it and its next statuses: three lines shown
    above the fields, so they never need scrolling."""
    record = detail.record
    earlier = ", ".join(
        f"{r['id']} ({r['project_id']}, {r['basis']}, {r['status']})"
        for r in detail.repeats.iter_rows(named=True)
    )
    later = ", ".join(str(i) for i in detail.repeated_by["id"].to_list())
    nexts = ", ".join(record["next_statuses"]) or "none (verified is final)"
    return "\n".join(
        [f"next statuses: {nexts}", f"repeats: {earlier or '-'}", f"repeated by: {later or '-'}"]
    )


class FindingDialog(Dialog):
    """One finding: fields, repeats, and its status history; ``c`` asks to change the status."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "change", "Change status", id="change"),
    ]

    def __init__(self, detail: FindingDetail) -> None:
        super().__init__(classes="rows")
        self.detail = detail

    def compose(self) -> ComposeResult:
        """Title, fields (scrollable), history table, note."""
        record = self.detail.record
        with Vertical(id="dialog"):
            yield Label(
                f"Finding {record['id']} · {record['severity']} · {record['status']}",
                id="dialog-title",
            )
            yield Static(links_text(self.detail), id="finding-links", markup=False)
            with VerticalScroll(id="finding-fields"):
                yield Static(detail_text(self.detail), id="dialog-body", markup=False)
            table = KeyTable(id="rows-table", cursor_type="row")
            for column in ("when (UTC)", "change", "reason", "who"):
                table.add_column(column, key=column)
            table.add_rows(
                [
                    row["at"][:16].replace("T", " "),
                    f"{row['from_status'] or '·'} → {row['to_status']}",
                    row["reason"],
                    row["who"],
                ]
                for row in self.detail.history.iter_rows(named=True)
            )
            yield table
            yield Label("c change status · esc close", id="dialog-note")

    def action_change(self) -> None:
        """Close and ask the screen to open the status dialog."""
        self.dismiss(True)


class StatusDialog(AskDialog):
    """Pick a next status (only allowed ones), give a reason (required) and optional evidence;
    dismisses with ``{"status", "reason", "evidence"}``, or None."""

    def __init__(self, finding_id: int, current: str, allowed: tuple[str, ...]) -> None:
        super().__init__(classes="status")
        self.finding_id = finding_id
        self.current = current
        self.allowed = allowed

    def compose(self) -> ComposeResult:
        """Status drop-down, reason, evidence, buttons."""
        with Vertical(id="dialog"):
            yield Label(f"Finding {self.finding_id}: {self.current} →", id="dialog-title")
            yield Select(
                [(s, s) for s in self.allowed],
                value=self.allowed[0],
                allow_blank=False,
                id="new-status",
            )
            yield Input(placeholder="reason (required)", id="reason")
            yield Input(placeholder="evidence: a link or a file path (optional)", id="evidence")
            yield from self.buttons("Apply")

    def on_mount(self) -> None:
        """Start in the reason field."""
        self.query_one("#reason", Input).focus()

    def action_apply(self) -> None:
        """Close with the change, unless the reason is blank or the evidence is neither a link
        nor a path (then say so and stay)."""
        from pmo_tui.errors import UserError
        from pmo_tui.governance.findings import check_evidence

        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.complain("a reason is required", "#reason")
            return
        try:
            evidence = check_evidence(self.query_one("#evidence", Input).value)
        except UserError as error:
            self.complain(f"{error.message}: give a link (https://...) or a path", "#evidence")
            return
        self.dismiss(
            {
                "status": str(self.query_one("#new-status", Select).value),
                "reason": reason,
                "evidence": evidence,
            }
        )
