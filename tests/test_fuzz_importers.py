"""A sample of the importer fuzz (bench/fuzz_importers.py runs 10,000 and more inputs).

Every mutated file ends in success or in one refusal that names the file and a row
or line and leaves the data unchanged: never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz_support import cases, run_case, seeds
from hypothesis import HealthCheck, given, settings
from scenario_support import build_scenario_db

SEEDS = seeds(project_files=False)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_scenario_db(tmp_path_factory.mktemp("fuzz"))


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(case=cases(SEEDS))
def test_a_mutated_file_never_gives_a_traceback(database: Path, tmp_path_factory, case) -> None:
    seed, data = case
    folder = tmp_path_factory.mktemp("case")
    outcome = run_case(database, folder, seed, data)
    assert outcome.result in ("ok", "refused"), f"{seed.kind} {seed.name}: {outcome.output}"
