"""Helpers for the store tests: the data of a database, without its history."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

#: Tables that record history: they grow with every write, so "unchanged data" leaves them out.
HISTORY = ("change_set", "change_row", "change_log", "schema_migrations")


def content(db: Path, *, history: bool = False) -> dict[str, list[tuple]]:
    """Table -> its rows, sorted (without the history tables unless ``history``)."""
    connection = sqlite3.connect(db)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: sorted(connection.execute(f"SELECT * FROM [{name}]").fetchall(), key=repr)
            for name in sorted(names)
            if history or name not in HISTORY
        }
    finally:
        connection.close()


def content_hash(db: Path) -> str:
    """SHA-256 of :func:`content` (the data, not the history)."""
    return hashlib.sha256(repr(content(db)).encode()).hexdigest()


def change_sets(db: Path) -> list[tuple]:
    """(id, who, command) of every change set, oldest first."""
    connection = sqlite3.connect(db)
    try:
        return connection.execute("SELECT id, who, command FROM change_set ORDER BY id").fetchall()
    finally:
        connection.close()


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    """The rows of ``sql`` on ``db``."""
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()
