"""Layering: every module imports on its own; the domain and solver import without
textual; the TUI starts without OR-Tools. (import-linter checks the arrows between
packages; these check what actually loads.)"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pmo_tui
import solver

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(imports: str, watched: tuple[str, ...]) -> list[str]:
    code = f"import sys\n{imports}\nprint(sorted(m for m in {watched!r} if m in sys.modules))\n"
    out = subprocess.run(
        [sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
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


def _every_module() -> list[str]:
    """Every module of pmo_tui and solver, by dotted name (packages included)."""
    names = ["pmo_tui", "solver"]
    for package in (pmo_tui, solver):
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            names.append(info.name)
    return sorted(names)


def _imports_alone(module: str) -> str | None:
    """None when ``module`` imports in a fresh interpreter, else the error's last line.

    ``-P``: the interpreter does not put the checkout first on ``sys.path``, so it imports
    the installed package, the one pytest walked (a wheel holds ``pmo_tui.demo_data``,
    the checkout keeps it in ``fixtures/demo``)."""
    done = subprocess.run(
        [sys.executable, "-P", "-c", f"import {module}"], capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode == 0:
        return None
    return f"{module}: {(done.stderr.strip().splitlines() or ['?'])[-1]}"


def test_every_module_imports_on_its_own_in_a_fresh_interpreter() -> None:
    modules = _every_module()
    assert len(modules) > 100 and "pmo_tui.cli.plan" in modules and "solver.shifts.model" in modules
    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [error for error in pool.map(_imports_alone, modules) if error]
    assert failures == []
