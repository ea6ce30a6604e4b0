"""The import service: write bundles into the store, merging people, in one transaction.

Rules (documented in docs/data-model.md and the README):

* People are merged into one shared pool: a person in a bundle is the pool's
  person with the same e-mail (case-insensitive), else the same name
  (case-insensitive, spaces folded), else the same id; otherwise a new person.
  With ``people="upsert"`` (CSV) a matched person's fields are updated from the
  file; with ``people="merge"`` (project files) the pool's record is kept and only
  new skills are added, and the calendar (pattern, region, leave, availability) is
  the pool's own when the person came from CSV, else chosen between the project
  files by :mod:`.calendar_rule`, whatever the import order.
* A project file whose plan is already stored under another project is refused
  unless the user chooses ``replace`` or ``as_new`` (:mod:`.plan_records`).
* Reference data (portfolios, programs, skills, holidays, projects, demands) is
  upserted by key. A project from a project file that is already in the store
  is refused unless ``replace=True``, which first removes its demand and
  allocations.
* Demand hours and allocations replace rows with the same key (demand and
  week; person, project, demand and week), so importing a file twice does not
  double-count. ``leave.csv`` and ``availability.csv`` replace those of the
  people they name.
* Every reference must resolve in the bundle or in the store, else a
  :class:`UserError` names the file, row, column and value, and nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl
import sqlite_utils

from pmo_tui.errors import UserError, closest_match, raise_all
from pmo_tui.importers.bundle import Bundle
from pmo_tui.importers.calendar_rule import (
    CalendarChoice,
    calendar_sources,
    check_calendar_from,
    record_person_calendars,
)
from pmo_tui.importers.csv_lines import line_of_value
from pmo_tui.importers.csv_rows import MAX_ERRORS
from pmo_tui.importers.plan_records import SamePlanChoice, record_plan_file, settle_same_plan
from pmo_tui.importers.stored_projects import check_new_projects, check_phase_changes
from pmo_tui.store.change_log import log_change
from pmo_tui.store.reads import read_table
from pmo_tui.store.tables import stored_records
from pmo_tui.store.transactions import write_transaction

PeoplePolicy = Literal["upsert", "merge"]


@dataclass(frozen=True)
class PeopleRule:
    """How a bundle's people join the pool (chosen once per import by :data:`PEOPLE_RULES`).

    Attributes:
        ids_are_authoritative: a person whose id is in the pool is that person (CSV);
            otherwise ids are only the file's own and people match by e-mail, then name.
        keep_pool_records: a matched person keeps the pool's record, calendar and leave,
            and gains only new skills (project files); otherwise the file updates them.
    """

    ids_are_authoritative: bool
    keep_pool_records: bool


#: ``people=`` of :func:`write_bundles` -> its rule: "upsert" for CSV, "merge" for project files.
PEOPLE_RULES: dict[str, PeopleRule] = {
    "upsert": PeopleRule(ids_are_authoritative=True, keep_pool_records=False),
    "merge": PeopleRule(ids_are_authoritative=False, keep_pool_records=True),
}

#: (part, column, table it refers to, part of the bundle that may define it)
REFERENCES: tuple[tuple[str, str, str, str], ...] = (
    ("programs", "portfolio_id", "portfolio", "portfolios"),
    ("projects", "program_id", "program", "programs"),
    ("projects", "portfolio_id", "portfolio", "portfolios"),
    ("person_skills", "person_id", "person", "people"),
    ("person_skills", "skill_id", "skill", "skills"),
    ("leave", "person_id", "person", "people"),
    ("availability", "person_id", "person", "people"),
    ("dependencies", "from_project_id", "project", "projects"),
    ("dependencies", "to_project_id", "project", "projects"),
    ("demand", "project_id", "project", "projects"),
    ("demand", "skill_id", "skill", "skills"),
    ("demand_week", "demand_id", "demand", "demand"),
    ("allocation", "person_id", "person", "people"),
    ("allocation", "project_id", "project", "projects"),
    ("allocation", "demand_id", "demand", "demand"),
)

#: Bundle part -> (store table, key columns) for the upserted parts.
UPSERT_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "portfolios": ("portfolio", ("id",)),
    "programs": ("program", ("id",)),
    "skills": ("skill", ("id",)),
    "holidays": ("public_holiday", ("region", "date")),
    "projects": ("project", ("id",)),
    "dependencies": ("dependency", ("from_project_id", "to_project_id")),
    "demand": ("demand", ("id",)),
    "demand_week": ("demand_week", ("demand_id", "week")),
}

#: The CSV file each bundle part is read from, to find the row of a bad value.
CSV_FILE_OF_PART = {
    "demand": "demands",
    "demand_week": "demands",
    "allocation": "allocations",
}


@dataclass
class ImportReport:
    """What one import wrote: row counts per table and the people merge."""

    sources: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    merged_people: list[str] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: People whose calendars differ between sources: both, which was kept and why.
    conflicts: list[str] = field(default_factory=list)

    def add_rows(self, table: str, count: int) -> None:
        """Count ``count`` rows written to ``table``."""
        self.rows[table] = self.rows.get(table, 0) + count


def write_bundles(
    db: sqlite_utils.Database,
    bundles: list[Bundle],
    *,
    people: PeoplePolicy = "upsert",
    replace: bool = False,
    as_new: bool = False,
    calendars: CalendarChoice | None = None,
    reason: str = "import",
    command: str = "import",
) -> ImportReport:
    """Write ``bundles`` in order, in one write transaction (change set ``command``), and log it.

    ``replace``/``as_new`` say what to do with a project file whose plan is already
    stored (:mod:`.plan_records`); ``calendars`` settles a person's calendar between
    project files (:mod:`.calendar_rule`; the rule ``larger`` by default).

    Raises:
        UserError: a reference does not resolve, a project or the same plan is
            already there (without ``replace`` or ``as_new``), or ``--calendar-from``
            names no file; the database is left as it was.
        DatabaseBusy, RoleRefused: see :func:`~pmo_tui.store.transactions.write_transaction`.
    """
    report = ImportReport()
    rule = PEOPLE_RULES[people]
    choices = _Choices(SamePlanChoice(replace, as_new), calendars or CalendarChoice())
    with write_transaction(db, command, needs="planner", reason=reason):
        check_calendar_from(db, bundles, choices.calendars)
        for bundle in bundles:
            _write_bundle(db, bundle, report, rule=rule, choices=choices)
        report.notes.extend(_fixed_bookings_warning(db, bundles))
        log_change(db, "import", "import", reason=reason, after=_summary(report))
    return report


@dataclass(frozen=True)
class _Choices:
    """The user's answers for project files: the same plan again, calendar conflicts."""

    same_plan: SamePlanChoice
    calendars: CalendarChoice


def _summary(report: ImportReport) -> dict[str, object]:
    return {
        "sources": report.sources,
        "rows": report.rows,
        "merged_people": report.merged_people,
        "calendar_conflicts": report.conflicts,
    }


def _write_bundle(
    db: sqlite_utils.Database,
    bundle: Bundle,
    report: ImportReport,
    *,
    rule: PeopleRule,
    choices: _Choices,
) -> None:
    parts = _with_defaults(dict(bundle.parts()))
    parts["allocation_day"] = bundle.allocation_day  # the people merge rewrites its ids too
    report.sources.append(bundle.source)
    report.notes.extend(bundle.notes)
    existing_ids = _merge_people(db, parts, report, rule)
    same_plan_note = settle_same_plan(db, parts, bundle, choices.same_plan)
    report.notes.extend([same_plan_note] if same_plan_note else [])
    _check_references(db, parts, bundle)
    _check_allocation_projects(db, parts, bundle)
    check_new_projects(db, parts, bundle, choices.same_plan.replace)
    check_phase_changes(db, parts["projects"], bundle)
    _upsert_reference_data(db, parts, report, bundle.given_columns)
    _write_people(db, parts, existing_ids, report, rule, bundle.given_columns.get("people"))
    calendars = choices.calendars if rule.keep_pool_records else None
    file_calendars = calendar_sources(db, parts, existing_ids, bundle, calendars, report.conflicts)
    _write_calendar(db, parts, existing_ids - file_calendars, report, rule)
    _write_allocations(db, parts["allocation"], report)
    record_person_calendars(db, file_calendars, bundle.plan_file, parts)
    report.add_rows("allocation_day", record_plan_file(db, parts, bundle.plan_file))


def _with_defaults(parts: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Empty optional values that have a default in the store get that default."""
    parts["projects"] = parts["projects"].with_columns(pl.col("may_shift_weeks").fill_null(0))
    parts["dependencies"] = parts["dependencies"].with_columns(
        pl.col("kind").fill_null("finish_to_start"), pl.col("lag_weeks").fill_null(0)
    )
    return parts


def _name_key(name: str | None) -> str:
    return re.sub(r"\s+", " ", (name or "").strip()).casefold()


def _merge_people(
    db: sqlite_utils.Database,
    parts: dict[str, pl.DataFrame],
    report: ImportReport,
    rule: PeopleRule,
) -> set[str]:
    """Map the bundle's people onto the pool; rewrite person ids in every part.

    Returns the ids (after mapping) of people that were already in the store.
    """
    pool = read_table(db, "person", ["id", "name", "email"])
    by_email = {e.casefold(): i for i, e in zip(pool["id"], pool["email"], strict=True) if e}
    by_name = {_name_key(n): i for i, n in zip(pool["id"], pool["name"], strict=True)}
    known_ids = set(pool["id"].to_list())
    mapping: dict[str, str] = {}
    merged_ids: set[str] = set()
    for row in parts["people"].iter_rows(named=True):
        match, how = _match_person(row, known_ids, by_email, by_name, rule)
        if match is None:
            new_id = row["id"] if rule.ids_are_authoritative else _unused_id(row["id"], known_ids)
            known_ids.add(new_id)
            if new_id != row["id"]:
                mapping[row["id"]] = new_id
            report.new_people.append(new_id)
            continue
        mapping[row["id"]] = match
        merged_ids.add(match)
        if how != "id":
            report.merged_people.append(f"{row['name']} -> {match} (matched by {how})")
    for name, frame in parts.items():
        if "person_id" in frame.columns:
            parts[name] = frame.with_columns(pl.col("person_id").replace(mapping))
    parts["people"] = parts["people"].with_columns(pl.col("id").replace(mapping))
    return merged_ids


def _match_person(
    row: dict,
    known_ids: set[str],
    by_email: dict[str, str],
    by_name: dict[str, str],
    rule: PeopleRule,
) -> tuple[str | None, str]:
    """The pool's id for a bundle person and how it matched (CSV ids are authoritative)."""
    if rule.ids_are_authoritative and row["id"] in known_ids:
        return row["id"], "id"
    email = (row["email"] or "").casefold()
    if email and email in by_email:
        return by_email[email], "e-mail"
    return by_name.get(_name_key(row["name"])), "name"


def _unused_id(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... when another person already has that id."""
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}-{number}"
    return candidate


def _known_keys(
    db: sqlite_utils.Database, table: str, parts: dict[str, pl.DataFrame], part: str
) -> set:
    stored = {row[0] for row in db.execute(f"SELECT id FROM [{table}]").fetchall()}
    return stored | set(parts[part]["id"].drop_nulls().to_list())


def _check_references(
    db: sqlite_utils.Database, parts: dict[str, pl.DataFrame], bundle: Bundle
) -> None:
    """Raise for every unknown id the bundle refers to (one error per id and column, each
    with "did you mean" when one is close; at most :data:`MAX_ERRORS` shown).

    Raises:
        UserErrors: the unknown ids, in the order of :data:`REFERENCES` then of the file.
    """
    errors: list[UserError] = []
    total = 0
    for part, column, table, defining_part in REFERENCES:
        values = parts[part][column].drop_nulls().unique(maintain_order=True)
        if values.is_empty():
            continue
        known = _known_keys(db, table, parts, defining_part)
        missing = [v for v in values.to_list() if v not in known]
        total += len(missing)
        candidates = sorted(known)
        errors.extend(
            _unknown_reference(bundle, part, column, table, value, candidates)
            for value in missing[: max(0, MAX_ERRORS - len(errors))]
        )
    raise_all(errors, total)


def _check_allocation_projects(
    db: sqlite_utils.Database, parts: dict[str, pl.DataFrame], bundle: Bundle
) -> None:
    """An allocation on a demand must be on that demand's project.

    Raises:
        UserErrors: each demand booked on another project (at most :data:`MAX_ERRORS`).
    """
    allocations = parts["allocation"].filter(pl.col("demand_id").is_not_null())
    if allocations.is_empty():
        return
    stored = pl.DataFrame(
        db.execute("SELECT id, project_id FROM demand").fetchall(),
        schema={"demand_id": pl.String, "demand_project": pl.String},
        orient="row",
    )
    given = parts["demand"].select(
        pl.col("id").alias("demand_id"), pl.col("project_id").alias("demand_project")
    )
    projects = pl.concat([given, stored]).unique("demand_id", keep="first")
    wrong = allocations.join(projects, on="demand_id").filter(
        pl.col("project_id") != pl.col("demand_project")
    )
    wrong = wrong.unique(["demand_id", "project_id"], maintain_order=True)
    origin = bundle.origins.get("allocation")
    raise_all(
        [
            UserError(
                f"demand {row['demand_id']!r} belongs to project {row['demand_project']!r}, "
                f"not {row['project_id']!r}",
                file=origin or bundle.source,
                row=_row_in_file(origin, "demand_id", row["demand_id"]),
                column="project_id",
                fix=f"use project_id {row['demand_project']!r}, "
                f"or a demand of project {row['project_id']!r}",
            )
            for row in wrong.head(MAX_ERRORS).iter_rows(named=True)
        ],
        wrong.height,
    )


def _unknown_reference(
    bundle: Bundle, part: str, column: str, table: str, value: str, known: list[str]
) -> UserError:
    origin = bundle.origins.get(part) or bundle.origins.get(CSV_FILE_OF_PART.get(part, part))
    file = origin or bundle.source
    close = closest_match(str(value), [str(k) for k in known])
    hint = f"did you mean {close!r}? Else " if close else ""
    return UserError(
        f"unknown {table} {value!r}",
        file=file,
        row=_row_in_file(origin, column, value),
        column=column,
        fix=f"{hint}add {table} {value!r} first (in the database or in the same import), "
        "or correct the id",
    )


def _row_in_file(origin: str | None, column: str, value: str) -> int | None:
    """The line of the first row of the CSV file ``origin`` whose ``column`` is ``value``
    (None for another kind of file, or when it is not found)."""
    if not origin or not origin.endswith(".csv"):
        return None
    return line_of_value(Path(origin), column, value)


def _given(frame: pl.DataFrame, given: set[str] | None, keys: tuple[str, ...]) -> pl.DataFrame:
    """Only the columns the file had (and the keys): a stored row keeps the others."""
    if given is None:
        return frame
    return frame.select([c for c in frame.columns if c in given or c in keys])


def _upsert_reference_data(
    db: sqlite_utils.Database,
    parts: dict[str, pl.DataFrame],
    report: ImportReport,
    given_columns: dict[str, set[str]],
) -> None:
    for part, (table, keys) in UPSERT_KEYS.items():
        frame = _given(parts[part], given_columns.get(part), keys)
        if frame.is_empty():
            continue
        db.table(table).upsert_all(stored_records(frame), pk=keys if len(keys) > 1 else keys[0])
        report.add_rows(table, frame.height)


def _write_people(
    db: sqlite_utils.Database,
    parts: dict[str, pl.DataFrame],
    existing_ids: set[str],
    report: ImportReport,
    rule: PeopleRule,
    given: set[str] | None = None,
) -> None:
    frame = parts["people"]
    if rule.keep_pool_records:
        frame = frame.filter(~pl.col("id").is_in(list(existing_ids)))
    frame = frame.with_columns(
        [pl.col(day).fill_null(0.0) for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
    )
    frame = _given(frame, given, ("id",))
    if not frame.is_empty():
        db.table("person").upsert_all(stored_records(frame), pk="id")
        report.add_rows("person", frame.height)
    skills = parts["person_skills"]
    if not skills.is_empty():
        if rule.keep_pool_records:
            db.table("person_skill").insert_all(
                stored_records(skills), pk=("person_id", "skill_id"), ignore=True
            )
        else:
            db.table("person_skill").upsert_all(
                stored_records(skills), pk=("person_id", "skill_id")
            )
        report.add_rows("person_skill", skills.height)


def _write_calendar(
    db: sqlite_utils.Database,
    parts: dict[str, pl.DataFrame],
    existing_ids: set[str],
    report: ImportReport,
    rule: PeopleRule,
) -> None:
    """Leave and availability: replace those of the people named (merge: new people only)."""
    for part, table in (("leave", "leave"), ("availability", "availability")):
        frame = parts[part]
        if rule.keep_pool_records:
            kept_from_pool = frame.filter(pl.col("person_id").is_in(list(existing_ids)))
            for person_id, rows in kept_from_pool.group_by("person_id", maintain_order=True):
                report.notes.append(
                    f"{person_id[0]} was already in the pool: kept the pool's calendar, "
                    f"ignored {rows.height} {table} row(s) from the file "
                    f"(add them with `import csv` {table}.csv if they are new)"
                )
            frame = frame.filter(~pl.col("person_id").is_in(list(existing_ids)))
        if frame.is_empty():
            continue
        for person_id in frame["person_id"].unique().to_list():
            db.execute(f"DELETE FROM [{table}] WHERE person_id = ?", [person_id])
        db.table(table).insert_all(stored_records(frame))
        report.add_rows(table, frame.height)


def _write_allocations(
    db: sqlite_utils.Database, frame: pl.DataFrame, report: ImportReport
) -> None:
    if frame.is_empty():
        return
    records = stored_records(frame)
    db.conn.executemany(
        "DELETE FROM allocation WHERE person_id = ? AND project_id = ? "
        "AND demand_id IS ? AND week = ?",
        [(r["person_id"], r["project_id"], r["demand_id"], r["week"]) for r in records],
    )
    db.table("allocation").insert_all(records)
    report.add_rows("allocation", frame.height)


#: How many person-weeks a warning names at most.
SHOWN_PERSON_WEEKS = 10


def _fixed_bookings_warning(db: sqlite_utils.Database, bundles: list[Bundle]) -> list[str]:
    """A warning naming the person-weeks whose pinned and hard bookings exceed capacity,
    among the people the import touched (allocations, leave, availability, people)."""
    from pmo_tui.domain.capacity import capacity_over_horizon, fixed_over_capacity

    touched: set[str] = set()
    for bundle in bundles:
        for part in (bundle.allocation, bundle.leave, bundle.availability):
            touched.update(part["person_id"].drop_nulls().to_list())
        touched.update(bundle.people["id"].drop_nulls().to_list())
    if not touched:
        return []
    people = sorted(touched)
    allocations = read_table(db, "allocation").filter(pl.col("person_id").is_in(people))
    fixed = allocations.filter(pl.col("pinned") | (pl.col("kind") == "hard"))
    if fixed.is_empty():
        return []
    calendar = {
        "person": read_table(db, "person").filter(pl.col("id").is_in(people)),
        "public_holiday": read_table(db, "public_holiday"),
        "leave": read_table(db, "leave").filter(pl.col("person_id").is_in(people)),
        "availability": read_table(db, "availability").filter(pl.col("person_id").is_in(people)),
    }
    capacity = capacity_over_horizon(calendar, fixed.select("week"), fixed)
    over = fixed_over_capacity(capacity, fixed)
    if over.is_empty():
        return []
    named = [
        f"{row['person_id']} {row['week']:%G-W%V} ({row['fixed_hours']:g} h of {row['capacity_hours']:g} h)"
        for row in over.head(SHOWN_PERSON_WEEKS).iter_rows(named=True)
    ]
    more = (
        f" and {over.height - SHOWN_PERSON_WEEKS} more" if over.height > SHOWN_PERSON_WEEKS else ""
    )
    return [
        f"warning: pinned and hard bookings above capacity in {over.height} person-weeks "
        f"(no plan can move them): {', '.join(named)}{more}"
    ]
