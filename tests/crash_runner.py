"""Run pmo-tui commands and kill them with SIGKILL at chosen points (for test_crash_safety.py).

Usage: ``python crash_runner.py PLAN.json``. The plan lists trials: a database file,
the command's arguments, and ``kill_at`` (the number of SQLite progress callbacks after
which the process kills itself; null to count them instead). This process only imports;
each trial runs in a forked child, so every trial starts from the same fresh state (no
polars or OR-Tools thread exists before the fork). Each child wraps ``sqlite3.connect``
so that every connection calls a progress handler every 20 virtual-machine steps, and
notes the count at ``BEGIN IMMEDIATE`` and ``COMMIT``. Writes the results beside PLAN.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
from pathlib import Path

STEP = 20


def child(db: str, args: list[str], kill_at: int | None, counts_file: str) -> None:
    calls = {"n": 0, "begin": None, "commit": None}
    connect = sqlite3.connect

    def progress() -> int:
        calls["n"] += 1
        if kill_at is not None and calls["n"] >= kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return 0

    def trace(statement: str) -> None:
        if statement.startswith("BEGIN IMMEDIATE") and calls["begin"] is None:
            calls["begin"] = calls["n"]
        elif statement.startswith("COMMIT") and calls["begin"] is not None:
            calls["commit"] = calls["n"]

    def wrapped(*a, **k):
        connection = connect(*a, **k)
        connection.set_progress_handler(progress, STEP)
        connection.set_trace_callback(trace)
        return connection

    sqlite3.connect = wrapped
    from pmo_tui.cli import cli

    code = 0
    try:
        cli.main(args=["--db", db, *args], prog_name="pmo-tui", standalone_mode=False, obj={})
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    except BaseException:
        code = 99
    Path(counts_file).write_text(json.dumps({**calls, "code": code}))
    sys.stdout.flush()
    os._exit(0)


def main() -> None:
    plan_path = Path(sys.argv[1])
    trials = json.loads(plan_path.read_text())
    import pmo_tui.cli
    import pmo_tui.importers.service
    import pmo_tui.planning.service  # noqa: F401

    results = []
    for number, trial in enumerate(trials):
        counts_file = f"{plan_path}.{number}.counts"
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            child(trial["db"], trial["args"], trial["kill_at"], counts_file)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        counts = json.loads(Path(counts_file).read_text()) if Path(counts_file).exists() else {}
        results.append({"killed": killed, **counts})
    Path(f"{plan_path}.results").write_text(json.dumps(results))


if __name__ == "__main__":
    main()
