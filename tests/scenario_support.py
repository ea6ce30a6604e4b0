"""A tiny organisation for the scenario tests, imported with `pmo-tui import csv`.

Four ISO weeks from Monday 2027-01-04 (W1..W4). UK has a public holiday on
Tuesday 2027-01-05, so UK people have 32 h in W1 and 40 h after; DE has none.

people: ann (UK, dev 4, 100/h), ben (UK, dev 3 + data 2, 80/h), cat (DE, data 4, 90/h)
demand: D1 P1 dev>=2 40 h W1-W4; D2 P2 data>=1 30 h W1-W4; D3 P2 dev>=1 20 h W3-W4
allocations: ann D1 32 h W1-W4; cat D2 30 h W1-W4; ben D3 10 h W3-W4 pinned
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from click.testing import CliRunner

from pmo_tui.cli import cli

W1, W2, W3, W4 = (dt.date(2027, 1, 4) + dt.timedelta(weeks=k) for k in range(4))

CSV_FILES = {
    "portfolios.csv": "id,name\nPF,Portfolio\n",
    "programs.csv": "id,name,portfolio_id\nPG,Program,PF\n",
    "skills.csv": "id,name\ndev,Developer\ndata,Data engineer\n",
    "holidays.csv": "region,date,name\nUK,2027-01-05,Test day\n",
    "people.csv": (
        "id,name,region,cost_rate,mon,tue,wed,thu,fri,sat,sun\n"
        "ann,Ann Archer,UK,100,8,8,8,8,8,0,0\n"
        "ben,Ben Brook,UK,80,8,8,8,8,8,0,0\n"
        "cat,Cat Cole,DE,90,8,8,8,8,8,0,0\n"
    ),
    "person_skills.csv": "person_id,skill_id,level\nann,dev,4\nben,dev,3\nben,data,2\ncat,data,4\n",
    "projects.csv": (
        "id,name,portfolio_id,phase,priority,start,finish,rag\n"
        "P1,Project one,PF,execution,1,2027-01-04,2027-01-29,green\n"
        "P2,Project two,PF,execution,3,2027-01-04,2027-01-29,green\n"
    ),
    "demands.csv": (
        "id,project_id,skill_id,min_level,start_week,end_week,hours_per_week\n"
        "D1,P1,dev,2,2027-01-04,2027-01-25,40\n"
        "D2,P2,data,1,2027-01-04,2027-01-25,30\n"
        "D3,P2,dev,1,2027-01-18,2027-01-25,20\n"
    ),
    "allocations.csv": (
        "person_id,project_id,demand_id,start_week,end_week,hours_per_week,kind,pinned\n"
        "ann,P1,D1,2027-01-04,2027-01-25,32,soft,false\n"
        "cat,P2,D2,2027-01-04,2027-01-25,30,soft,false\n"
        "ben,P2,D3,2027-01-18,2027-01-25,10,soft,true\n"
    ),
}

#: Fast, repeatable solver settings for the tiny database.
FAST = ["--deterministic-time", "0.5", "--time-limit", "20"]


def invoke(db: Path, *args: str):
    """Run ``pmo-tui --db DB ARGS`` in-process."""
    return CliRunner().invoke(cli, ["--db", str(db), *args], obj={}, catch_exceptions=False)


def build_scenario_db(folder: Path) -> Path:
    """The tiny organisation as ``folder/live.db`` (CSV files in ``folder/csv``)."""
    csv_folder = folder / "csv"
    csv_folder.mkdir(parents=True, exist_ok=True)
    for name, text in CSV_FILES.items():
        (csv_folder / name).write_text(text)
    db = folder / "live.db"
    assert invoke(db, "db", "init", "--empty").exit_code == 0
    result = invoke(db, "import", "csv", str(csv_folder))
    assert result.exit_code == 0, result.output
    checkpoint(db)
    return db


def checkpoint(db: Path) -> None:
    """Move the WAL into the database file, so that its hash says what it holds.

    The CLI's connections close when garbage-collected; collect them first.
    """
    import gc
    import sqlite3

    gc.collect()
    connection = sqlite3.connect(db)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def write_scenario(folder: Path, name: str, body: str) -> Path:
    """``folder/NAME.toml`` with ``name = "NAME"`` and ``body``."""
    path = folder / f"{name}.toml"
    path.write_text(f'name = "{name}"\n{body}')
    return path


def file_hash(path: Path) -> str:
    """sha256 of the database file and of its WAL, if any."""
    digest = hashlib.sha256(path.read_bytes())
    wal = Path(f"{path}-wal")
    if wal.exists():
        digest.update(wal.read_bytes())
    return digest.hexdigest()
