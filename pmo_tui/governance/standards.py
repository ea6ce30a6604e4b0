"""The standards library and templates: versions, publishing, and the immutability of versions.

A standard (kind ``standard``, ``policy``, ``procedure`` or ``methodology``) is
identified by ``id`` and has versions; each version is ``draft``, then
``in_force`` once published, then ``superseded`` when a newer version is
published. Only a draft may change; a version in force or superseded is
immutable (refused here with a clear message, and by SQLite triggers as a last
line). Templates (charter, risk register, ...) are versioned the same way in
``template_version``. Every write is one transaction with a ``change_log`` row.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import polars as pl
from polars._typing import SchemaDict

from pmo_tui.errors import UserError
from pmo_tui.governance.frames import STANDARD_KINDS
from pmo_tui.store.change_log import log_change
from pmo_tui.store.reads import one_row, query_frame
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

STANDARD_SCHEMA: SchemaDict = {
    "id": pl.String,
    "version": pl.String,
    "kind": pl.String,
    "title": pl.String,
    "owner": pl.String,
    "effective_date": pl.Date,
    "status": pl.String,
    "supersedes": pl.String,
}

#: Fields of a standard version that may be edited while it is a draft.
EDITABLE_FIELDS = ("title", "owner", "summary", "effective_date")


def list_standards(db: Any, *, kind: str | None = None, status: str | None = None) -> pl.DataFrame:
    """Every standard version: ``id, version, kind, title, owner, effective_date, status, supersedes``.

    Sorted by id, then effective date (drafts last). ``kind``/``status`` filter.
    """
    frame = query_frame(
        db,
        "SELECT id, version, kind, title, owner, effective_date, status, supersedes FROM standard",
        STANDARD_SCHEMA,
    )
    if kind:
        frame = frame.filter(pl.col("kind") == kind)
    if status:
        frame = frame.filter(pl.col("status") == status)
    return frame.sort(["id", "effective_date", "version"], nulls_last=True)


def get_standard(db: Any, standard_id: str, version: str | None = None) -> dict[str, Any]:
    """One standard version as a dict (the version in force when ``version`` is None).

    Raises:
        UserError: no such standard or version.
    """
    if version is None:
        row = one_row(
            db,
            "SELECT * FROM standard WHERE id = ? ORDER BY status = 'in_force' DESC, "
            "effective_date DESC LIMIT 1",
            [standard_id],
        )
    else:
        row = one_row(
            db, "SELECT * FROM standard WHERE id = ? AND version = ?", [standard_id, version]
        )
    if row is None:
        known = list_standards(db)["id"].unique().sort().to_list()[:8]
        what = f"standard {standard_id!r}" + (f" version {version!r}" if version else "")
        raise UserError(
            f"unknown {what}",
            fix=f"use one of: {', '.join(known)}" if known else "add it with `standards add`",
        )
    return row


def methodology_requirements(db: Any, standard_id: str, version: str) -> dict[str, pl.DataFrame]:
    """The phases, required artefacts and gate criteria of one methodology version.

    Returns:
        ``phases``: ``phase, description``; ``artefacts``: ``phase, template_id,
        max_age_days``; ``gates``: ``phase, criterion_id, description``.
    """
    key = [standard_id, version]
    return {
        "phases": query_frame(
            db,
            "SELECT phase, description FROM methodology_phase WHERE standard_id = ? AND version = ?",
            {"phase": pl.String, "description": pl.String},
            key,
        ),
        "artefacts": query_frame(
            db,
            "SELECT phase, template_id, max_age_days FROM phase_artefact "
            "WHERE standard_id = ? AND version = ? ORDER BY phase, template_id",
            {"phase": pl.String, "template_id": pl.String, "max_age_days": pl.Int64},
            key,
        ),
        "gates": query_frame(
            db,
            "SELECT phase, criterion_id, description FROM gate_criterion "
            "WHERE standard_id = ? AND version = ? ORDER BY phase, criterion_id",
            {"phase": pl.String, "criterion_id": pl.String, "description": pl.String},
            key,
        ),
    }


def add_standard(
    db: sqlite_utils.Database,
    standard_id: str,
    version: str,
    *,
    kind: str,
    title: str,
    owner: str | None = None,
    summary: str | None = None,
    effective_date: dt.date | None = None,
) -> dict[str, Any]:
    """Add a draft version of a standard (one transaction, change log).

    Raises:
        UserError: an unknown kind, a version that exists already (immutable once
            in force), or a kind that differs from the standard's earlier versions.
    """
    if kind not in STANDARD_KINDS:
        raise UserError(
            f"unknown kind {kind!r}", option="--kind", fix=f"use one of {', '.join(STANDARD_KINDS)}"
        )
    record = {
        "id": standard_id,
        "version": version,
        "kind": kind,
        "title": title,
        "owner": owner,
        "summary": summary,
        "effective_date": None if effective_date is None else effective_date.isoformat(),
        "status": "draft",
    }
    with write_transaction(db, "standards add", needs="admin"):
        existing = one_row(
            db, "SELECT status FROM standard WHERE id = ? AND version = ?", [standard_id, version]
        )
        if existing is not None:
            raise UserError(
                f"{standard_id} version {version} exists already ({existing['status']}); "
                "a version is never replaced",
                fix="add a new version number, e.g. the next one",
            )
        earlier = one_row(db, "SELECT kind FROM standard WHERE id = ? LIMIT 1", [standard_id])
        if earlier is not None and earlier["kind"] != kind:
            raise UserError(
                f"{standard_id} is a {earlier['kind']}, not a {kind}",
                option="--kind",
                fix=f"pass --kind {earlier['kind']}",
            )
        db.table("standard").insert(record)
        log_change(db, "standard", "add", reason=f"draft {standard_id} {version}", after=record)
    return record


def edit_standard(
    db: sqlite_utils.Database, standard_id: str, version: str, **changes: Any
) -> dict[str, Any]:
    """Change fields of a draft version (``title``, ``owner``, ``summary``, ``effective_date``).

    Raises:
        UserError: unknown standard/version, an unknown field, or a version that
            is in force or superseded (immutable: add a new version instead).
    """
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise UserError(
            f"{unknown[0]!r} cannot be edited", fix=f"edit {', '.join(EDITABLE_FIELDS)}"
        )
    with write_transaction(db, "standards edit", needs="admin"):
        before = get_standard(db, standard_id, version)
        _refuse_unless_draft(before, "standard")
        values = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in changes.items()}
        db.table("standard").update((standard_id, version), values)
        log_change(
            db,
            "standard",
            "edit",
            reason=f"edit draft {standard_id} {version}",
            before=before,
            after=values,
        )
    return {**before, **values}


def publish_standard(
    db: sqlite_utils.Database, standard_id: str, version: str, *, effective_date: dt.date
) -> dict[str, Any]:
    """Put a draft version in force; the version in force until now becomes superseded.

    Returns:
        ``{"published": version, "superseded": old version or None}``.

    Raises:
        UserError: unknown standard/version, the version is not a draft, or it is not
            newer than the version in force.
    """
    with write_transaction(db, "standards publish", needs="admin"):
        record = get_standard(db, standard_id, version)
        _refuse_unless_draft(record, "standard")
        outcome = _put_in_force(
            db, "standard", "id", standard_id, version, effective_date, "`standards add`"
        )
        log_change(
            db,
            "standard",
            "publish",
            reason=f"publish {standard_id} {version}",
            before=record,
            after=outcome,
        )
    return outcome


def _put_in_force(
    db: sqlite_utils.Database,
    table: str,
    key: str,
    item_id: str,
    version: str,
    effective_date: dt.date,
    how_to_add: str,
) -> dict[str, Any]:
    """Put draft ``version`` of ``item_id`` in force in ``table`` (a standard or a template
    version), superseding the version in force, inside the caller's transaction.

    Returns:
        ``{"id", "published", "superseded"}`` (``superseded`` is None for a first version).

    Raises:
        UserError: ``version`` is not newer than the version in force.
    """
    old = one_row(
        db, f"SELECT version FROM {table} WHERE {key} = ? AND status = 'in_force'", [item_id]
    )
    old_version = None if old is None else old["version"]
    if old_version is not None and _version_key(version) <= _version_key(old_version):
        raise UserError(
            f"{item_id} {version} is not newer than {old_version}, the version in force",
            fix=f"publish a version above {old_version} (add it with {how_to_add})",
        )
    if old_version is not None:
        db.table(table).update((item_id, old_version), {"status": "superseded"})
    db.table(table).update(
        (item_id, version),
        {
            "status": "in_force",
            "effective_date": effective_date.isoformat(),
            "supersedes": old_version,
        },
    )
    return {"id": item_id, "published": version, "superseded": old_version}


def _refuse_unless_draft(record: dict[str, Any], what: str) -> None:
    """Raise when ``record`` (a standard or template version) is no longer a draft."""
    if record["status"] == "draft":
        return
    name = record.get("id") or record.get("template_id")
    raise UserError(
        f"{what} {name} version {record['version']} is {record['status'].replace('_', ' ')}: "
        "versions are immutable once in force",
        fix="add a new version (it supersedes this one when published)",
    )


# ------------------------------------------------------------------------- templates
TEMPLATE_SCHEMA: SchemaDict = {
    "template_id": pl.String,
    "title": pl.String,
    "version": pl.String,
    "status": pl.String,
    "effective_date": pl.Date,
    "supersedes": pl.String,
    "projects_following": pl.Int64,
}


def list_templates(db: Any, *, status: str | None = None) -> pl.DataFrame:
    """Every template version with the number of projects that follow it.

    Returns:
        ``template_id, title, version, status, effective_date, supersedes, projects_following``.
    """
    frame = query_frame(
        db,
        "SELECT v.template_id, t.title, v.version, v.status, v.effective_date, v.supersedes, "
        "(SELECT count(*) FROM project_template p WHERE p.template_id = v.template_id "
        "AND p.version = v.version) "
        "FROM template_version v JOIN template t ON t.id = v.template_id",
        TEMPLATE_SCHEMA,
    )
    if status:
        frame = frame.filter(pl.col("status") == status)
    return frame.sort(["template_id", "effective_date", "version"], nulls_last=True)


def _version_key(version: str) -> tuple:
    """``"1.10"`` -> ``(1, 10)``: numeric parts compare as numbers, others as text."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in version.split(".")
    )


def publish_template(
    db: sqlite_utils.Database, template_id: str, version: str, *, effective_date: dt.date
) -> dict[str, Any]:
    """Put a draft template version in force, superseding the one in force.

    Raises:
        UserError: unknown template version, it is not a draft, or it is not newer than
            the version in force.
    """
    with write_transaction(db, "templates publish", needs="admin"):
        record = one_row(
            db,
            "SELECT * FROM template_version WHERE template_id = ? AND version = ?",
            [template_id, version],
        )
        if record is None:
            raise UserError(
                f"unknown template {template_id!r} version {version!r}",
                fix="see `pmo-tui templates list`",
            )
        _refuse_unless_draft(record, "template")
        outcome = _put_in_force(
            db,
            "template_version",
            "template_id",
            template_id,
            version,
            effective_date,
            "`import governance`",
        )
        log_change(
            db,
            "template",
            "publish",
            reason=f"publish template {template_id} {version}",
            before=record,
            after=outcome,
        )
    return outcome
