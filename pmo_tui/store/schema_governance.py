"""The SQLite schema of governance (migration 3): standards, templates, audits, findings, training.

Terms follow DESIGN.md and docs/governance.md. A standard (or policy,
procedure, methodology) and a template are versioned: ``(id, version)`` is
the key, the status is ``draft``, ``in_force`` or ``superseded``, and a
version in force or superseded is immutable (the triggers below refuse any
change but the step ``in_force -> superseded``). A methodology version lists
per phase the artefacts (templates) it requires and the gate criteria of the
phase's exit gate. Projects record the methodology and template versions they
follow (lineage). Findings keep every status change in ``finding_history``
and are linked to earlier findings they repeat (``finding_link``).
Dates are ISO text ``YYYY-MM-DD``; timestamps ISO text in UTC.
"""

from __future__ import annotations

#: The four project phases, in order (the ``project.phase`` values of schema v1).
PHASES = ("initiation", "planning", "execution", "closing")

SCHEMA_GOVERNANCE = """
CREATE TABLE standard (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('standard', 'policy', 'procedure', 'methodology')),
    title TEXT NOT NULL,
    owner TEXT,
    effective_date TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_force', 'superseded')),
    supersedes TEXT,
    summary TEXT,
    PRIMARY KEY (id, version)
);
CREATE TRIGGER standard_immutable_update BEFORE UPDATE ON standard
WHEN OLD.status <> 'draft' AND NOT (
    OLD.status = 'in_force' AND NEW.status = 'superseded'
    AND NEW.id IS OLD.id AND NEW.version IS OLD.version AND NEW.kind IS OLD.kind
    AND NEW.title IS OLD.title AND NEW.owner IS OLD.owner
    AND NEW.effective_date IS OLD.effective_date AND NEW.supersedes IS OLD.supersedes
    AND NEW.summary IS OLD.summary)
BEGIN
    SELECT RAISE(ABORT, 'a standard version in force or superseded is immutable');
END;
CREATE TRIGGER standard_immutable_delete BEFORE DELETE ON standard
WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a standard version in force or superseded is immutable');
END;
CREATE TABLE methodology_phase (
    standard_id TEXT NOT NULL,
    version TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('initiation', 'planning', 'execution', 'closing')),
    description TEXT,
    PRIMARY KEY (standard_id, version, phase),
    FOREIGN KEY (standard_id, version) REFERENCES standard(id, version)
);
CREATE TABLE template (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    owner TEXT
);
CREATE TABLE template_version (
    template_id TEXT NOT NULL REFERENCES template(id),
    version TEXT NOT NULL,
    effective_date TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_force', 'superseded')),
    supersedes TEXT,
    link TEXT,
    PRIMARY KEY (template_id, version)
);
CREATE TRIGGER template_version_immutable_update BEFORE UPDATE ON template_version
WHEN OLD.status <> 'draft' AND NOT (
    OLD.status = 'in_force' AND NEW.status = 'superseded'
    AND NEW.template_id IS OLD.template_id AND NEW.version IS OLD.version
    AND NEW.effective_date IS OLD.effective_date AND NEW.supersedes IS OLD.supersedes
    AND NEW.link IS OLD.link)
BEGIN
    SELECT RAISE(ABORT, 'a template version in force or superseded is immutable');
END;
CREATE TABLE phase_artefact (
    standard_id TEXT NOT NULL,
    version TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('initiation', 'planning', 'execution', 'closing')),
    template_id TEXT NOT NULL REFERENCES template(id),
    max_age_days INTEGER CHECK (max_age_days IS NULL OR max_age_days > 0),
    PRIMARY KEY (standard_id, version, phase, template_id),
    FOREIGN KEY (standard_id, version) REFERENCES standard(id, version)
);
CREATE TABLE gate_criterion (
    standard_id TEXT NOT NULL,
    version TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('initiation', 'planning', 'execution', 'closing')),
    criterion_id TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (standard_id, version, phase, criterion_id),
    FOREIGN KEY (standard_id, version) REFERENCES standard(id, version)
);
CREATE TABLE project_methodology (
    project_id TEXT PRIMARY KEY REFERENCES project(id),
    standard_id TEXT NOT NULL,
    version TEXT NOT NULL,
    adopted_on TEXT,
    FOREIGN KEY (standard_id, version) REFERENCES standard(id, version)
);
CREATE TABLE project_template (
    project_id TEXT NOT NULL REFERENCES project(id),
    template_id TEXT NOT NULL,
    version TEXT NOT NULL,
    PRIMARY KEY (project_id, template_id),
    FOREIGN KEY (template_id, version) REFERENCES template_version(template_id, version)
);
CREATE TABLE artefact (
    id INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project(id),
    template_id TEXT NOT NULL REFERENCES template(id),
    template_version TEXT,
    updated_on TEXT NOT NULL,
    link TEXT
);
CREATE INDEX artefact_project ON artefact (project_id, template_id);
CREATE TABLE status_report (
    id INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project(id),
    reported_on TEXT NOT NULL,
    overall TEXT NOT NULL CHECK (overall IN ('green', 'amber', 'red')),
    schedule TEXT CHECK (schedule IS NULL OR schedule IN ('green', 'amber', 'red')),
    budget TEXT CHECK (budget IS NULL OR budget IN ('green', 'amber', 'red')),
    scope TEXT CHECK (scope IS NULL OR scope IN ('green', 'amber', 'red')),
    forecast_finish TEXT,
    summary TEXT,
    created_by TEXT,
    UNIQUE (project_id, reported_on)
);
CREATE TRIGGER status_report_never_overwritten BEFORE UPDATE ON status_report
BEGIN
    SELECT RAISE(ABORT, 'a status report is a dated snapshot and is never overwritten');
END;
CREATE TABLE gate (
    id INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project(id),
    phase TEXT NOT NULL CHECK (phase IN ('initiation', 'planning', 'execution', 'closing')),
    passed_on TEXT NOT NULL,
    decided_by TEXT,
    UNIQUE (project_id, phase)
);
CREATE TABLE gate_check (
    gate_id INTEGER NOT NULL REFERENCES gate(id),
    criterion_id TEXT NOT NULL,
    met INTEGER NOT NULL CHECK (met IN (0, 1)),
    PRIMARY KEY (gate_id, criterion_id)
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project(id),
    standard_id TEXT,
    standard_version TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('automatic', 'checklist')),
    auditor TEXT NOT NULL,
    held_on TEXT NOT NULL,
    source TEXT
);
CREATE TABLE finding (
    id INTEGER PRIMARY KEY,
    audit_id INTEGER REFERENCES audit(id),
    project_id TEXT NOT NULL REFERENCES project(id),
    rule TEXT NOT NULL,
    category TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    manager TEXT,
    severity TEXT NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'observation')),
    description TEXT NOT NULL,
    owner TEXT,
    due TEXT,
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'in_progress', 'resolved', 'verified', 'accepted_risk')),
    corrective_action TEXT,
    evidence TEXT,
    opened TEXT NOT NULL
);
CREATE INDEX finding_rule_project ON finding (rule, project_id);
CREATE TABLE finding_history (
    id INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES finding(id),
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX finding_history_finding ON finding_history (finding_id);
CREATE TABLE finding_link (
    finding_id INTEGER NOT NULL REFERENCES finding(id),
    earlier_id INTEGER NOT NULL REFERENCES finding(id),
    basis TEXT NOT NULL CHECK (basis IN ('same project', 'same manager')),
    PRIMARY KEY (finding_id, earlier_id),
    CHECK (earlier_id < finding_id)
);
CREATE TABLE course (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('certification', 'course')),
    provider TEXT,
    skill_id TEXT REFERENCES skill(id),
    addresses TEXT
);
CREATE TABLE training_record (
    id INTEGER PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES person(id),
    course_id TEXT NOT NULL REFERENCES course(id),
    completed_on TEXT NOT NULL,
    expires_on TEXT,
    CHECK (expires_on IS NULL OR expires_on >= completed_on)
);
CREATE INDEX training_record_person ON training_record (person_id);
CREATE TABLE mentoring (
    id INTEGER PRIMARY KEY,
    mentor_id TEXT NOT NULL REFERENCES person(id),
    mentee_id TEXT NOT NULL REFERENCES person(id),
    since TEXT NOT NULL,
    until TEXT,
    topic TEXT,
    CHECK (mentor_id <> mentee_id)
);
CREATE TABLE coaching_session (
    id INTEGER PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES person(id),
    coach_id TEXT NOT NULL REFERENCES person(id),
    held_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    finding_ids TEXT
)
"""
