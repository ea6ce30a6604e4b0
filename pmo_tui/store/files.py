"""The database file and its copies: created private, backed up consistently, restored safely.

A new database is created ``0600`` (only its owner reads it), or ``0660`` with a
group (``pmo-tui db init --group pmo``), so that the names, e-mails and cost rates
in it are not readable by every account on the server. SQLite gives its ``-wal``
and ``-shm`` files the same mode and owner. Backups copy the mode and group of the
database. Copies are made with SQLite's online backup API, which gives a
consistent snapshot while others keep writing.
"""

from __future__ import annotations

import datetime as dt
import grp
import os
import sqlite3
import stat
from pathlib import Path

from pmo_tui.errors import UserError

__all__ = [
    "PRIVATE_MODE",
    "automatic_backup_path",
    "backup_to",
    "create_private_file",
    "group_mode",
    "others_can_read",
]

#: Mode of a new database and of its backups: only the owner reads and writes.
PRIVATE_MODE = 0o600
#: Mode with a group: the owner and the group read and write.
GROUP_MODE = 0o660


def create_private_file(path: Path, group: str | None = None) -> None:
    """Create the empty file ``path`` with mode 0600, or 0660 owned by ``group``.

    Raises:
        UserError: the group does not exist, or the file cannot be created.
    """
    gid = _group_id(group) if group else None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_MODE)
        os.close(descriptor)
        if gid is not None:
            os.chown(path, -1, gid)
            os.chmod(path, GROUP_MODE)
    except OSError as error:
        raise UserError(
            f"cannot create the database: {error.strerror or error}",
            file=str(path),
            fix="choose a folder you can write to (--db or PMO_TUI_DB)",
        ) from error


def _group_id(group: str) -> int:
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise UserError(
            f"no group named {group!r} on this machine",
            option="--group",
            fix="create it first (groupadd), or name an existing group",
        ) from None


def group_mode(path: Path) -> tuple[int, int]:
    """(mode bits, gid) of ``path``, to give a copy the same protection."""
    info = path.stat()
    return stat.S_IMODE(info.st_mode), info.st_gid


def others_can_read(path: Path) -> bool:
    """True when accounts outside the file's owner and group can read ``path``."""
    return bool(path.stat().st_mode & stat.S_IROTH)


def automatic_backup_path(path: Path, reason: str, now: dt.datetime | None = None) -> Path:
    """Where an automatic backup goes: beside the database, named by reason and UTC time.

    ``pmo.db`` -> ``pmo.db.before-upgrade-v3.20270104T101500Z.bak``.
    """
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    return path.with_name(f"{path.name}.{reason}.{stamp}.bak")


def backup_to(source: sqlite3.Connection, target: Path, like: Path | None = None) -> Path:
    """Copy the database of ``source`` to the new file ``target`` (online backup API).

    The copy gets the mode and group of ``like`` (the database), else 0600; it is
    consistent even while other processes write.

    Raises:
        UserError: ``target`` exists or cannot be written.
    """
    if target.exists():
        raise UserError(
            "the backup file already exists; nothing was written",
            file=str(target),
            fix="name a new file, or remove the old one first",
        )
    create_private_file(target)
    try:
        if like is not None and like.exists():
            mode, gid = group_mode(like)
            os.chown(target, -1, gid)
            os.chmod(target, mode & 0o660)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
    except (OSError, sqlite3.Error) as error:
        target.unlink(missing_ok=True)
        raise UserError(
            f"cannot write the backup: {error}",
            file=str(target),
            fix="choose a folder you can write to with enough free space",
        ) from error
    return target
