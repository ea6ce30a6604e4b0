"""The store's tables as polars sees them: column -> dtype, one place for every layer.

Dates and weeks are stored as ISO text and read as ``pl.Date``; flags are stored
as 0/1 and read as ``pl.Boolean``; hours are ``Float64`` (one decimal at most);
weeks are ISO weeks keyed by their Monday. docs/data-model.md documents each
column.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from polars._typing import SchemaDict

#: Working-pattern columns of ``person``: hours per weekday, Monday first.
WEEKDAY_COLUMNS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Store table -> column -> dtype of the frame it is read into, in load order
#: (a table only refers to tables above it).
TABLE_SCHEMAS: dict[str, SchemaDict] = {
    "portfolio": {"id": pl.String, "name": pl.String, "manager": pl.String},
    "program": {
        "id": pl.String,
        "name": pl.String,
        "portfolio_id": pl.String,
        "manager": pl.String,
    },
    "skill": {"id": pl.String, "name": pl.String, "description": pl.String},
    "public_holiday": {"region": pl.String, "date": pl.Date, "name": pl.String},
    "person": {
        "id": pl.String,
        "name": pl.String,
        "email": pl.String,
        "role": pl.String,
        "unit": pl.String,
        "region": pl.String,
        "cost_rate": pl.Float64,
        "max_concurrent_projects": pl.Int64,
        "mon": pl.Float64,
        "tue": pl.Float64,
        "wed": pl.Float64,
        "thu": pl.Float64,
        "fri": pl.Float64,
        "sat": pl.Float64,
        "sun": pl.Float64,
    },
    "person_skill": {
        "person_id": pl.String,
        "skill_id": pl.String,
        "level": pl.Int64,
        "valid_until": pl.Date,
    },
    "leave": {
        "person_id": pl.String,
        "start": pl.Date,
        "end": pl.Date,
        "hours_per_day": pl.Float64,
        "reason": pl.String,
    },
    "availability": {
        "person_id": pl.String,
        "start": pl.Date,
        "end": pl.Date,
        "percent": pl.Float64,
    },
    "project": {
        "id": pl.String,
        "name": pl.String,
        "program_id": pl.String,
        "portfolio_id": pl.String,
        "manager": pl.String,
        "sponsor": pl.String,
        "phase": pl.String,
        "priority": pl.Int64,
        "start": pl.Date,
        "finish": pl.Date,
        "budget": pl.Float64,
        "actual_cost": pl.Float64,
        "rag": pl.String,
        "source_file": pl.String,
        "may_shift_weeks": pl.Int64,
    },
    "dependency": {
        "from_project_id": pl.String,
        "to_project_id": pl.String,
        "kind": pl.String,
        "lag_weeks": pl.Int64,
        "due": pl.Date,
        "description": pl.String,
        "deliverable": pl.String,
    },
    "demand": {
        "id": pl.String,
        "project_id": pl.String,
        "skill_id": pl.String,
        "min_level": pl.Int64,
        "description": pl.String,
    },
    "demand_week": {"demand_id": pl.String, "week": pl.Date, "hours": pl.Float64},
    "allocation": {
        "id": pl.Int64,
        "person_id": pl.String,
        "project_id": pl.String,
        "demand_id": pl.String,
        "week": pl.Date,
        "hours": pl.Float64,
        "kind": pl.String,
        "pinned": pl.Boolean,
    },
}
TABLE_SCHEMAS["allocation_day"] = {
    "person_id": pl.String,
    "project_id": pl.String,
    "demand_id": pl.String,
    "date": pl.Date,
    "hours": pl.Float64,
}
TABLE_SCHEMAS["project_file"] = {
    "project_id": pl.String,
    "file_name": pl.String,
    "guid": pl.String,
    "fingerprint": pl.String,
    "saved": pl.Date,
}
TABLE_SCHEMAS["person_calendar"] = {
    "person_id": pl.String,
    "source_file": pl.String,
    "saved": pl.Date,
    "week_hours": pl.Float64,
}
TABLE_SCHEMAS["portfolio_snapshot"] = {
    "id": pl.Int64,
    "source": pl.String,
    "period": pl.String,
    "as_of": pl.Date,
    "file": pl.String,
    "imported_at": pl.String,
}
TABLE_SCHEMAS["snapshot_project"] = {
    "snapshot_id": pl.Int64,
    "project_id": pl.String,
    "portfolio_id": pl.String,
    "category": pl.String,
    "delivery_confidence": pl.String,
    "sro_confidence": pl.String,
    "rating_note": pl.String,
    "start": pl.Date,
    "finish": pl.Date,
    "baseline_cost": pl.Float64,
    "forecast_cost": pl.Float64,
    "whole_life_cost": pl.Float64,
    "benefits": pl.Float64,
}
TABLE_SCHEMAS["status_report"] = {
    "id": pl.Int64,
    "project_id": pl.String,
    "reported_on": pl.Date,
    "overall": pl.String,
    "schedule": pl.String,
    "budget": pl.String,
    "scope": pl.String,
    "resources": pl.String,
    "risk": pl.String,
    "forecast_finish": pl.Date,
    "percent_complete": pl.Float64,
    "actual_cost": pl.Float64,
    "summary": pl.String,
    "key_risks": pl.String,
    "decisions_needed": pl.String,
    "created_by": pl.String,
}
TABLE_SCHEMAS["raid_entry"] = {
    "id": pl.Int64,
    "project_id": pl.String,
    "kind": pl.String,
    "title": pl.String,
    "owner": pl.String,
    "raised_on": pl.Date,
    "due": pl.Date,
    "probability": pl.Int64,
    "impact": pl.Int64,
    "state": pl.String,
    "closed_on": pl.Date,
    "notes": pl.String,
}
TABLE_SCHEMAS["gate"] = {
    "id": pl.Int64,
    "project_id": pl.String,
    "phase": pl.String,
    "passed_on": pl.Date,
    "decided_by": pl.String,
}
TABLE_SCHEMAS["gate_decision"] = {
    "id": pl.Int64,
    "project_id": pl.String,
    "phase": pl.String,
    "decision": pl.String,
    "decided_by": pl.String,
    "decided_on": pl.Date,
    "criteria_met": pl.String,
    "criteria_not_met": pl.String,
    "conditions": pl.String,
    "notes": pl.String,
}
TABLE_SCHEMAS["change_log"] = {
    "id": pl.Int64,
    "at": pl.String,
    "who": pl.String,
    "entity": pl.String,
    "action": pl.String,
    "reason": pl.String,
    "before": pl.String,
    "after": pl.String,
}


def stored_value(value: Any) -> Any:
    """A Python value as SQLite stores it: dates as ISO text, flags as 0/1, the rest as is."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def stored_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts ready for SQLite (see :func:`stored_value`)."""
    converted = frame.with_columns(
        [pl.col(c).dt.to_string("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date]
        + [pl.col(c).cast(pl.Int64) for c, t in frame.schema.items() if t == pl.Boolean]
    )
    return converted.to_dicts()
