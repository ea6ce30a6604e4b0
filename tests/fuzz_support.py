"""Fuzzing every importer: valid seed files, mutated, run as a user would run them.

Each case is a file (name and bytes) and the command that reads it. Running it
(:func:`run_case`) must end in exit 0 or in one refusal (exit 2) that names the
file and a row or line, with the database's data unchanged; never a traceback.
Used by tests/test_fuzz_importers.py (a small sample) and bench/fuzz_importers.py
(10,000 and more inputs).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from hypothesis import strategies as st
from scenario_support import CSV_FILES

from pmo_tui.cli import cli

ROOT = Path(__file__).resolve().parents[1]

#: Importer -> (file name, the command that reads FILE, the seed texts).
POLICY_SEED = (
    "[weights]\ncover = 1.5\nchurn = 0.1\n[limits]\nmin_block_hours = 4\nfrozen_weeks = 1\n"
    "[search]\ntime_limit_s = 5\n"
)
CHECKLIST_SEED = (
    'project = "P1"\nauditor = "Jane Doe"\nheld_on = 2027-01-04\n\n[[item]]\nid = "risk-owners"\n'
    'text = "Every open risk has an owner"\nresult = "fail"\nseverity = "major"\n'
    'due = 2027-02-01\n\n[[item]]\nid = "charter"\ntext = "Charter signed"\nresult = "pass"\n'
)
SCENARIO_SEED = (
    'name = "fuzz"\n\n[[change]]\nkind = "priority"\nproject = "P2"\npriority = 1\n\n'
    '[[change]]\nkind = "add_person"\nid = "hire-1"\nname = "New hire"\nregion = "UK"\n'
    "skills = { dev = 3 }\n"
)


def _governance_seeds() -> list[tuple[str, str]]:
    folder = ROOT / "fixtures" / "demo" / "governance"
    seeds = []
    for path in sorted(folder.glob("*.csv")):
        lines = path.read_text(encoding="utf-8").splitlines()[:6]
        seeds.append((path.name, "\n".join(lines) + "\n"))
    return seeds


@dataclass(frozen=True)
class Seed:
    """A valid file of one importer: its ``kind``, file ``name``, ``text`` and command."""

    kind: str
    name: str
    text: str
    command: tuple[str, ...]  # FILE stands for the file's path


def seeds(*, project_files: bool) -> list[Seed]:
    """Every seed file, for every importer (project files only with ``project_files``)."""
    found = [Seed("csv", name, text, ("import", "csv", "FILE")) for name, text in CSV_FILES.items()]
    found += [
        Seed("governance", name, text, ("import", "governance", "FILE"))
        for name, text in _governance_seeds()
    ]
    found.append(
        Seed(
            "scenario",
            "fuzz.toml",
            SCENARIO_SEED,
            ("scenario", "run", "FILE", "--time-limit", "1", "--deterministic-time", "0.1"),
        )
    )
    found.append(
        Seed(
            "policy",
            "policy.toml",
            POLICY_SEED,
            (
                "plan",
                "--headless",
                "--policy",
                "FILE",
                "--time-limit",
                "1",
                "--deterministic-time",
                "0.1",
            ),
        )
    )
    found.append(Seed("checklist", "checklist.toml", CHECKLIST_SEED, ("checklist", "FILE")))
    if project_files:
        found += [
            Seed(
                "project",
                path.name,
                path.read_text(encoding="utf-8", errors="replace"),
                ("import", "project", "FILE"),
            )
            for path in project_samples()
        ]
    return found


def project_samples() -> list[Path]:
    """The project files of shared/real-samples (MSPDI, MPX, GanttProject), where there is one."""
    for folder in (
        ROOT.parent / "shared" / "real-samples",
        ROOT.parents[1] / "shared" / "real-samples",
    ):
        if folder.is_dir():
            return sorted(
                p for p in folder.iterdir() if p.suffix in (".mpx", ".xml", ".gan", ".planner")
            )
    return []


#: What a mutation may insert: separators, quotes, line ends, odd bytes, extreme values.
TOKENS = [
    b'"',
    b",",
    b";",
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b"\x00",
    b"\xff\xfe",
    b"\xe9",
    b"\xef\xbb\xbf",
    b"1e308",
    b"-1",
    b"NaN",
    b"inf",
    b"9999-12-31",
    b"1900-01-01",
    b"2027-02-30",
    b"0",
    b"99999999999999999999",
    b"-0.0",
    b"[]",
    b"{}",
    b"=",
    b"[[change]]",
    b"[[item]]",
    b"]]",
    b"kind = []",
    b"true",
    b"",
    b"x" * 140_000,
    b"\xf0\x9f\x98\x80",
    b"'",
    b"\\",
    b"#",
    b"id,id",
    b"person_id",
    b" ",
    b"2027-01-05",
    b"P1",
    b"ann",
    b"D1",
]


@st.composite
def cases(draw: st.DrawFn, seed_list: list[Seed]) -> tuple[Seed, bytes]:
    """A seed and its bytes after 1 to 4 mutations (insert, delete, replace, duplicate a line).

    The importer is drawn first, then one of its seeds, so each importer gets its share.
    """
    kinds = sorted({seed.kind for seed in seed_list})
    kind = draw(st.sampled_from(kinds))
    seed = draw(st.sampled_from([seed for seed in seed_list if seed.kind == kind]))
    data = bytearray(seed.text.encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["insert", "delete", "replace", "line", "truncate"]))
        at = draw(st.integers(0, max(len(data), 1) - 1)) if data else 0
        if operation == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif operation == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        elif operation == "replace":
            data[at : at + draw(st.integers(1, 6))] = draw(st.sampled_from(TOKENS))
        elif operation == "line":
            lines = bytes(data).split(b"\n")
            index = draw(st.integers(0, len(lines) - 1))
            lines.insert(index, lines[index])
            data = bytearray(b"\n".join(lines))
        else:
            data = data[:at]
    return seed, bytes(data)


def data_hash(db: Path) -> str:
    """SHA-256 of every row outside the history tables."""
    connection = sqlite3.connect(db)
    try:
        digest = hashlib.sha256()
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT IN ('change_set', 'change_row', 'change_log', 'schema_migrations') "
            "ORDER BY name"
        ):
            rows = sorted(connection.execute(f"SELECT * FROM [{name}]").fetchall(), key=repr)
            digest.update(repr((name, rows)).encode())
        return digest.hexdigest()
    finally:
        connection.close()


@dataclass
class Outcome:
    """How one case ended: ``ok``, ``refused`` or a failure (``traceback``, ``no place``,
    ``changed``) with the output."""

    kind: str
    result: str
    output: str


PLACE = re.compile(r"(row \d+|line \d+)")


def run_case(db: Path, folder: Path, seed: Seed, data: bytes) -> Outcome:
    """Write ``data`` as the seed's file in ``folder`` and run its command on ``db``."""
    path = folder / seed.name
    path.write_bytes(data)
    args = [str(path) if arg == "FILE" else arg for arg in seed.command]
    before = data_hash(db)
    result = CliRunner().invoke(cli, ["--db", str(db), *args], obj={}, catch_exceptions=True)
    error = result.exception
    if error is not None and not isinstance(error, SystemExit):
        import traceback

        text = "".join(traceback.format_exception(error))
        return Outcome(seed.kind, "traceback", text)
    if result.exit_code in (0, 1, 3):
        return Outcome(seed.kind, "ok", result.output)
    if result.exit_code != 2:
        return Outcome(seed.kind, f"exit {result.exit_code}", result.output)
    if data_hash(db) != before:
        return Outcome(seed.kind, "changed", result.output)
    if str(path) not in result.output:
        return Outcome(seed.kind, "no file", result.output)
    if not PLACE.search(result.output):  # MPXJ reports no line: counted apart, not a failure
        return Outcome(
            seed.kind, "refused, no line" if seed.kind == "project" else "no place", result.output
        )
    return Outcome(seed.kind, "refused", result.output)
