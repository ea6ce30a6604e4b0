"""Training, certifications, mentoring and coaching suggestions.

A course is a ``certification`` or an internal ``course``; it may grant a
skill (``skill_id``: a certification that must be valid for the person to
count as qualified in that skill) and may address rule kinds (``addresses``,
comma-separated: what the coaching suggestions match on). A training record
says who completed it when and until when it is valid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from polars._typing import SchemaDict

from pmo_tui.governance.frames import iso
from pmo_tui.store.reads import query_frame

#: Days before expiry from which a certification is listed as ``expiring``.
EXPIRING_DAYS = 90

TRAINING_SCHEMA: SchemaDict = {
    "person_id": pl.String,
    "name": pl.String,
    "course_id": pl.String,
    "title": pl.String,
    "kind": pl.String,
    "skill_id": pl.String,
    "completed_on": pl.Date,
    "expires_on": pl.Date,
}


def certified_skill_validity(db: Any) -> pl.DataFrame:
    """Until when each person's certified skills are valid.

    For every person and skill granted by a certification they hold: the
    latest expiry among their records of such certifications, or null when
    one of them never expires. A date in the past means the skill has expired.
    People without a certification for a skill are not listed (their skill
    has no expiry).

    Returns:
        ``person_id: String, skill_id: String, valid_until: Date``, sorted.
    """
    records = query_frame(
        db,
        "SELECT r.person_id, c.skill_id, r.expires_on FROM training_record r "
        "JOIN course c ON c.id = r.course_id "
        "WHERE c.skill_id IS NOT NULL AND c.kind = 'certification'",
        {"person_id": pl.String, "skill_id": pl.String, "expires_on": pl.Date},
    )
    return (
        records.group_by("person_id", "skill_id")
        .agg(
            pl.when(pl.col("expires_on").is_null().any())
            .then(pl.lit(None, pl.Date))
            .otherwise(pl.col("expires_on").max())
            .alias("valid_until")
        )
        .sort("person_id", "skill_id")
    )


def training_list(
    db: Any, today: dt.date, *, person_id: str | None = None, expired_only: bool = False
) -> pl.DataFrame:
    """Training records with their state on ``today``.

    Returns:
        :data:`TRAINING_SCHEMA` plus ``state``: ``valid``, ``expiring`` (within
        :data:`EXPIRING_DAYS`), ``expired`` or ``no expiry``. Sorted by person, date.
    """
    frame = query_frame(
        db,
        "SELECT r.person_id, p.name, r.course_id, c.title, c.kind, c.skill_id, r.completed_on, "
        "r.expires_on FROM training_record r JOIN course c ON c.id = r.course_id "
        "JOIN person p ON p.id = r.person_id",
        TRAINING_SCHEMA,
    )
    if person_id:
        frame = frame.filter(pl.col("person_id") == person_id)
    state = (
        pl.when(pl.col("expires_on").is_null())
        .then(pl.lit("no expiry"))
        .when(pl.col("expires_on") <= today)
        .then(pl.lit("expired"))
        .when(pl.col("expires_on") <= today + dt.timedelta(days=EXPIRING_DAYS))
        .then(pl.lit("expiring"))
        .otherwise(pl.lit("valid"))
    )
    frame = frame.with_columns(state.alias("state"))
    if expired_only:
        frame = frame.filter(pl.col("state") == "expired")
    return frame.sort("person_id", "completed_on", "course_id")


def mentoring_pairs(db: Any, today: dt.date) -> pl.DataFrame:
    """Mentor/mentee pairs active on ``today``: ``mentor_id, mentor, mentee_id, mentee, since, topic``."""
    return query_frame(
        db,
        "SELECT m.mentor_id, a.name, m.mentee_id, b.name, m.since, m.topic FROM mentoring m "
        "JOIN person a ON a.id = m.mentor_id JOIN person b ON b.id = m.mentee_id "
        "WHERE m.since <= ? AND (m.until IS NULL OR m.until >= ?) ORDER BY m.mentor_id, m.mentee_id",
        {
            "mentor_id": pl.String,
            "mentor": pl.String,
            "mentee_id": pl.String,
            "mentee": pl.String,
            "since": pl.Date,
            "topic": pl.String,
        },
        [iso(today), iso(today)],
    )


SUGGESTION_SCHEMA: SchemaDict = {
    "manager": pl.String,
    "category": pl.String,
    "rules": pl.String,
    "findings": pl.String,
    "projects": pl.String,
    "course": pl.String,
    "mentor": pl.String,
}


def coaching_suggestions(db: Any, today: dt.date, *, min_findings: int = 2) -> pl.DataFrame:
    """Project managers with ``min_findings`` or more findings of one rule kind, and what may help.

    Findings count whatever their status, except those already discussed in a
    coaching session of that manager (``coaching_session.finding_ids``).
    ``course``: a course addressing the kind that the manager has not completed
    (or whose certification expired); ``mentor``: the manager's active mentor,
    else an active mentor who manages projects with no finding of that kind.

    Returns:
        :data:`SUGGESTION_SCHEMA` (ids comma-separated), sorted by manager and kind.
    """
    findings = query_frame(
        db,
        "SELECT id, project_id, rule, category, manager FROM finding WHERE manager IS NOT NULL",
        {
            "id": pl.Int64,
            "project_id": pl.String,
            "rule": pl.String,
            "category": pl.String,
            "manager": pl.String,
        },
    )
    coached = pl.DataFrame(
        sorted(_coached_findings(db)),
        schema={"manager_key": pl.String, "id": pl.Int64},
        orient="row",
    )
    findings = findings.with_columns(
        pl.col("manager").str.to_lowercase().alias("manager_key")
    ).join(coached, on=["manager_key", "id"], how="anti")
    groups = (
        findings.group_by("manager", "category")
        .agg(
            pl.col("rule").unique().sort(),
            pl.col("id").sort(),
            pl.col("project_id").unique().sort(),
        )
        .filter(pl.col("id").list.len() >= min_findings)
        .sort("manager", "category")
    )
    people = _people_by_name(db)
    rows = []
    for group in groups.iter_rows(named=True):
        person_id = people.get(group["manager"].casefold())
        rows.append(
            (
                group["manager"],
                group["category"],
                ", ".join(group["rule"]),
                ", ".join(str(i) for i in group["id"]),
                ", ".join(group["project_id"]),
                _course_for(db, group["category"], person_id, today),
                _mentor_for(db, group["category"], person_id, findings, today),
            )
        )
    return pl.DataFrame(rows, schema=SUGGESTION_SCHEMA, orient="row")


def _coached_findings(db: Any) -> set[tuple[str, int]]:
    """(manager name lower-cased, finding id) pairs already discussed in a coaching session."""
    pairs = set()
    query = (
        "SELECT p.name, s.finding_ids FROM coaching_session s JOIN person p "
        "ON p.id = s.person_id WHERE s.finding_ids IS NOT NULL"
    )
    for name, ids in db.execute(query).fetchall():
        for text in str(ids).replace(";", ",").split(","):
            if text.strip().isdigit():
                pairs.add((name.lower(), int(text)))
    return pairs


def _people_by_name(db: Any) -> dict[str, str]:
    """Person name folded -> id (the first id for a name)."""
    result: dict[str, str] = {}
    for person_id, name in db.execute("SELECT id, name FROM person ORDER BY id").fetchall():
        result.setdefault(name.casefold(), person_id)
    return result


def _course_for(db: Any, category: str, person_id: str | None, today: dt.date) -> str:
    """The first course addressing ``category`` that ``person_id`` holds no valid record of."""
    query = (
        "SELECT id, title FROM course WHERE ',' || replace(coalesce(addresses, ''), ' ', '') "
        "|| ',' LIKE ? ORDER BY kind DESC, id"
    )
    for course_id, title in db.execute(query, [f"%,{category},%"]).fetchall():
        valid = db.execute(
            "SELECT 1 FROM training_record WHERE person_id = ? AND course_id = ? "
            "AND (expires_on IS NULL OR expires_on > ?)",
            [person_id, course_id, iso(today)],
        ).fetchone()
        if not valid:
            return f"{course_id} ({title})"
    return ""


def _mentor_for(
    db: Any, category: str, person_id: str | None, findings: pl.DataFrame, today: dt.date
) -> str:
    """The manager's active mentor, else an active mentor without findings of ``category``."""
    pairs = mentoring_pairs(db, today)
    own = pairs.filter(pl.col("mentee_id") == person_id)
    if not own.is_empty():
        return f"{own['mentor'][0]} (mentor since {own['since'][0]})"
    flagged = {m.casefold() for m in findings.filter(pl.col("category") == category)["manager"]}
    for mentor_id, mentor in pairs.select("mentor_id", "mentor").unique().sort("mentor_id").rows():
        if mentor_id != person_id and mentor.casefold() not in flagged:
            return mentor
    return ""


def skills_with_certifications(db: Any) -> pl.DataFrame:
    """The solver's skills frame: ``person_id, skill_id, level, valid_until`` (Date, null = no end).

    ``valid_until`` is the earlier of the skill's own ``person_skill.valid_until``
    and :func:`certified_skill_validity` (the certification's expiry): a
    person whose certification for a skill has expired is not qualified for
    demand of that skill from the week of its expiry on. A certification
    limits a skill the person holds; it never adds one.
    """
    from pmo_tui.store.reads import read_table

    certified = certified_skill_validity(db).rename({"valid_until": "certified_until"})
    return limit_skills_by_certifications(read_table(db, "person_skill"), certified)


def limit_skills_by_certifications(skills: pl.DataFrame, certified: pl.DataFrame) -> pl.DataFrame:
    """Skills whose ``valid_until`` is the earlier of their own and their certification's.

    Args:
        skills: ``person_id, skill_id, level, valid_until`` (the ``person_skill`` table).
        certified: ``person_id, skill_id, certified_until`` (from
            :func:`certified_skill_validity`, renamed).

    Returns:
        ``person_id, skill_id, level, valid_until (Date, null = no end)``.
    """
    return (
        skills.join(certified, on=["person_id", "skill_id"], how="left")
        .with_columns(pl.min_horizontal("valid_until", "certified_until").alias("valid_until"))
        .select("person_id", "skill_id", "level", "valid_until")
    )
