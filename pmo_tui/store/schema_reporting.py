"""The SQLite schema of portfolio reporting (migration 5): snapshots, status, RAID, gates.

Terms follow DESIGN.md and docs/reporting.md:

* ``portfolio_snapshot`` / ``snapshot_project``: an imported published portfolio
  (e.g. the UK GMPP annual data) as of a date; one row per project with its
  delivery confidence (five levels plus ``not_rated``), costs and dates.
  Importing several periods of a source gives a trend.
* ``status_report`` gains the dimensions resources and risk (schedule, budget
  = cost, scope were there), percent complete and actual cost as of the report
  (for earned value), key risks and decisions needed. It stays a dated
  snapshot that is never overwritten.
* ``dependency`` is rebuilt so that a link can also be a **deliverable** of one
  project needed by another by a date (``kind = 'deliverable'``, ``due``,
  ``deliverable``); the optimizer keeps reading only ``finish_to_start`` links.
* ``raid_entry``: the RAID log (risks, assumptions, issues, decisions, actions).
* ``gate_decision``: every stage-gate decision (approved, approved with
  conditions, rejected, deferred); an approval also records the passed
  ``gate`` that audits read.

Dates are ISO text ``YYYY-MM-DD``; money is REAL in the portfolio's currency
units; probability and impact are 1 (lowest) to 5 (highest).
"""

from __future__ import annotations

#: Delivery confidence levels, worst first, and "not rated" (IPA's five-level DCA scale).
DELIVERY_CONFIDENCE = ("red", "amber_red", "amber", "amber_green", "green")
NOT_RATED = "not_rated"
#: Delivery confidence -> RAG (the five levels onto three).
RAG_OF_CONFIDENCE = {
    "green": "green",
    "amber_green": "green",
    "amber": "amber",
    "amber_red": "red",
    "red": "red",
}

#: Kinds of RAID entry.
RAID_KINDS = ("risk", "assumption", "issue", "decision", "action")
#: Gate decisions; the first two approve the gate.
GATE_DECISIONS = ("approved", "approved_with_conditions", "rejected", "deferred")

_RAG = "('green', 'amber', 'red')"
_DCA = "('red', 'amber_red', 'amber', 'amber_green', 'green', 'not_rated')"

SCHEMA_REPORTING = f"""
CREATE TABLE portfolio_snapshot (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    period TEXT NOT NULL,
    as_of TEXT NOT NULL,
    file TEXT,
    imported_at TEXT NOT NULL,
    UNIQUE (source, period)
);
CREATE TABLE snapshot_project (
    snapshot_id INTEGER NOT NULL REFERENCES portfolio_snapshot(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES project(id),
    portfolio_id TEXT NOT NULL REFERENCES portfolio(id),
    category TEXT,
    delivery_confidence TEXT NOT NULL CHECK (delivery_confidence IN {_DCA}),
    sro_confidence TEXT NOT NULL CHECK (sro_confidence IN {_DCA}),
    rating_note TEXT,
    start TEXT,
    finish TEXT,
    baseline_cost REAL,
    forecast_cost REAL,
    whole_life_cost REAL,
    benefits REAL,
    PRIMARY KEY (snapshot_id, project_id)
);
CREATE INDEX snapshot_project_project ON snapshot_project (project_id);
ALTER TABLE status_report ADD COLUMN resources TEXT
    CHECK (resources IS NULL OR resources IN {_RAG});
ALTER TABLE status_report ADD COLUMN risk TEXT CHECK (risk IS NULL OR risk IN {_RAG});
ALTER TABLE status_report ADD COLUMN percent_complete REAL
    CHECK (percent_complete IS NULL OR percent_complete BETWEEN 0 AND 100);
ALTER TABLE status_report ADD COLUMN actual_cost REAL
    CHECK (actual_cost IS NULL OR actual_cost >= 0);
ALTER TABLE status_report ADD COLUMN key_risks TEXT;
ALTER TABLE status_report ADD COLUMN decisions_needed TEXT;
CREATE TABLE dependency_v4 (
    from_project_id TEXT NOT NULL REFERENCES project(id),
    to_project_id TEXT NOT NULL REFERENCES project(id),
    kind TEXT NOT NULL DEFAULT 'finish_to_start'
        CHECK (kind IN ('finish_to_start', 'deliverable')),
    lag_weeks INTEGER NOT NULL DEFAULT 0 CHECK (lag_weeks >= 0),
    due TEXT,
    description TEXT,
    deliverable TEXT,
    PRIMARY KEY (from_project_id, to_project_id),
    CHECK (from_project_id <> to_project_id),
    CHECK (kind = 'finish_to_start' OR due IS NOT NULL)
);
INSERT INTO dependency_v4 (from_project_id, to_project_id, kind, lag_weeks, due, description)
    SELECT from_project_id, to_project_id, kind, lag_weeks, due, description FROM dependency;
DROP TABLE dependency;
ALTER TABLE dependency_v4 RENAME TO dependency;
CREATE TABLE raid_entry (
    id INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project(id),
    kind TEXT NOT NULL CHECK (kind IN ('risk', 'assumption', 'issue', 'decision', 'action')),
    title TEXT NOT NULL,
    owner TEXT,
    raised_on TEXT NOT NULL,
    due TEXT,
    probability INTEGER CHECK (probability IS NULL OR probability BETWEEN 1 AND 5),
    impact INTEGER CHECK (impact IS NULL OR impact BETWEEN 1 AND 5),
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    closed_on TEXT,
    notes TEXT,
    CHECK (kind = 'risk' OR probability IS NULL),
    CHECK (closed_on IS NULL OR closed_on >= raised_on)
);
CREATE INDEX raid_entry_project ON raid_entry (project_id, kind);
CREATE TABLE gate_decision (
    id INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project(id),
    phase TEXT NOT NULL CHECK (phase IN ('initiation', 'planning', 'execution', 'closing')),
    decision TEXT NOT NULL
        CHECK (decision IN ('approved', 'approved_with_conditions', 'rejected', 'deferred')),
    decided_by TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    criteria_met TEXT,
    criteria_not_met TEXT,
    conditions TEXT,
    notes TEXT,
    CHECK (decision <> 'approved_with_conditions' OR conditions IS NOT NULL)
);
CREATE INDEX gate_decision_project ON gate_decision (project_id, phase)
"""
