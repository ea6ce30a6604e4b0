"""Where the database lives, decided without importing the store (fast for ``--help``)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DB_ENV_VAR = "PMO_TUI_DB"


def default_db_path() -> Path:
    """``$PMO_TUI_DB`` if set, else ``<user data dir>/pmo-tui/pmo.db``."""
    from_env = os.environ.get(DB_ENV_VAR)
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir("pmo-tui", appauthor=False)) / "pmo.db"
