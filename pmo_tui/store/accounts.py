"""Who is running pmo-tui: the operating-system account of the process's real user id.

The change log and the roles (:mod:`pmo_tui.store.access`) name people by this
account. It is read from the password database for the *real* uid
(``os.getuid()``), never from ``$LOGNAME`` or ``$USER``, which anyone can set.
"""

from __future__ import annotations

import grp
import os
import pwd
from dataclasses import dataclass

__all__ = ["Account", "current_account"]


@dataclass(frozen=True)
class Account:
    """An OS account: ``name`` (login), ``uid`` and the names of the groups it belongs to."""

    name: str
    uid: int
    groups: frozenset[str]


def current_account() -> Account:
    """The account of the process's real uid, with its primary and supplementary groups.

    An uid with no entry in the password database is named ``uid-N``.
    """
    uid = os.getuid()
    try:
        entry = pwd.getpwuid(uid)
    except KeyError:
        return Account(f"uid-{uid}", uid, _group_names(os.getgroups()))
    try:
        gids = os.getgrouplist(entry.pw_name, entry.pw_gid)
    except OSError:
        gids = [entry.pw_gid]
    return Account(entry.pw_name, uid, _group_names(gids))


def _group_names(gids: list[int]) -> frozenset[str]:
    names = set()
    for gid in gids:
        try:
            names.add(grp.getgrgid(gid).gr_name)
        except KeyError:
            names.add(str(gid))
    return frozenset(names)
