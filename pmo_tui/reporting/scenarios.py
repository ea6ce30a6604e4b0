"""The scenario report: one JSON document, rendered as a side-by-side table or Markdown.

The document (``--format json``) is the single source: the table, Markdown and
JUnit are rendered from it, and ``scenario merge`` rebuilds it from the JSON
of several shards, so a merged report equals the report of one run. Its keys,
in this order::

    generated_at     UTC time of the report: the only field that varies between runs
    solver_version   OR-Tools version
    settings         the policy (TOML tables: weights, limits, search) every run used
    skills           skill ids of the live data (keys accepted by unmet_hours[...])
    base             {"name": "base", "kpis": {...}}: the live data, planned
    scenarios        [{"name", "file", "base", "changes", "policy", "kpis"}], by name
    checks           [{"scenario", "check", "value", "passed", "message"}]
    passed           true when every check passed

``shard`` ("i/n") is added when the run was one shard of a folder.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmo_tui.errors import UserError
from pmo_tui.scenarios.thresholds import Check, run_checks
from solver.status import STATUS_INFEASIBLE

if TYPE_CHECKING:
    from pmo_tui.reporting.sheet import Sheet

#: Keys that must be equal in every shard's document for a merge.
SHARED_KEYS = ("solver_version", "settings", "skills", "base")


def run_document(prepared: Any, checks: list[Check], *, shard: str | None = None) -> dict:
    """The report of planned runs (:class:`~pmo_tui.scenarios.evaluate.Prepared`)."""
    from pmo_tui.planning.policy import policy_table

    base = prepared.base
    entries = [
        {
            "name": run.name,
            "file": run.file,
            "base": run.base,
            "changes": run.changes,
            "policy": _policy_changes(base.policy, run.policy),
            "kpis": run.kpis,
        }
        for run in prepared.scenarios
    ]
    version = base.result.solver_version if base.result is not None else ""
    head = {
        "solver_version": version,
        "settings": policy_table(base.policy),
        "skills": prepared.skills,
        "base": {"name": base.name, "kpis": base.kpis},
    }
    document = finish_document(head, entries, checks)
    if shard:
        document["shard"] = shard
    return document


def _policy_changes(base: Any, policy: Any) -> dict[str, Any]:
    """Policy field -> value where a scenario's policy differs from the run's."""
    import dataclasses

    return {
        name: value
        for name, value in dataclasses.asdict(policy).items()
        if value != getattr(base, name)
    }


def finish_document(head: dict, entries: list[dict], checks: list[Check]) -> dict:
    """The document from its shared part, the scenario entries and the checks to run."""
    entries = sorted(entries, key=lambda entry: entry["name"])
    results = run_checks(checks, entries)
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **{key: head[key] for key in SHARED_KEYS},
        "scenarios": entries,
        "checks": results,
        "passed": all(result["passed"] for result in results),
    }


def merge_documents(paths: list[Path], checks: list[Check]) -> dict:
    """One report from the JSON reports of several shards (checks run again).

    Raises:
        UserError: a file cannot be read, is not a scenario report, comes from a run with
            other settings, solver or base data, or names a scenario another file has.
    """
    documents = [_read_document(path) for path in paths]
    first = documents[0]
    entries: dict[str, dict] = {}
    for path, document in zip(paths, documents, strict=True):
        for key in SHARED_KEYS:
            if document[key] != first[key]:
                raise UserError(
                    f"its {key} differ from those of {paths[0]}: not shards of one run",
                    file=str(path),
                    fix="merge the outputs of one `scenario run ... --shard i/n` job",
                )
        for entry in document["scenarios"]:
            if entry["name"] in entries:
                raise UserError(
                    f"scenario {entry['name']!r} is in more than one file",
                    file=str(path),
                    fix="give each shard's output once",
                )
            entries[entry["name"]] = entry
    _check_every_shard([document.get("shard") for document in documents])
    return finish_document(first, list(entries.values()), checks)


def _check_every_shard(shards: list[str | None]) -> None:
    """Refuse shard outputs ``i/n`` that lack one of the n shards (a job that failed)."""
    given = [shard for shard in shards if shard]
    if not given:
        return
    count = int(given[0].split("/")[1])
    missing = sorted(set(range(1, count + 1)) - {int(shard.split("/")[0]) for shard in given})
    if missing:
        raise UserError(
            f"shard(s) {', '.join(f'{i}/{count}' for i in missing)} missing from the merge",
            fix="pass the JSON output of every shard of the run",
        )


def _read_document(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("no such file", file=str(path), fix="check the path") from None
    except (OSError, ValueError) as error:
        raise UserError(
            f"not a JSON report ({error})", file=str(path), fix="give `--format json` outputs"
        ) from None
    if not isinstance(document, dict) or not all(
        key in document for key in (*SHARED_KEYS, "scenarios")
    ):
        raise UserError(
            "not a scenario report", file=str(path), fix="give `scenario run --format json` outputs"
        )
    return document


def dumps_document(document: dict) -> str:
    """Stable JSON: keys in the documented order, two-space indent."""
    return json.dumps(document, indent=2, ensure_ascii=False)


# --------------------------------------------------------------------- table
#: Rows of the side-by-side table: (label, kpi key, decimals). Keyed rows follow.
ROWS: tuple[tuple[str, str, int], ...] = (
    ("coverage", "coverage", 4),
    ("weighted coverage %", "weighted_coverage_pct", 2),
    ("demand hours", "demand_hours", 1),
    ("unmet hours", "unmet_hours", 1),
    ("shortfall hours", "shortfall_hours", 1),
    ("over-allocated hours", "over_allocated_hours", 1),
    ("people moved", "people_moved", 0),
    ("cost", "cost", 0),
    ("projects delayed", "projects_delayed", 0),
    ("objective", "objective", 1),
    ("gap", "gap", 4),
)


def metric_rows(document: dict) -> tuple[list[str], list[tuple[str, int, list[Any]]]]:
    """The run names (base first) and, per metric, ``(label, decimals, values)``: a value
    per run (None where a run has none, e.g. infeasible); ``status`` first (texts), then
    :data:`ROWS`, then unmet hours per skill and per quarter (``unmet h [backend-dev]``)."""
    columns = [document["base"], *document["scenarios"]]
    kpis = [entry["kpis"] for entry in columns]
    rows: list[tuple[str, int, list[Any]]] = [("status", 0, [k["status"] for k in kpis])]
    for label, key, decimals in ROWS:
        rows.append((label, decimals, [k.get(key) for k in kpis]))
    for table, prefix in (
        ("unmet_hours_by_skill", "unmet h"),
        ("unmet_hours_by_quarter", "unmet h"),
    ):
        keys = sorted({key for k in kpis for key in (k.get(table) or {})})
        for key in keys:
            values = [
                None if k["status"] == STATUS_INFEASIBLE else (k.get(table) or {}).get(key, 0.0)
                for k in kpis
            ]
            rows.append((f"{prefix} [{key}]", 1, values))
    return [entry["name"] for entry in columns], rows


def table_rows(document: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the side-by-side table: a metric per row, base then each scenario.

    A scenario's cell shows its value and, where it differs, the change against the base.
    """
    names, metrics = metric_rows(document)
    status, *numbers = metrics
    rows = [[status[0], *status[2]]]
    rows.extend([label, *_cells(values, decimals)] for label, decimals, values in numbers)
    return ["metric", *names], rows


def kpi_sheets(document: dict) -> list[Sheet]:
    """The side-by-side table as export sheets (what ``e`` writes on the Scenarios screen).

    ``kpis``: ``metric`` (String), then one Float64 column per run (base first, named as
    the run) holding the value (null where a run has none): numbers a spreadsheet can
    compute with, where the screen shows text with the change against the base.
    ``runs``: ``run``, ``file``, ``status`` (String), ``changes`` (Int64), one row per run.
    """
    import polars as pl

    from pmo_tui.reporting.sheet import Sheet

    names, metrics = metric_rows(document)
    _, *numbers = metrics
    values = {
        name: pl.Series(name, [row[2][i] for row in numbers], dtype=pl.Float64)
        for i, name in enumerate(names)
    }
    kpis = pl.DataFrame([pl.Series("metric", [row[0] for row in numbers]), *values.values()])
    runs = pl.DataFrame(
        {
            "run": names,
            "file": [None, *(entry.get("file") for entry in document["scenarios"])],
            "status": metrics[0][2],
            "changes": [0, *(entry.get("changes") or 0 for entry in document["scenarios"])],
        },
        schema={"run": pl.String, "file": pl.String, "status": pl.String, "changes": pl.Int64},
    )
    return [Sheet("kpis", kpis, key_columns=1), Sheet("runs", runs, key_columns=1)]


def _cells(values: list[float | None], decimals: int) -> list[str]:
    base = values[0]
    cells = [_number(base, decimals)]
    for value in values[1:]:
        text = _number(value, decimals)
        if value is not None and base is not None and round(value - base, decimals) != 0:
            text += f" ({value - base:+,.{decimals}f})"
        cells.append(text)
    return cells


def _number(value: float | None, decimals: int) -> str:
    return "n/a" if value is None else f"{value:,.{decimals}f}"


def render_table(document: dict) -> str:
    """The headline, the side-by-side table and the checks, as aligned plain text."""
    header, rows = table_rows(document)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
        )

    out = [*_headline(document), "", line(header), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows]
    out += ["", *_check_lines(document)]
    return "\n".join(out)


def render_markdown(document: dict) -> str:
    """The same as :func:`render_table`, as Markdown."""
    header, rows = table_rows(document)
    out = ["# Scenarios", "", *(f"- {line}" for line in _headline(document)), ""]
    out.append("| " + " | ".join(header) + " |")
    out.append("|---|" + "---:|" * (len(header) - 1))
    out += ["| " + " | ".join(row) + " |" for row in rows]
    out += ["", *(f"- {line}" for line in _check_lines(document))]
    return "\n".join(out)


def _headline(document: dict) -> list[str]:
    search = document["settings"].get("search", {})
    first = (
        f"{len(document['scenarios'])} scenario(s) against the base (the live data), "
        f"OR-Tools {document['solver_version']}, seed {search.get('seed')}, "
        f"{search.get('workers')} workers, deterministic time {search.get('deterministic_time')}"
    )
    lines = [first]
    for entry in document["scenarios"]:
        policy = ", ".join(f"{k} {v}" for k, v in entry["policy"].items())
        lines.append(
            f"{entry['name']}: {entry['file']}, {entry['changes']} change(s) on {entry['base']}"
            + (f"; policy {policy}" if policy else "")
        )
    return lines


def _check_lines(document: dict) -> list[str]:
    checks = document["checks"]
    failed = [c for c in checks if not c["passed"]]
    if not checks:
        return ["checks: none"]
    lines = [f"FAIL {c['message']}" for c in failed]
    return lines + [f"checks: {len(checks) - len(failed)} passed, {len(failed)} failed"]
