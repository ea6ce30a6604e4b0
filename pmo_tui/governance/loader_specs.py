"""The governance CSV files: which table each fills and how each column is checked.

Files are loaded in the order of :data:`GOVERNANCE_FILES` (a file only refers
to files above it or to the organisation already in the store). The columns
are documented in ``docs/governance.md``; the checks are those of
``pmo-tui import csv`` (:class:`~pmo_tui.importers.csv_specs.ColumnSpec`).
"""

from __future__ import annotations

from typing import NamedTuple

from pmo_tui.governance.frames import SEVERITIES, STANDARD_KINDS, VERSION_STATUSES
from pmo_tui.importers.csv_specs import ColumnSpec
from pmo_tui.store.schema_governance import PHASES
from pmo_tui.store.schema_reporting import GATE_DECISIONS, RAID_KINDS

FINDING_STATUS_CHOICES = ("open", "in_progress", "resolved", "verified", "accepted_risk")
RAG = ("green", "amber", "red")


class GovernanceFile(NamedTuple):
    """One governance CSV file: the store table it fills and its columns."""

    table: str
    columns: tuple[ColumnSpec, ...]


def _opt(name: str, kind: str = "text", choices: tuple[str, ...] = ()) -> ColumnSpec:
    return ColumnSpec(name, kind, required=False, choices=choices)


def _choice(name: str, choices: tuple[str, ...]) -> ColumnSpec:
    return ColumnSpec(name, "choice", choices=choices)


def _whole(name: str, required: bool = True) -> ColumnSpec:
    return ColumnSpec(name, "integer", required, low=1, fix="write a whole number of 1 or more")


def _score(name: str) -> ColumnSpec:
    return ColumnSpec(name, "integer", False, low=1, high=5, fix="write 1 (low) to 5 (high)")


_VERSION_KEY = (ColumnSpec("standard_id"), ColumnSpec("version"), _choice("phase", PHASES))

#: File stem -> :class:`GovernanceFile`, in load order.
GOVERNANCE_FILES: dict[str, GovernanceFile] = {
    "standards": GovernanceFile(
        "standard",
        (
            ColumnSpec("id"),
            ColumnSpec("version"),
            _choice("kind", STANDARD_KINDS),
            ColumnSpec("title"),
            _opt("owner"),
            _opt("effective_date", "date"),
            _choice("status", VERSION_STATUSES),
            _opt("supersedes"),
            _opt("summary"),
        ),
    ),
    "methodology_phases": GovernanceFile(
        "methodology_phase",
        (
            *_VERSION_KEY,
            _opt("description"),
        ),
    ),
    "templates": GovernanceFile("template", (ColumnSpec("id"), ColumnSpec("title"), _opt("owner"))),
    "template_versions": GovernanceFile(
        "template_version",
        (
            ColumnSpec("template_id"),
            ColumnSpec("version"),
            _opt("effective_date", "date"),
            _choice("status", VERSION_STATUSES),
            _opt("supersedes"),
            _opt("link"),
        ),
    ),
    "phase_artefacts": GovernanceFile(
        "phase_artefact",
        (
            *_VERSION_KEY,
            ColumnSpec("template_id"),
            _whole("max_age_days", required=False),
        ),
    ),
    "gate_criteria": GovernanceFile(
        "gate_criterion",
        (
            *_VERSION_KEY,
            ColumnSpec("criterion_id"),
            ColumnSpec("description"),
        ),
    ),
    "project_lineage": GovernanceFile(
        "project_methodology",
        (
            ColumnSpec("project_id"),
            ColumnSpec("standard_id"),
            ColumnSpec("version"),
            _opt("adopted_on", "date"),
        ),
    ),
    "project_templates": GovernanceFile(
        "project_template",
        (
            ColumnSpec("project_id"),
            ColumnSpec("template_id"),
            ColumnSpec("version"),
        ),
    ),
    "artefacts": GovernanceFile(
        "artefact",
        (
            ColumnSpec("project_id"),
            ColumnSpec("template_id"),
            _opt("template_version"),
            ColumnSpec("updated_on", "date"),
            _opt("link"),
        ),
    ),
    "status_reports": GovernanceFile(
        "status_report",
        (
            ColumnSpec("project_id"),
            ColumnSpec("reported_on", "date"),
            _choice("overall", RAG),
            _opt("schedule", "choice", RAG),
            _opt("budget", "choice", RAG),
            _opt("scope", "choice", RAG),
            _opt("resources", "choice", RAG),
            _opt("risk", "choice", RAG),
            _opt("forecast_finish", "date"),
            ColumnSpec("percent_complete", "number", False, low=0, high=100, fix="write 0 to 100"),
            ColumnSpec("actual_cost", "number", False, low=0, fix="write an amount of 0 or more"),
            _opt("summary"),
            _opt("key_risks"),
            _opt("decisions_needed"),
            _opt("created_by"),
        ),
    ),
    "gates": GovernanceFile(
        "gate",
        (
            _whole("id"),
            ColumnSpec("project_id"),
            _choice("phase", PHASES),
            ColumnSpec("passed_on", "date"),
            _opt("decided_by"),
        ),
    ),
    "gate_checks": GovernanceFile(
        "gate_check",
        (
            _whole("gate_id"),
            ColumnSpec("criterion_id"),
            ColumnSpec("met", "flag"),
        ),
    ),
    "gate_decisions": GovernanceFile(
        "gate_decision",
        (
            ColumnSpec("project_id"),
            _choice("phase", PHASES),
            _choice("decision", GATE_DECISIONS),
            ColumnSpec("decided_by"),
            ColumnSpec("decided_on", "date"),
            _opt("criteria_met"),
            _opt("criteria_not_met"),
            _opt("conditions"),
            _opt("notes"),
        ),
    ),
    "raid_entries": GovernanceFile(
        "raid_entry",
        (
            ColumnSpec("project_id"),
            _choice("kind", RAID_KINDS),
            ColumnSpec("title"),
            _opt("owner"),
            ColumnSpec("raised_on", "date"),
            _opt("due", "date"),
            _score("probability"),
            _score("impact"),
            _choice("state", ("open", "closed")),
            _opt("closed_on", "date"),
            _opt("notes"),
        ),
    ),
    "audits": GovernanceFile(
        "audit",
        (
            _whole("id"),
            ColumnSpec("project_id"),
            _opt("standard_id"),
            _opt("standard_version"),
            _choice("kind", ("automatic", "checklist")),
            ColumnSpec("auditor"),
            ColumnSpec("held_on", "date"),
            _opt("source"),
        ),
    ),
    "findings": GovernanceFile(
        "finding",
        (
            _whole("id"),
            _whole("audit_id", required=False),
            ColumnSpec("project_id"),
            ColumnSpec("rule"),
            ColumnSpec("category"),
            _opt("subject"),
            _opt("manager"),
            _choice("severity", SEVERITIES),
            ColumnSpec("description"),
            _opt("owner"),
            _opt("due", "date"),
            _choice("status", FINDING_STATUS_CHOICES),
            _opt("corrective_action"),
            _opt("evidence"),
            ColumnSpec("opened", "date"),
        ),
    ),
    "finding_history": GovernanceFile(
        "finding_history",
        (
            _whole("finding_id"),
            ColumnSpec("at"),
            ColumnSpec("who"),
            _opt("from_status", "choice", FINDING_STATUS_CHOICES),
            _choice("to_status", FINDING_STATUS_CHOICES),
            ColumnSpec("reason"),
        ),
    ),
    "finding_links": GovernanceFile(
        "finding_link",
        (
            _whole("finding_id"),
            _whole("earlier_id"),
            _choice("basis", ("same project", "same manager")),
        ),
    ),
    "courses": GovernanceFile(
        "course",
        (
            ColumnSpec("id"),
            ColumnSpec("title"),
            _choice("kind", ("certification", "course")),
            _opt("provider"),
            _opt("skill_id"),
            _opt("addresses"),
        ),
    ),
    "training_records": GovernanceFile(
        "training_record",
        (
            ColumnSpec("person_id"),
            ColumnSpec("course_id"),
            ColumnSpec("completed_on", "date"),
            _opt("expires_on", "date"),
        ),
    ),
    "mentoring": GovernanceFile(
        "mentoring",
        (
            ColumnSpec("mentor_id"),
            ColumnSpec("mentee_id"),
            ColumnSpec("since", "date"),
            _opt("until", "date"),
            _opt("topic"),
        ),
    ),
    "coaching_sessions": GovernanceFile(
        "coaching_session",
        (
            ColumnSpec("person_id"),
            ColumnSpec("coach_id"),
            ColumnSpec("held_on", "date"),
            ColumnSpec("topic"),
            _opt("finding_ids"),
        ),
    ),
}
