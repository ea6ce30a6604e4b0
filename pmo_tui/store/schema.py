"""The SQLite schema of the store (version 1).

Entities and terms follow DESIGN.md: portfolio > program > project, person
(resource) with skills and a calendar (working pattern per weekday, public
holidays per region, leave, availability changes), demand (resource request)
with hours per ISO week, allocation (booking) per person, project and week, and
a change log of every write. Weeks are stored as the ISO date of their Monday,
dates as ISO text, hours as REAL.
"""

from __future__ import annotations

SCHEMA_V1 = """
CREATE TABLE portfolio (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    manager TEXT
);
CREATE TABLE program (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    portfolio_id TEXT NOT NULL REFERENCES portfolio(id),
    manager TEXT
);
CREATE TABLE project (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    program_id TEXT REFERENCES program(id),
    portfolio_id TEXT REFERENCES portfolio(id),
    manager TEXT,
    sponsor TEXT,
    phase TEXT NOT NULL DEFAULT 'execution'
        CHECK (phase IN ('initiation', 'planning', 'execution', 'closing')),
    priority INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
    start TEXT,
    finish TEXT,
    budget REAL,
    actual_cost REAL,
    rag TEXT NOT NULL DEFAULT 'green' CHECK (rag IN ('green', 'amber', 'red')),
    source_file TEXT,
    CHECK (program_id IS NOT NULL OR portfolio_id IS NOT NULL)
);
CREATE TABLE skill (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT
);
CREATE TABLE person (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    role TEXT,
    unit TEXT,
    region TEXT,
    cost_rate REAL,
    max_concurrent_projects INTEGER,
    mon REAL NOT NULL DEFAULT 8 CHECK (mon BETWEEN 0 AND 24),
    tue REAL NOT NULL DEFAULT 8 CHECK (tue BETWEEN 0 AND 24),
    wed REAL NOT NULL DEFAULT 8 CHECK (wed BETWEEN 0 AND 24),
    thu REAL NOT NULL DEFAULT 8 CHECK (thu BETWEEN 0 AND 24),
    fri REAL NOT NULL DEFAULT 8 CHECK (fri BETWEEN 0 AND 24),
    sat REAL NOT NULL DEFAULT 0 CHECK (sat BETWEEN 0 AND 24),
    sun REAL NOT NULL DEFAULT 0 CHECK (sun BETWEEN 0 AND 24)
);
CREATE TABLE person_skill (
    person_id TEXT NOT NULL REFERENCES person(id),
    skill_id TEXT NOT NULL REFERENCES skill(id),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (person_id, skill_id)
);
CREATE TABLE public_holiday (
    region TEXT NOT NULL,
    date TEXT NOT NULL,
    name TEXT,
    PRIMARY KEY (region, date)
);
CREATE TABLE leave (
    id INTEGER PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES person(id),
    start TEXT NOT NULL,
    "end" TEXT NOT NULL,
    hours_per_day REAL CHECK (hours_per_day IS NULL OR hours_per_day >= 0),
    reason TEXT,
    CHECK ("end" >= start)
);
CREATE TABLE availability (
    id INTEGER PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES person(id),
    start TEXT NOT NULL,
    "end" TEXT,
    percent REAL NOT NULL CHECK (percent BETWEEN 0 AND 100)
);
CREATE TABLE demand (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project(id),
    skill_id TEXT REFERENCES skill(id),
    min_level INTEGER NOT NULL DEFAULT 1 CHECK (min_level BETWEEN 1 AND 5),
    description TEXT
);
CREATE TABLE demand_week (
    demand_id TEXT NOT NULL REFERENCES demand(id),
    week TEXT NOT NULL,
    hours REAL NOT NULL CHECK (hours >= 0),
    PRIMARY KEY (demand_id, week)
);
CREATE TABLE allocation (
    id INTEGER PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES person(id),
    project_id TEXT NOT NULL REFERENCES project(id),
    demand_id TEXT REFERENCES demand(id),
    week TEXT NOT NULL,
    hours REAL NOT NULL CHECK (hours >= 0),
    kind TEXT NOT NULL DEFAULT 'soft' CHECK (kind IN ('soft', 'hard')),
    pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1))
);
CREATE INDEX allocation_person_week ON allocation (person_id, week);
CREATE INDEX allocation_project ON allocation (project_id);
CREATE INDEX allocation_demand ON allocation (demand_id);
CREATE INDEX demand_project ON demand (project_id);
CREATE TABLE change_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    entity TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT,
    before TEXT,
    after TEXT
)
"""


#: Version 2: the optimizer's second lever and skills with an expiry. A project may
#: start up to ``may_shift_weeks`` later (its whole demand profile moves); a
#: ``dependency`` says one project must finish (its last demand week) before another
#: starts, ``lag_weeks`` later; a skill may be valid only until a date (a
#: certification that expires), after which its holder no longer qualifies.
SCHEMA_V2 = """
ALTER TABLE project ADD COLUMN may_shift_weeks INTEGER NOT NULL DEFAULT 0
    CHECK (may_shift_weeks BETWEEN 0 AND 52);
ALTER TABLE person_skill ADD COLUMN valid_until TEXT;
CREATE TABLE dependency (
    from_project_id TEXT NOT NULL REFERENCES project(id),
    to_project_id TEXT NOT NULL REFERENCES project(id),
    kind TEXT NOT NULL DEFAULT 'finish_to_start' CHECK (kind IN ('finish_to_start')),
    lag_weeks INTEGER NOT NULL DEFAULT 0 CHECK (lag_weeks >= 0),
    due TEXT,
    description TEXT,
    PRIMARY KEY (from_project_id, to_project_id),
    CHECK (from_project_id <> to_project_id)
)
"""
