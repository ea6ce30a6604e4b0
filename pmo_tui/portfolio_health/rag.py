"""RAG status, delivery confidence and the roll-up rules (pure, over polars frames).

Health dimensions (docs/reporting.md): schedule, cost, scope, resources, risk,
and overall. RAG values are ``green``, ``amber``, ``red`` (ranked 0, 1, 2);
delivery confidence has the IPA's five levels plus ``not_rated``.

Roll-up rules, chosen with ``rule=`` (``--rollup`` on the command line):

* ``worst`` (default): a program's or portfolio's RAG is its worst project's.
  A single red project makes the portfolio red: nothing is averaged away.
* ``budget``: the budget-weighted mean of the projects' ranks,
  ``score = sum(budget_i x rank_i) / sum(budget_i)``, read back as green below
  0.5, amber below 1.5, red from 1.5 (the rank nearest the mean). A project with
  no budget weighs as much as the mean budget of those that have one (or 1 when
  none has). It tells the board where the money is at risk.

Projects with no RAG (nothing reported, nothing rated) do not count in either.
"""

from __future__ import annotations

import polars as pl

from pmo_tui.domain.portfolio import RAG_RANK
from pmo_tui.errors import UserError
from pmo_tui.store.schema_reporting import DELIVERY_CONFIDENCE, NOT_RATED

RAG_ORDER = ("green", "amber", "red")
DIMENSIONS = ("schedule", "cost", "scope", "resources", "risk")
ROLLUP_RULES = ("worst", "budget")
#: Delivery confidence, best first, and not rated last: the order of charts and tables.
CONFIDENCE_ORDER = (*reversed(DELIVERY_CONFIDENCE), NOT_RATED)
CONFIDENCE_LABELS = {
    "green": "Green",
    "amber_green": "Amber/Green",
    "amber": "Amber",
    "amber_red": "Amber/Red",
    "red": "Red",
    "not_rated": "Not rated",
}


def rank(column: str | pl.Expr) -> pl.Expr:
    """The rank (0 green, 1 amber, 2 red; null otherwise) of a RAG column or expression."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.replace_strict(RAG_RANK, default=None, return_dtype=pl.Int64)


def from_rank(expr: pl.Expr) -> pl.Expr:
    """A rank expression back to its RAG word."""
    names = {value: rag for rag, value in RAG_RANK.items()}
    return expr.replace_strict(names, default=None, return_dtype=pl.String)


def worst_of(*columns: str | pl.Expr) -> pl.Expr:
    """The worst RAG among ``columns`` (names or RAG expressions) of one row (null when all
    are null)."""
    return from_rank(pl.max_horizontal([rank(c) for c in columns]))


def check_rule(rule: str) -> str:
    """``rule`` when it is a roll-up rule, else a :class:`UserError` naming ``--rollup``."""
    if rule not in ROLLUP_RULES:
        raise UserError(
            f"unknown roll-up rule {rule!r}", option="--rollup", fix="use worst or budget"
        )
    return rule


def roll_up(projects: pl.DataFrame, key: str, rule: str = "worst") -> pl.DataFrame:
    """Roll project RAGs up to ``key`` by ``rule`` (see the module docstring).

    Args:
        projects: ``<key>, rag (String, nullable), budget (Float64, nullable)``.
        key: the column to group by (``program_id``, ``portfolio_id``).
        rule: ``worst`` or ``budget``.

    Returns:
        ``<key>, rag, score (Float64: the worst rank, or the budget-weighted mean rank),
        projects (Int64, rated projects counted)``, sorted by ``key``.

    Raises:
        UserError: an unknown rule.
    """
    check_rule(rule)
    rated = projects.filter(pl.col(key).is_not_null() & rank("rag").is_not_null())
    if rule == "worst":
        rolled = rated.group_by(key).agg(rank("rag").max().cast(pl.Float64).alias("score"))
    else:
        mean_budget = rated.filter(pl.col("budget") > 0)["budget"].mean()
        fallback = float(mean_budget) if isinstance(mean_budget, float | int) else 1.0
        weight = pl.when(pl.col("budget") > 0).then(pl.col("budget")).otherwise(fallback)
        rolled = rated.group_by(key).agg(
            ((weight * rank("rag")).sum() / weight.sum()).alias("score")
        )
    counts = rated.group_by(key).agg(pl.len().cast(pl.Int64).alias("projects"))
    return (
        rolled.join(counts, on=key)
        .with_columns(from_rank(_nearest_rank(pl.col("score"))).alias("rag"))
        .select(key, "rag", "score", "projects")
        .sort(key)
    )


def _nearest_rank(score: pl.Expr) -> pl.Expr:
    """0 below 0.5, 1 below 1.5, else 2."""
    return pl.when(score < 0.5).then(0).when(score < 1.5).then(1).otherwise(2).cast(pl.Int64)
