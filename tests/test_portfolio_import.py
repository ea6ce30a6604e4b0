"""`pmo-tui import portfolio`: the real UK GMPP 2023 file, mappings, layouts and snapshots.

The expected counts are computed here independently of the importer: the file
is split with the csv module (ISO-8859-1, ``;``) and the columns are taken by
position (3: department, 6: the IPA rating, 7: the SRO's); a rating is its
word when it is exactly Red, Amber or Green and "not rated" otherwise (the file
has only those three words besides blanks and exemption sentences, checked
below). Hand checks from the same reading: 244 projects, 21 departments, MOD 52.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_tui.cli import cli

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "real-samples"
GMPP = SAMPLES / "gmpp_uk_2023.csv"
HEADER = (
    "year;project_number;project_name;department;report_category;description_aims;"
    "colour_rating;colour_rating;rating_comment;start_date;end_date;schedule_comment;"
    "total_baseline;forecast_incl_NGC;variance_comment;wlc_baseline_incl_NCG;budget_comment;"
    "TOTAL Baseline Benefits (£m);benefits_comment"
)


def _run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], obj={}, catch_exceptions=False)


def _empty_db(tmp_path: Path) -> Path:
    db = tmp_path / "pf.db"
    assert _run(db, "db", "init", "--empty").exit_code == 0
    return db


def _records() -> list[list[str]]:
    text = GMPP.read_bytes().decode("iso-8859-1")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:]


def _level(text: str) -> str:
    return text.lower() if text in ("Red", "Amber", "Green") else "not_rated"


def _query(db: Path, sql: str) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


needs_sample = pytest.mark.skipif(not GMPP.exists(), reason="needs ../shared/real-samples")


@needs_sample
def test_the_real_gmpp_2023_file_imports_with_counts_per_department_and_level(tmp_path):
    records = _records()
    ratings = {r[6] for r in records} | {r[7] for r in records}
    words = {r for r in ratings if r and not r.startswith(("Exempt", "Early planning"))}
    assert words == {"Red", "Amber", "Green"}  # the premise of _level
    db = _empty_db(tmp_path)

    result = _run(db, "import", "portfolio", str(GMPP))

    assert result.exit_code == 0, result.output
    assert "snapshot gmpp 2023 as of 2023-03-31: 244 projects in 21 portfolios" in result.output
    by_department = dict(
        _query(db, "SELECT portfolio_id, count(*) FROM project GROUP BY portfolio_id")
    )
    assert by_department == dict(Counter(r[3] for r in records))
    assert by_department["MOD"] == 52 and len(by_department) == 21
    for column, position in (("delivery_confidence", 6), ("sro_confidence", 7)):
        stored = dict(
            _query(db, f"SELECT {column}, count(*) FROM snapshot_project GROUP BY {column}")
        )
        assert stored == dict(Counter(_level(r[position]) for r in records)), column
    assert _query(db, "SELECT name FROM portfolio WHERE id = 'MOD'") == [("Ministry of Defence",)]
    first = _query(
        db,
        "SELECT baseline_cost, forecast_cost, whole_life_cost, start, finish "
        "FROM snapshot_project WHERE project_id = 'CO_0024_2021-Q2'",
    )
    assert first == [(7.9e6, 4.2e6, 34e6, "2020-05-20", "2024-09-30")]


def _mangled(tmp_path: Path) -> tuple[Path, list[int]]:
    """The real file with two money cells as a spreadsheet turns numbers into dates."""
    text = GMPP.read_bytes().decode("iso-8859-1")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    rows[2][12] = "07.09.2023"  # total_baseline of the second project
    rows[5][15] = "3-Mar"  # wlc_baseline_incl_NCG of the fifth
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    path = tmp_path / "gmpp_mangled.csv"
    path.write_bytes(out.getvalue().encode("iso-8859-1"))
    starts, line = [], 1
    for row in rows:  # the file line each record starts on
        starts.append(line)
        line += sum(value.count("\n") for value in row) + 1
    return path, [starts[2], starts[5]]


@needs_sample
def test_cells_a_spreadsheet_turned_into_dates_are_reported_with_row_and_column(tmp_path):
    path, lines = _mangled(tmp_path)
    db = _empty_db(tmp_path)

    refused = _run(db, "import", "portfolio", str(path))

    assert refused.exit_code == 2
    assert "2 row(s) cannot be read, nothing was imported" in refused.output
    assert f"row {lines[0]}, column 'total_baseline' ('07.09.2023'): looks like a date" in (
        refused.output
    )
    assert f"row {lines[1]}, column 'wlc_baseline_incl_NCG' ('3-Mar'): looks like a date" in (
        refused.output
    )
    assert _query(db, "SELECT count(*) FROM project") == [(0,)]
    assert _query(db, "SELECT count(*) FROM portfolio_snapshot") == [(0,)]

    skipped = _run(db, "import", "portfolio", str(path), "--skip-bad-rows")

    assert skipped.exit_code == 0, skipped.output
    assert "242 projects" in skipped.output and "2 rows skipped" in skipped.output
    assert _query(db, "SELECT count(*) FROM snapshot_project") == [(242,)]


def _gmpp_file(tmp_path: Path, rows: list[str], name: str = "g.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("iso-8859-1"))
    return path


def _row(number: str, rating: str, year: str = "2023", sro: str = "Amber") -> str:
    return (
        f'{year};{number};Project {number};DFT;ICT;aims;{rating};{sro};"a comment\nover lines";'
        "01.04.2020;31.03.2026;sc;10.5;11;vc;120;bc;;bn"
    )


def test_rating_spellings_normalise_to_five_levels_and_not_rated(tmp_path):
    spellings = {
        "P1": ("Amber/ Red", "amber_red"),
        "P2": ("Amber ", "amber"),
        "P3": ("amber/green", "amber_green"),
        "P4": ("Reset", "not_rated"),
        "P5": ("No DCA", "not_rated"),
        "P6": ("Exempt under Section 43 of the Freedom of Information Act 2000", "not_rated"),
        "P7": ("", "not_rated"),
        "P8": ("RED", "red"),
    }
    path = _gmpp_file(tmp_path, [_row(n, text) for n, (text, _) in spellings.items()])
    db = _empty_db(tmp_path)

    assert _run(db, "import", "portfolio", str(path)).exit_code == 0

    stored = dict(_query(db, "SELECT project_id, delivery_confidence FROM snapshot_project"))
    assert stored == {n: level for n, (_, level) in spellings.items()}
    note = _query(db, "SELECT rating_note FROM snapshot_project WHERE project_id = 'P6'")
    assert note[0][0].startswith("delivery confidence: Exempt under Section 43")
    assert _query(db, "SELECT rag FROM project WHERE id IN ('P1', 'P3') ORDER BY id") == [
        ("red",),
        ("green",),
    ]


def test_an_unknown_rating_is_a_problem_naming_row_and_column(tmp_path):
    path = _gmpp_file(tmp_path, [_row("P1", "Amber"), _row("P2", "Purple")])
    result = _run(_empty_db(tmp_path), "import", "portfolio", str(path))
    assert result.exit_code == 2
    assert "row 4, column 'colour_rating' ('Purple'): not a delivery-confidence rating" in (
        result.output
    )


def test_a_file_with_one_project_per_column_is_refused_not_guessed(tmp_path):
    fields = HEADER.split(";")
    lines = [f"{name};value A;value B" for name in fields]
    path = tmp_path / "transposed.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("iso-8859-1"))

    result = _run(_empty_db(tmp_path), "import", "portfolio", str(path))

    assert result.exit_code == 2
    assert "gmpp: it has one project per column" in result.output
    assert "--mapping" in result.output


def test_a_file_with_missing_columns_names_them(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("year;project_number;title\n2023;X1;Thing\n", encoding="iso-8859-1")
    mapping = Path(__file__).resolve().parents[1] / "pmo_tui/importers/mappings/gmpp.toml"

    result = _run(_empty_db(tmp_path), "import", "portfolio", str(path), "--mapping", str(mapping))

    assert result.exit_code == 2
    assert "does not have the layout of mapping 'gmpp'" in result.output
    assert "'project_name'" in result.output and "'department'" in result.output


def test_two_periods_give_a_trend_and_reimporting_a_period_replaces_it(tmp_path):
    db = _empty_db(tmp_path)
    earlier = _gmpp_file(
        tmp_path, [_row("P1", "Red", "2022"), _row("P2", "Green", "2022")], "y2022.csv"
    )
    later = _gmpp_file(
        tmp_path, [_row("P1", "Amber", "2023"), _row("P2", "Amber/Red", "2023")], "y2023.csv"
    )
    assert _run(db, "import", "portfolio", str(earlier)).exit_code == 0
    assert _run(db, "import", "portfolio", str(later)).exit_code == 0
    again = _run(db, "import", "portfolio", str(later))
    assert "replaced the earlier import" in again.output
    assert _query(db, "SELECT period, as_of FROM portfolio_snapshot ORDER BY as_of") == [
        ("2022", "2022-03-31"),
        ("2023", "2023-03-31"),
    ]

    import datetime as dt

    from pmo_tui.portfolio_health.data import read_portfolio
    from pmo_tui.portfolio_health.health import project_health
    from pmo_tui.store.db import connect

    health = project_health(read_portfolio(connect(db), dt.date(2023, 6, 1)))
    trends = dict(zip(health["project_id"], health["trend"], strict=True))
    assert trends == {"P1": "improved", "P2": "worsened"}
    as_2022 = project_health(read_portfolio(connect(db), dt.date(2022, 6, 1)))
    assert dict(zip(as_2022["project_id"], as_2022["trend"], strict=True)) == {
        "P1": "new",
        "P2": "new",
    }


def test_our_own_layout_is_detected_without_a_mapping(tmp_path):
    path = tmp_path / "snapshot.csv"
    path.write_text(
        "period,as_of,project_id,name,portfolio,delivery_confidence,baseline_cost,forecast_cost\n"
        "2026-Q3,2026-09-30,X1,Platform,PF-1,amber/green,1000,1100\n",
        encoding="utf-8",
    )
    db = _empty_db(tmp_path)
    result = _run(db, "import", "portfolio", str(path))
    assert result.exit_code == 0, result.output
    assert "snapshot portfolio 2026-Q3 as of 2026-09-30" in result.output
    assert _query(db, "SELECT delivery_confidence, baseline_cost FROM snapshot_project") == [
        ("amber_green", 1000.0)
    ]
