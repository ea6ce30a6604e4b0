"""Layering: the domain and solver import without textual; the TUI starts without OR-Tools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(imports: str, watched: tuple[str, ...]) -> list[str]:
    code = f"import sys\n{imports}\nprint(sorted(m for m in {watched!r} if m in sys.modules))\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return eval(out.stdout.strip())


def test_domain_and_solver_import_without_textual() -> None:
    imports = (
        "import pmo_tui.domain.capacity, pmo_tui.planning.service, pmo_tui.domain.portfolio, solver\n"
        "import pmo_tui.tui.capacity_views, pmo_tui.tui.plan_form, pmo_tui.tui.data\n"
        "import pmo_tui.tui.findings_views"
    )
    assert _modules_after(imports, ("textual", "ortools")) == []


def test_the_app_imports_neither_ortools_nor_the_store_before_the_first_paint() -> None:
    watched = ("ortools", "solver", "sqlite_utils")
    assert _modules_after("import pmo_tui.tui.app", watched) == []
