"""The plan model as plain arrays, shared by the CP-SAT search and the LP bound.

Building the columns and rows once, with polars joins, keeps both solvers on
exactly the same model and avoids Python loops over every pair.

Columns (tenths of an hour, except flags):

- ``hours``: a candidate with no current hours; gain (cover - churn) per tenth.
- ``kept``: the part of a candidate's current hours it keeps (at most current);
  gain (cover + churn) per tenth — the constant counts every current hour as churn,
  and keeping one earns it back.
- ``added``: a candidate's hours beyond its current hours; gain (cover - churn).
- ``flag``: 1 if the person works on the project that week; gain -fragmentation.

A candidate's hours are the sum of its columns. Every row reads
``sum(coefficient x column) <= limit``: capacity per person-week, remaining demand
per demand-week, and, per (person, project, week) without fixed or pinned hours,
``hours on the project - largest x flag <= 0`` plus ``column - upper x flag <= 0``
for each of its hours columns. Capacity and demand rows that cannot bind are left
out. Every row lies within one week, so the model falls apart into weeks.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from solver.prepare import DEMAND_WEEK, PERSON_WEEK, Prepared, objective_constant
from solver.types import HOURS_SCALE, Policy

PROJECT_WEEK = ["person_id", "project_id", "week"]


@dataclass(frozen=True)
class Formulation:
    """The plan model (see the module docstring).

    Attributes:
        columns: ``column (Int64, 0..n-1), candidate (Int64, null for flags), person_id,
            project_id, demand_id, week, kind, current, upper (Int64), gain (Float64,
            objective units per unit)``.
        rows: ``columns (list[Int64]), coefficients (list[Int64]), limit (Int64)``.
        constant: the objective part no decision changes (objective units).
        candidates: number of candidates.
    """

    columns: pl.DataFrame
    rows: pl.DataFrame
    constant: float
    candidates: int


def formulate(prepared: Prepared, policy: Policy) -> Formulation:
    """Build the :class:`Formulation` of ``prepared`` under ``policy``'s weights."""
    flags, largest = _flag_columns(prepared, policy)
    columns = (
        pl.concat([_candidate_columns(prepared, policy), flags], how="vertical")
        .with_row_index("column")
        .with_columns(pl.col("column").cast(pl.Int64))
    )
    hours = columns.filter(pl.col("kind") != "flag")
    person_rows = _limit_rows(prepared, PERSON_WEEK, prepared.person_weeks, "free")
    demand_rows = _limit_rows(prepared, DEMAND_WEEK, prepared.demand_weeks, "remaining")
    first_flag_row = person_rows.height + demand_rows.height
    flag_terms, flag_rows = _flag_terms(columns, largest, first_flag_row)
    terms = [
        _terms(hours, person_rows, PERSON_WEEK, 0),
        _terms(hours, demand_rows, DEMAND_WEEK, person_rows.height),
        *flag_terms,
    ]
    limits = pl.concat(
        [person_rows["limit"], demand_rows["limit"], pl.Series([0] * flag_rows, dtype=pl.Int64)]
    )
    constant = objective_constant(
        prepared, policy.cover_weight, policy.churn_weight, policy.fragmentation_weight
    )
    return Formulation(columns, _rows(terms, limits), constant, prepared.candidates.height)


def _candidate_columns(prepared: Prepared, policy: Policy) -> pl.DataFrame:
    cover = policy.cover_weight * pl.col("priority_weight") / HOURS_SCALE
    churn = policy.churn_weight / HOURS_SCALE
    candidates = prepared.candidates.with_columns(keepable=pl.min_horizontal("current", "upper"))
    fields = [pl.col("index").alias("candidate"), *PROJECT_WEEK, "demand_id", "current"]

    def part(condition: pl.Expr, kind: str, upper: pl.Expr, gain: pl.Expr) -> pl.DataFrame:
        return candidates.filter(condition).select(
            *fields, pl.lit(kind).alias("kind"), upper.alias("upper"), gain.alias("gain")
        )

    has_current = pl.col("current") > 0
    return pl.concat(
        [
            part(~has_current, "hours", pl.col("upper"), cover - churn),
            part(has_current, "kept", pl.col("keepable"), cover + churn),
            part(
                has_current & (pl.col("upper") > pl.col("keepable")),
                "added",
                pl.col("upper") - pl.col("keepable"),
                cover - churn,
            ),
        ],
        how="vertical",
    ).sort("candidate", "kind")


def _flag_columns(prepared: Prepared, policy: Policy) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One flag per person-project-week without fixed or pinned hours, and the largest
    total of hours it can carry (``person_id, project_id, week, largest``)."""
    largest = (
        prepared.candidates.group_by(PROJECT_WEEK)
        .agg(pl.col("upper").sum().alias("total"))
        .join(prepared.constant_groups, on=PROJECT_WEEK, how="anti")
        .join(prepared.person_weeks.select(*PERSON_WEEK, "free"), on=PERSON_WEEK)
        .select(*PROJECT_WEEK, pl.min_horizontal("total", "free").alias("largest"))
        .sort(PROJECT_WEEK)
    )
    flags = largest.select(
        pl.lit(None, dtype=pl.Int64).alias("candidate"),
        *PROJECT_WEEK,
        pl.lit(None, dtype=pl.String).alias("demand_id"),
        pl.lit(0, dtype=pl.Int64).alias("current"),
        pl.lit("flag").alias("kind"),
        pl.lit(1, dtype=pl.Int64).alias("upper"),
        pl.lit(-policy.fragmentation_weight, dtype=pl.Float64).alias("gain"),
    )
    return flags, largest


def _limit_rows(
    prepared: Prepared, keys: list[str], limits: pl.DataFrame, limit_column: str
) -> pl.DataFrame:
    """``keys..., limit`` for the groups whose candidates could exceed the limit."""
    return (
        prepared.candidates.group_by(keys)
        .agg(pl.col("upper").sum().alias("total"))
        .join(limits.select(*keys, pl.col(limit_column).alias("limit")), on=keys)
        .filter(pl.col("total") > pl.col("limit"))
        .sort(keys)
        .select(*keys, "limit")
    )


def _numbered(frame: pl.DataFrame, first: int) -> pl.DataFrame:
    """``frame`` with an Int64 ``row`` column counting from ``first``."""
    return frame.with_row_index("row", offset=first).with_columns(pl.col("row").cast(pl.Int64))


def _terms(hours: pl.DataFrame, rows: pl.DataFrame, keys: list[str], first: int) -> pl.DataFrame:
    """``row, column, coefficient`` for limit rows numbered from ``first``."""
    numbered = _numbered(rows, first)
    return hours.join(numbered, on=keys).select(
        "row", "column", pl.lit(1, dtype=pl.Int64).alias("coefficient")
    )


def _flag_terms(
    columns: pl.DataFrame, largest: pl.DataFrame, first: int
) -> tuple[list[pl.DataFrame], int]:
    """Terms linking hours to flags, and the number of rows they make.

    One aggregated row per flag (all its hours <= largest x flag) and one row per hours
    column (column <= its upper bound x flag): the second kind is what makes the LP
    relaxation, and so the bound and CP-SAT's own LP, tight on fragmentation.
    """
    numbered = _numbered(largest, first)
    flags = columns.filter(pl.col("kind") == "flag").join(numbered, on=PROJECT_WEEK)
    hours = (
        columns.filter(pl.col("kind") != "flag")
        .join(numbered, on=PROJECT_WEEK)
        .join(flags.select(*PROJECT_WEEK, pl.col("column").alias("flag")), on=PROJECT_WEEK)
        .sort("column")
        .with_columns(link_row=pl.int_range(pl.len(), dtype=pl.Int64) + first + largest.height)
    )
    one = pl.lit(1, dtype=pl.Int64).alias("coefficient")
    terms = [
        hours.select("row", "column", one),
        flags.select("row", "column", (-pl.col("largest")).alias("coefficient")),
        hours.select(pl.col("link_row").alias("row"), "column", one),
        hours.select(
            pl.col("link_row").alias("row"),
            pl.col("flag").alias("column"),
            (-pl.col("upper")).alias("coefficient"),
        ),
    ]
    return terms, largest.height + hours.height


def _rows(terms: list[pl.DataFrame], limits: pl.Series) -> pl.DataFrame:
    grouped = (
        pl.concat(terms, how="vertical")
        .sort("row", "column")
        .group_by("row", maintain_order=True)
        .agg(pl.col("column").alias("columns"), pl.col("coefficient").alias("coefficients"))
    )
    return grouped.with_columns(limit=limits.gather(grouped["row"])).drop("row")


def column_values(formulation: Formulation, candidate_values: list[int]) -> list[int]:
    """Column values that realise ``candidate_values`` (tenths per candidate)."""
    values = pl.DataFrame(
        {"candidate": range(len(candidate_values)), "value": candidate_values},
        schema={"candidate": pl.Int64, "value": pl.Int64},
    )
    columns = formulation.columns.join(values, on="candidate", how="left", maintain_order="left")
    working = (
        columns.filter(pl.col("value") > 0)
        .select(*PROJECT_WEEK)
        .unique()
        .with_columns(working=pl.lit(1, dtype=pl.Int64))
    )
    kept = pl.min_horizontal("value", "current")
    return (
        columns.join(working, on=PROJECT_WEEK, how="left", maintain_order="left")
        .select(
            pl.when(pl.col("kind") == "hours")
            .then(pl.col("value"))
            .when(pl.col("kind") == "kept")
            .then(kept)
            .when(pl.col("kind") == "added")
            .then(pl.col("value") - kept)
            .otherwise(pl.col("working").fill_null(0))
        )
        .to_series()
        .to_list()
    )


def candidate_values(formulation: Formulation, values: list[int]) -> list[int]:
    """Tenths per candidate from column ``values`` (the sum of each candidate's columns)."""
    sums = (
        formulation.columns.with_columns(value=pl.Series(values, dtype=pl.Int64))
        .filter(pl.col("candidate").is_not_null())
        .group_by("candidate")
        .agg(pl.col("value").sum())
    )
    result = [0] * formulation.candidates
    for candidate, value in sums.iter_rows():
        result[candidate] = value
    return result


def weekly_blocks(formulation: Formulation) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """The model split into its independent weeks (every row lies within one week).

    Returns:
        ``(columns, rows)`` per week, in week order: the week's columns (``upper, gain``,
        in column order) and its rows with column positions local to the week.
    """
    columns = formulation.columns.with_columns(
        local=pl.int_range(pl.len(), dtype=pl.Int64).over("week")
    )
    positions = columns.select(pl.col("column").alias("columns"), "week", "local")
    rows = (
        formulation.rows.with_row_index("row")
        .explode(["columns", "coefficients"])
        .join(positions, on="columns", maintain_order="left")
        .group_by("row", maintain_order=True)
        .agg(
            pl.col("week").first(),
            pl.col("local").alias("columns"),
            pl.col("coefficients"),
            pl.col("limit").first(),
        )
    )
    weekly_rows = {key[0]: frame for key, frame in rows.partition_by("week", as_dict=True).items()}
    empty_rows = rows.clear()
    return [
        (frame.select("upper", "gain"), weekly_rows.get(key[0], empty_rows))
        for key, frame in sorted(
            columns.partition_by("week", as_dict=True, maintain_order=True).items()
        )
    ]
