"""Schema of what project-file imports remember (version 4).

* ``allocation_day``: the daily shape of an imported allocation (hours per person,
  project, demand and day, from the file's timephased work or its calendar), so that
  a day booked above its capacity shows even when the week is not
  (:func:`pmo_tui.domain.capacity.daily_peaks` scales it to the allocation's hours).
* ``project_file``: which file a project came from, its GUID and a fingerprint of its
  tasks and assignments, so that the same plan under another file name is recognised.
* ``person_calendar``: the project file whose working pattern, leave and availability a
  person has (no row: the pool's own calendar, from CSV), and that file's date, so that a
  person in several files gets the same calendar whatever the import order.

None of them has foreign keys: they describe rows of other tables, and a row whose
allocation, project or person is gone is ignored by its readers, so that deleting a
project, a demand or a person elsewhere never fails on them.
"""

from __future__ import annotations

SCHEMA_IMPORTS = """
CREATE TABLE allocation_day (
    person_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    demand_id TEXT,
    date TEXT NOT NULL,
    hours REAL NOT NULL CHECK (hours >= 0)
);
CREATE INDEX allocation_day_person_date ON allocation_day (person_id, date);
CREATE INDEX allocation_day_project ON allocation_day (project_id);
CREATE TABLE project_file (
    project_id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    guid TEXT,
    fingerprint TEXT NOT NULL,
    saved TEXT
);
CREATE TABLE person_calendar (
    person_id TEXT PRIMARY KEY,
    source_file TEXT NOT NULL,
    saved TEXT,
    week_hours REAL NOT NULL
)
"""
