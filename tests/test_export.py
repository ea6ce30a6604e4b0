"""`pmo-tui export` and formula injection: values read back from CSV and XLSX, grid shapes.

The organisation is the tiny one of ``test_tui_support`` (weeks 2027-W01..W04):
Ann is booked 50 h in her 40 h weeks W01-W02 (125 %) and 40 h in W03-W04
(100 %); Ben 10 h in W01-W02 (25 %); Cat 20 h every week (50 %); Dan 8 h (20 %).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from test_tui_support import TODAY, WEEKS, build_small_db

from pmo_tui.cli import cli
from pmo_tui.reporting.export import EXPORT_KINDS
from pmo_tui.reporting.output import neutralise_formulas, render_frame
from pmo_tui.reporting.sheet import Sheet
from pmo_tui.reporting.spreadsheet import week_grid, write_sheets

#: Cells a spreadsheet would run as formulas (OWASP), and what is written instead.
HOSTILE = {
    '=HYPERLINK("http://x")': '\'=HYPERLINK("http://x")',
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\tTAB": "'\tTAB",
    "\rCR": "'\rCR",
}
WEEK_LABELS = ["2027-W01", "2027-W02", "2027-W03", "2027-W04"]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_small_db(tmp_path / "t.db")


def _export(db: Path, *args: str) -> tuple[str, str]:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["--db", str(db), "export", *args, "--today", TODAY.isoformat()],
        obj={},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def _rename(db: Path, person_id: str, name: str) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE person SET name = ? WHERE id = ?", (name, person_id))


# --------------------------------------------------------------------- formula injection
def test_text_cells_that_start_a_formula_get_a_quote_and_numbers_stay_numbers() -> None:
    frame = pl.DataFrame(
        {
            "text": [*HOSTILE, "a=b", "ok", None],
            "hours": [-1.5, -2.0, 3.0, 4.0, 5.0, 6.0, -7.25, 8.0, None],
            "count": [-1, 2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    safe = neutralise_formulas(frame)
    assert safe["text"].to_list() == [*HOSTILE.values(), "a=b", "ok", None]
    assert safe["hours"].equals(frame["hours"]) and safe["count"].equals(frame["count"])
    back = pl.read_csv(io.StringIO(render_frame(frame, "csv")))
    assert back["text"].to_list()[:6] == list(HOSTILE.values())
    assert back.schema["hours"] == pl.Float64 and back["hours"][0] == -1.5
    assert back["count"][0] == -1


def test_every_csv_listing_is_neutralised(db_path: Path) -> None:
    _rename(db_path, "ann", "=cmd|' /C calc'!A0")
    result = CliRunner().invoke(
        cli,
        ["--db", str(db_path), "capacity", "--format", "csv", "--today", TODAY.isoformat()],
        obj={},
    )
    rows = pl.read_csv(io.StringIO(result.stdout))
    assert set(rows.filter(pl.col("person_id") == "ann")["name"]) == {"'=cmd|' /C calc'!A0"}


def test_xlsx_writes_hostile_text_as_text_and_negative_numbers_as_numbers(tmp_path: Path) -> None:
    frame = pl.DataFrame({"text": list(HOSTILE), "gain": [-44.0, 1.0, -0.5, 2.0, 3.0, -9.0]})
    path = tmp_path / "hostile.xlsx"
    write_sheets([Sheet("hostile", frame)], "xlsx", path)
    back = pl.read_excel(path, sheet_name="hostile")
    assert back["text"].to_list() == list(HOSTILE.values())
    assert back.schema["gain"] == pl.Float64 and back["gain"].to_list() == frame["gain"].to_list()


def test_export_plan_to_csv_and_xlsx_keeps_negative_gains_as_numbers(
    db_path: Path, tmp_path: Path
) -> None:
    _rename(db_path, "ben", "@Ben")
    csv_text, _ = _export(db_path, "plan", "--format", "csv")
    moves = pl.read_csv(io.StringIO(csv_text))
    assert moves.schema["gain"] == pl.Float64 and moves["gain"].min() < 0
    assert "'@Ben" in moves["person"].to_list()
    path = tmp_path / "plan.xlsx"
    _export(db_path, "plan", "-o", str(path))
    sheets = pl.read_excel(path, sheet_id=0)
    assert list(sheets) == ["moves", "kpis", "unmet"]
    assert sheets["moves"]["gain"].cast(pl.Float64).to_list() == moves["gain"].to_list()
    assert "'@Ben" in sheets["moves"]["person"].to_list()


# --------------------------------------------------------------------- grids
def test_week_grid_has_every_week_as_a_column_in_date_order_across_a_year() -> None:
    mondays = [dt.date(2026, 12, 21), dt.date(2026, 12, 28), dt.date(2027, 1, 4)]
    rows = pl.DataFrame(
        {
            "person_id": ["b", "a", "a", "a"],
            "week": [mondays[0], mondays[2], mondays[0], mondays[2]],
            "hours": [1.0, 2.0, 3.0, 4.0],
        }
    )
    grid = week_grid(rows, ["person_id"], "hours")
    assert grid.columns == ["person_id", "2026-W52", "2026-W53", "2027-W01"]
    assert grid.rows() == [("a", 3.0, None, 6.0), ("b", 1.0, None, None)]


def test_capacity_grid_csv_is_person_by_week_with_utilisation(db_path: Path) -> None:
    text, _ = _export(db_path, "capacity", "--grid", "--from", WEEKS[0].isoformat())
    grid = pl.read_csv(io.StringIO(text))
    assert grid.columns == ["person_id", "name", *WEEK_LABELS]
    assert grid.shape == (4, 6)
    by_person = {row[0]: list(row[2:]) for row in grid.rows()}
    assert by_person == {
        "ann": [125.0, 125.0, 100.0, 100.0],
        "ben": [25.0, 25.0, 0.0, 0.0],
        "cat": [50.0, 50.0, 50.0, 50.0],
        "dan": [20.0, 20.0, 20.0, 20.0],
    }


def test_capacity_grid_xlsx_reads_back_equal_frozen_and_coloured(
    db_path: Path, tmp_path: Path
) -> None:
    text, _ = _export(db_path, "capacity", "--grid", "--from", WEEKS[0].isoformat())
    path = tmp_path / "capacity.xlsx"
    _, said = _export(
        db_path, "capacity", "--grid", "--from", WEEKS[0].isoformat(), "-o", str(path)
    )
    assert f"to {path}" in said
    back = pl.read_excel(path, sheet_name="utilisation")
    expected = pl.read_csv(io.StringIO(text))
    assert back.columns == expected.columns
    assert back.with_columns(pl.col(WEEK_LABELS).cast(pl.Float64)).equals(expected)
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert '<pane xSplit="2" ySplit="1" topLeftCell="C2"' in sheet and 'state="frozen"' in sheet
    assert '<conditionalFormatting sqref="C2:C5">' in sheet  # over 100 % is coloured
    styles = zipfile.ZipFile(path).read("xl/styles.xml").decode()
    assert 'formatCode="0&quot;%&quot;"' in styles


def test_hours_booked_in_a_week_of_no_capacity_are_in_the_over_hours_grid(
    db_path: Path, tmp_path: Path
) -> None:
    """Dan (8 h a week) on leave all of W02: no utilisation that week (blank, as the
    heatmap's ``∞`` has no percentage), but his 8 h are over capacity and coloured."""
    runner = CliRunner()
    leave = ["--db", str(db_path), "leave", "add", "dan", "2027-01-11", "2027-01-15"]
    assert runner.invoke(cli, leave, obj={}).exit_code == 0
    path = tmp_path / "capacity.xlsx"
    _, said = _export(
        db_path, "capacity", "--grid", "--from", WEEKS[0].isoformat(), "-o", str(path)
    )
    assert "wrote utilisation, over_hours (8 rows, xlsx)" in said
    utilisation = pl.read_excel(path, sheet_name="utilisation").filter(pl.col("person_id") == "dan")
    assert utilisation.select(WEEK_LABELS).row(0) == (20, None, 20, 20)
    over = pl.read_excel(path, sheet_name="over_hours")
    assert over.columns == ["person_id", "name", *WEEK_LABELS]
    by_person = {row[0]: list(row[2:]) for row in over.rows()}
    assert by_person == {
        "ann": [10, 10, 0, 0],  # 50 h in 40 h
        "ben": [0, 0, 0, 0],
        "cat": [0, 0, 0, 0],
        "dan": [0, 8, 0, 0],  # 8 h booked, no capacity
    }
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml").decode()
    assert '<conditionalFormatting sqref="D2:D5"><cfRule type="cellIs" dxfId="' in sheet
    assert "<formula>0.0</formula>" in sheet  # coloured above 0 h


def test_allocations_grid_sums_hours_per_person_and_project(db_path: Path) -> None:
    text, _ = _export(db_path, "allocations", "--grid", "--from", WEEKS[0].isoformat())
    grid = pl.read_csv(io.StringIO(text))
    assert grid.columns == ["person_id", "name", "project_id", *WEEK_LABELS]
    assert grid.rows()[:2] == [
        ("ann", "Ann Archer", "P-CRM", 40.0, 40.0, 40.0, 40.0),
        ("ann", "Ann Archer", "P-WEB", 10.0, 10.0, None, None),
    ]
    assert grid.height == 5


def test_the_window_chooses_the_weeks(db_path: Path) -> None:
    text, _ = _export(db_path, "capacity", "--grid", "--from", "2027-01-11", "--to", "2027-01-18")
    assert pl.read_csv(io.StringIO(text)).columns == ["person_id", "name", "2027-W02", "2027-W03"]


# --------------------------------------------------------------------- the other kinds
def test_json_and_markdown_hold_every_table_of_the_kind(db_path: Path) -> None:
    text, _ = _export(db_path, "portfolio", "--format", "json")
    document = json.loads(text)
    assert list(document) == ["portfolio"]
    crm = next(row for row in document["portfolio"] if row["id"] == "P-CRM")
    assert (crm["phase"], crm["start"], crm["demand_hours"]) == ("execution", "2027-01-04", 160.0)
    markdown, _ = _export(db_path, "findings", "--format", "markdown")
    assert markdown.startswith("## findings\n\n_none_")


def test_the_format_comes_from_the_file_name(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "alloc.json"
    _export(db_path, "allocations", "-o", str(path))
    rows = json.loads(path.read_text())["allocations"]
    assert len(rows) == 4 + 2 + 2 + 4 + 4 and rows[0]["skill_id"] == "dev"
    old_excel = tmp_path / "alloc.xls"  # would have been CSV under an Excel name
    refused = CliRunner().invoke(
        cli, ["--db", str(db_path), "export", "allocations", "-o", str(old_excel)], obj={}
    )
    assert refused.exit_code == 2 and not old_excel.exists()
    assert (
        f"{old_excel}: pmo-tui does not write .xls files (it writes .csv, .xlsx, .json, .md). "
        "Fix: name the file with one of .csv, .xlsx, .json, .md, or pass --format"
    ) in refused.output
    _export(db_path, "allocations", "-o", str(old_excel), "--format", "csv")
    assert old_excel.read_text().startswith("person_id,")


def _hostile_change_set(db_path: Path) -> int:
    """A change set whose command and reason a spreadsheet would run as formulas."""
    from pmo_tui.store.transactions import write_transaction
    from pmo_tui.tui.data import writable_connection

    with writable_connection(db_path) as db:
        with write_transaction(db, '=HYPERLINK("http://x")', reason="+1+1") as change_set:
            db.execute("UPDATE project SET rag = 'amber' WHERE id = 'P-CRM'")
        return change_set.id


def test_export_log_reads_back_in_every_format_with_formulas_neutralised(
    db_path: Path, tmp_path: Path
) -> None:
    from pmo_tui.history.log import list_change_sets
    from pmo_tui.tui.data import connection

    hostile = _hostile_change_set(db_path)
    with connection(db_path) as db:
        expected = list_change_sets(db, every_table=True)
    columns = ["change_set", "at", "user", "command", "entity", "rows", "reason", "undoes",
               "undone_by"]  # fmt: skip
    text, _ = _export(db_path, "log", "--format", "csv")
    back = pl.read_csv(io.StringIO(text))
    assert back.columns == columns
    assert back["change_set"].to_list() == expected["change_set"].to_list()
    assert back["rows"].to_list() == expected["rows"].to_list()
    assert back["entity"].to_list() == expected["tables"].to_list()  # every table, unshortened
    row = back.filter(pl.col("change_set") == hostile).row(0, named=True)
    assert (row["command"], row["reason"], row["entity"]) == (
        HOSTILE['=HYPERLINK("http://x")'],
        HOSTILE["+1+1"],
        "project",
    )
    path = tmp_path / "log.xlsx"
    _export(db_path, "log", "-o", str(path))
    sheet = pl.read_excel(path, sheet_name="log")
    assert sheet.columns == columns
    assert sheet["change_set"].to_list() == expected["change_set"].to_list()
    assert sheet.filter(pl.col("change_set") == hostile)["command"].to_list() == [row["command"]]
    document = json.loads(_export(db_path, "log", "--format", "json")[0])
    assert [r["change_set"] for r in document["log"]] == expected["change_set"].to_list()
    assert document["log"][0]["user"] == expected["who"][0]
    markdown, _ = _export(db_path, "log", "--format", "markdown")
    assert markdown.startswith("## log\n") and f"| {hostile} " in markdown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["findings", "--grid"], "findings has no person x week grid"),
        (["findings", "--from", "2027-01-04"], "findings is not listed by week"),
        (["log", "--grid"], "log has no person x week grid"),
        (["capacity", "--format", "xlsx"], "an XLSX workbook needs a file"),
        (["portfolio", "--policy", "p.toml"], "--policy is for `export plan`"),
    ],
)
def test_mistakes_are_one_message(db_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db_path), "export", *args], obj={})
    assert result.exit_code == 2 and message in result.output


def test_every_kind_is_declared_with_help() -> None:
    assert list(EXPORT_KINDS) == [
        "capacity",
        "allocations",
        "plan",
        "findings",
        "portfolio",
        "log",
    ]
    help_text = CliRunner().invoke(cli, ["export", "--help"]).output
    for kind in EXPORT_KINDS.values():
        assert f"{kind.name}:" in help_text
        assert (f"{kind.name} --grid:" in help_text) == bool(kind.grid)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_file_that_cannot_be_written_is_one_message_not_a_traceback(
    db_path: Path, tmp_path: Path, suffix: str
) -> None:
    runner = CliRunner()
    missing = tmp_path / "no-such-folder" / f"capacity.{suffix}"
    too_long = tmp_path / ("x" * 300 + f".{suffix}")  # the system refuses the name
    for target, message in (
        (missing, f"option --output: {missing}: the folder {missing.parent} does not exist."),
        (too_long, "option -o: cannot write the file: File name too long. Fix: write to a"),
    ):
        args = ["--db", str(db_path), "export", "capacity", "-o", str(target)]
        result = runner.invoke(cli, args, obj={})
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output
    assert not missing.parent.exists() and not list(tmp_path.glob(f"*.{suffix}"))
