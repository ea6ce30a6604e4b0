"""Write a portfolio file into the store as a dated snapshot, in one transaction.

Rules (docs/reporting.md):

* Each portfolio code (GMPP: the department) becomes a portfolio; each row a
  project directly in it. Projects are upserted through the import service
  (:func:`~pmo_tui.importers.service.write_bundles`) with only the columns the
  file gives (name, portfolio, dates, budget = whole-life cost, RAG), so a
  project's phase and priority set in pmo-tui are kept. A snapshot older than
  the newest one of the same source adds new projects but does not overwrite
  current ones.
* The project's RAG follows its delivery confidence: green and amber/green ->
  green, amber -> amber, amber/red and red -> red; a project not rated keeps
  its RAG (amber when new), and the snapshot says "not rated".
* The snapshot (source, period) replaces one imported before for the same
  source and period, so importing a file twice does not double-count.
* All or nothing: any problem refuses the whole file, listing every problem
  with its row and column, unless ``skip_bad_rows`` (the bad rows are then left
  out and listed as notes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.errors import UserError
from pmo_tui.importers.bundle import Bundle
from pmo_tui.importers.portfolio_csv import PortfolioFile
from pmo_tui.importers.service import write_bundles
from pmo_tui.store.change_log import log_change
from pmo_tui.store.schema_reporting import RAG_OF_CONFIDENCE
from pmo_tui.store.tables import stored_records
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

#: Problems listed in the refusal message before "... and N more".
LISTED_PROBLEMS = 40


@dataclass
class SnapshotReport:
    """What one portfolio import wrote."""

    source: str
    period: str
    as_of: dt.date
    projects: int = 0
    portfolios: int = 0
    new_projects: int = 0
    replaced_snapshot: bool = False
    skipped_rows: list[str] = field(default_factory=list)
    withheld: dict[str, int] = field(default_factory=dict)


def import_portfolio(
    db: sqlite_utils.Database, portfolio: PortfolioFile, *, skip_bad_rows: bool = False
) -> SnapshotReport:
    """Write ``portfolio`` (see the module docstring) and log it in ``change_log``.

    Returns:
        A :class:`SnapshotReport`.

    Raises:
        UserError: the file has problems (each listed with row and column) and
            ``skip_bad_rows`` is off, or no row is readable; nothing is written.
    """
    problems = portfolio.problems
    if problems and not skip_bad_rows:
        raise _refusal(portfolio)
    if portfolio.rows.is_empty():
        raise UserError(
            "no project row could be read", file=portfolio.file, fix="check the file's rows"
        )
    source, period = portfolio.mapping.name, portfolio.period
    report = SnapshotReport(source, period, portfolio.as_of, withheld=dict(portfolio.withheld))
    report.skipped_rows = [p.render() for p in problems]
    with write_transaction(db, "import portfolio"):
        newest = _newest_as_of(db, source)
        known = {row[0] for row in db.execute("SELECT id FROM project")}
        rows = portfolio.rows
        report.new_projects = rows.filter(~pl.col("project_id").is_in(list(known))).height
        if newest is not None and newest > portfolio.as_of:
            rows_to_write = rows.filter(~pl.col("project_id").is_in(list(known)))
        else:
            rows_to_write = rows
        write_bundles(
            db,
            [_bundle(portfolio, rows_to_write, db)],
            reason=f"import portfolio {source} {period}",
        )
        report.replaced_snapshot = _delete_snapshot(db, source, period)
        snapshot_id = _insert_snapshot(db, portfolio)
        db.table("snapshot_project").insert_all(_snapshot_rows(rows, snapshot_id))
        report.projects = rows.height
        report.portfolios = rows["portfolio_id"].n_unique()
        log_change(
            db,
            "portfolio_snapshot",
            "import",
            reason=f"import portfolio {portfolio.file}",
            after={
                "source": source,
                "period": period,
                "as_of": portfolio.as_of.isoformat(),
                "projects": report.projects,
                "skipped_rows": len(problems),
            },
        )
    return report


def _refusal(portfolio: PortfolioFile) -> UserError:
    problems = portfolio.problems
    listed = "\n  ".join(p.render() for p in problems[:LISTED_PROBLEMS])
    more = len(problems) - LISTED_PROBLEMS
    rows = len({p.row for p in problems})
    return UserError(
        f"{rows} row(s) cannot be read, nothing was imported:\n  {listed}"
        + (f"\n  ... and {more} more" if more > 0 else ""),
        file=portfolio.file,
        fix="correct these cells in the file, or pass --skip-bad-rows to import the other rows",
    )


def _newest_as_of(db: sqlite_utils.Database, source: str) -> dt.date | None:
    row = db.execute("SELECT max(as_of) FROM portfolio_snapshot WHERE source = ?", [source])
    value = row.fetchone()[0]
    return None if value is None else dt.date.fromisoformat(value)


def _bundle(portfolio: PortfolioFile, rows: pl.DataFrame, db: sqlite_utils.Database) -> Bundle:
    """Portfolios and projects to upsert, with only the columns the file gives."""
    names = portfolio.mapping.portfolio_names
    codes = sorted(set(portfolio.rows["portfolio_id"].to_list()))
    portfolios = pl.DataFrame(
        {"id": codes, "name": [names.get(code, code) for code in codes]},
        schema={"id": pl.String, "name": pl.String},
    )
    current_rag = dict(db.execute("SELECT id, rag FROM project").fetchall())
    rag = [
        RAG_OF_CONFIDENCE.get(level) or current_rag.get(pid) or "amber"
        for pid, level in zip(rows["project_id"], rows["delivery_confidence"], strict=True)
    ]
    projects = rows.select(
        pl.col("project_id").alias("id"),
        "name",
        "portfolio_id",
        "start",
        "finish",
        pl.col("whole_life_cost").alias("budget"),
    ).with_columns(pl.Series("rag", rag, dtype=pl.String), pl.lit(portfolio.file).alias("src"))
    return Bundle(
        source=portfolio.file,
        portfolios=portfolios,
        projects=projects.drop("src"),
        origins={"projects": portfolio.file},
        given_columns={
            "portfolios": {"id", "name"},
            "projects": {"id", "name", "portfolio_id", "start", "finish", "budget", "rag"},
        },
    )


def _delete_snapshot(db: sqlite_utils.Database, source: str, period: str) -> bool:
    found = db.execute(
        "SELECT id FROM portfolio_snapshot WHERE source = ? AND period = ?", [source, period]
    ).fetchone()
    if found is None:
        return False
    db.execute("DELETE FROM snapshot_project WHERE snapshot_id = ?", [found[0]])
    db.execute("DELETE FROM portfolio_snapshot WHERE id = ?", [found[0]])
    return True


def _insert_snapshot(db: sqlite_utils.Database, portfolio: PortfolioFile) -> int:
    cursor = db.execute(
        "INSERT INTO portfolio_snapshot (source, period, as_of, file, imported_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            portfolio.mapping.name,
            portfolio.period,
            portfolio.as_of.isoformat(),
            portfolio.file,
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        ],
    )
    return int(cursor.lastrowid or 0)


def _snapshot_rows(rows: pl.DataFrame, snapshot_id: int) -> list[dict]:
    return stored_records(
        rows.drop("row", "name").with_columns(pl.lit(snapshot_id).alias("snapshot_id"))
    )
