"""Column mappings of published portfolio files (TOML): which header holds which field.

A mapping says how a portfolio CSV is written (encoding, separator, date
formats, the unit of its money columns), which column names the period of the
snapshot, which header holds each of our fields (:data:`FIELDS`), how rating
texts map onto the five delivery-confidence levels, and which cell texts mean
"withheld". Two ship with pmo-tui (``importers/mappings/*.toml``): ``gmpp``
(UK Government Major Projects Portfolio, 2023 layout) and ``portfolio`` (our
own layout); ``pmo-tui import portfolio --mapping FILE.toml`` takes another.
docs/reporting.md documents every key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pmo_tui.errors import UserError
from pmo_tui.store.schema_reporting import DELIVERY_CONFIDENCE, NOT_RATED

#: Our field -> (kind, required). Kinds: text, rating, date, money.
FIELDS: dict[str, tuple[str, bool]] = {
    "project_id": ("text", True),
    "name": ("text", True),
    "portfolio": ("text", True),
    "category": ("text", False),
    "delivery_confidence": ("rating", True),
    "sro_confidence": ("rating", False),
    "start": ("date", False),
    "finish": ("date", False),
    "baseline_cost": ("money", False),
    "forecast_cost": ("money", False),
    "whole_life_cost": ("money", False),
    "benefits": ("money", False),
}
LEVELS = (*DELIVERY_CONFIDENCE, NOT_RATED)


@dataclass(frozen=True)
class ColumnRef:
    """A header and which of its occurrences (1 = first) holds the field."""

    header: str
    occurrence: int = 1

    def __str__(self) -> str:
        return self.header if self.occurrence == 1 else f"{self.header}#{self.occurrence}"


@dataclass(frozen=True)
class Mapping:
    """One portfolio file layout (see the module docstring).

    Attributes:
        name, title: the mapping's short name (the snapshot's ``source``) and description.
        encoding, separator: how the file is written.
        date_formats: ``strptime`` formats tried in order.
        money_unit: what one unit of a money column is worth (1e6 for "GBP million").
        period_column: the column naming the period (all rows alike); ``as_of``: the
            snapshot date as a template over ``{period}``, or ``as_of_column``.
        columns: our field -> :class:`ColumnRef`.
        ratings: normalised rating text -> level of :data:`LEVELS`.
        withheld_prefixes: lower-case beginnings of cells that mean "withheld".
        portfolio_names: portfolio code -> name.
        path: where the mapping was read from.
    """

    name: str
    title: str
    encoding: str
    separator: str
    date_formats: tuple[str, ...]
    money_unit: float
    currency: str
    period_column: str
    as_of: str | None
    as_of_column: str | None
    columns: dict[str, ColumnRef]
    ratings: dict[str, str]
    withheld_prefixes: tuple[str, ...]
    portfolio_names: dict[str, str] = field(default_factory=dict)
    path: str = ""


def shipped_mappings() -> list[Mapping]:
    """The mappings that ship with pmo-tui, by name (``gmpp``, ``portfolio``)."""
    folder = resources.files("pmo_tui.importers") / "mappings"
    entries = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml")),
        key=lambda entry: entry.name,
    )
    return [_parse(entry.read_text(encoding="utf-8"), entry.name) for entry in entries]


def load_mapping(path: Path) -> Mapping:
    """Read a mapping TOML file.

    Raises:
        UserError: the file is missing, is not TOML, or a key is missing or wrong (the
            message names the key and the fix).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(
            f"cannot read the mapping: {error.strerror}", file=str(path), fix="check the path"
        ) from None
    return _parse(text, str(path))


def normalise_rating(text: str) -> str:
    """A rating cell as mappings key it: lower case, spaces folded, none around ``/``.

    ``"Amber/ Red"`` and ``"amber / red "`` both become ``"amber/red"``.
    """
    folded = re.sub(r"\s+", " ", text.strip().casefold())
    return re.sub(r"\s*/\s*", "/", folded)


def _parse(text: str, where: str) -> Mapping:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(
            f"not a valid TOML file: {error}", file=where, fix="correct the TOML syntax"
        ) from None
    fmt = _table(document, "format", where)
    snapshot = _table(document, "snapshot", where)
    as_of = snapshot.get("as_of")
    as_of_column = snapshot.get("as_of_column")
    if not as_of and not as_of_column:
        raise _key_error(where, "snapshot.as_of", "give as_of = '{period}-03-31' or as_of_column")
    return Mapping(
        name=str(_key(fmt, "name", where, "format")),
        title=str(fmt.get("title", "")),
        encoding=str(fmt.get("encoding", "utf-8-sig")),
        separator=str(fmt.get("separator", ",")),
        date_formats=tuple(fmt.get("date_formats", ["%Y-%m-%d"])),
        money_unit=float(fmt.get("money_unit", 1)),
        currency=str(fmt.get("currency", "")),
        period_column=str(_key(snapshot, "period_column", where, "snapshot")),
        as_of=as_of,
        as_of_column=as_of_column,
        columns=_columns(_table(document, "columns", where), where),
        ratings=_ratings(document.get("ratings", {}), where),
        withheld_prefixes=tuple(
            p.casefold() for p in document.get("withheld", {}).get("prefixes", [])
        ),
        portfolio_names={str(k): str(v) for k, v in document.get("portfolio_names", {}).items()},
        path=where,
    )


def _columns(table: dict[str, Any], where: str) -> dict[str, ColumnRef]:
    unknown = sorted(set(table) - set(FIELDS))
    if unknown:
        raise _key_error(where, f"columns.{unknown[0]}", f"use one of {', '.join(FIELDS)}")
    for name, (_, required) in FIELDS.items():
        if required and name not in table:
            raise _key_error(where, f"columns.{name}", f"name the header that holds {name}")
    refs = {}
    for name, header in table.items():
        base, _, occurrence = str(header).rpartition("#")
        if base and occurrence.isdigit() and int(occurrence) >= 1:
            refs[name] = ColumnRef(base, int(occurrence))
        else:
            refs[name] = ColumnRef(str(header))
    return refs


def _ratings(table: dict[str, Any], where: str) -> dict[str, str]:
    for text, level in table.items():
        if level not in LEVELS:
            raise _key_error(where, f"ratings.{text!r}", f"map it to one of {', '.join(LEVELS)}")
    return {normalise_rating(text): level for text, level in table.items()}


def _table(document: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    value = document.get(name)
    if not isinstance(value, dict):
        raise _key_error(where, f"[{name}]", f"add a [{name}] table (see docs/reporting.md)")
    return value


def _key(table: dict[str, Any], name: str, where: str, section: str) -> Any:
    if name not in table:
        raise _key_error(where, f"{section}.{name}", "add it (see docs/reporting.md)")
    return table[name]


def _key_error(where: str, key: str, fix: str) -> UserError:
    return UserError(f"mapping key {key} is missing or wrong", file=where, column=key, fix=fix)
