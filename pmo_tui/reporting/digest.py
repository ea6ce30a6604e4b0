"""The weekly digest as Markdown (rendering only, over :class:`~pmo_tui.portfolio_health.digest.Digest`)."""

from __future__ import annotations

from pmo_tui.portfolio_health.digest import Digest
from pmo_tui.reporting.output import markdown_table


def digest_sections(digest: Digest) -> list[tuple[str, object, str]]:
    """(title, frame, what an empty section says) in reading order."""
    return [
        ("Status changes", digest.status_changes, "No project changed status."),
        (
            "Blocked across projects",
            digest.blocked.select(
                "from_project_id", "to_project_id", "deliverable", "needed_by", "state", "reason"
            ),
            "Every dependency is on track.",
        ),
        ("Contested people", digest.contested_people, "Nobody is over-booked across projects."),
        ("Overdue actions", digest.overdue_actions, "No action is overdue."),
        ("Gate decisions", digest.gate_decisions, "No gate was decided."),
        ("Gates coming up", digest.gates_coming_up, "No gate is planned in the next four weeks."),
    ]


def render_digest(digest: Digest) -> str:
    """The digest as Markdown: a title and one section per part."""
    lines = [
        f"# Portfolio digest, {digest.since.isoformat()} to {digest.today.isoformat()}",
        "",
    ]
    for title, frame, empty in digest_sections(digest):
        lines += [f"## {title}", "", markdown_table(frame, empty=empty), ""]  # type: ignore[arg-type]
    return "\n".join(lines).rstrip() + "\n"
