"""Roles: who may read, plan and administer a database.

Three roles, each allowing what the one before allows:

* ``viewer`` reads (every listing, report, plan without ``--apply``, the TUI);
* ``planner`` also edits, imports, applies plans, promotes scenarios, undoes, runs audits;
* ``admin`` also changes standards and templates, grants roles, restores, upgrades
  and re-initialises the database.

Rules live in the database (table ``access_rule``): a rule gives a role to a user
(an OS account name) or to every member of an OS group. An account's role is the
highest one any rule gives it; with no rule it is a viewer. The account is the
process's real uid (:mod:`pmo_tui.store.accounts`). A database older than the
rules (schema before version 4) has no rules: whoever can write the file is admin
until it is upgraded, and the upgrader becomes its first admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pmo_tui.errors import UserError
from pmo_tui.store import accounts

if TYPE_CHECKING:
    from pmo_tui.store.accounts import Account
    from pmo_tui.store.reads import Readable

__all__ = [
    "ROLES",
    "Role",
    "RoleRefused",
    "has_role",
    "rank",
    "require_role",
    "role_of",
]

Role = Literal["viewer", "planner", "admin"]
#: The roles, lowest first.
ROLES: tuple[Role, ...] = ("viewer", "planner", "admin")
#: The role of an account no rule names.
DEFAULT_ROLE: Role = "viewer"


class RoleRefused(UserError):
    """A write the current account's role does not allow; nothing was changed."""


@dataclass(frozen=True)
class RoleDecision:
    """The role of ``account`` and the rules that gave it (``user NAME``, ``group NAME``)."""

    account: Account
    role: Role
    because: tuple[str, ...]


def rank(role: str) -> int:
    """0 for viewer, 1 for planner, 2 for admin."""
    return ROLES.index(role)


def has_rules_table(db: Readable) -> bool:
    """True when the database keeps roles (schema version 4 or later)."""
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'access_rule'"
    ).fetchone()
    return row is not None


def decide_role(db: Readable, account: Account | None = None) -> RoleDecision:
    """The role of ``account`` (default: the current one) and the rules behind it."""
    account = account or accounts.current_account()
    if not has_rules_table(db):
        return RoleDecision(account, "admin", ("a database without roles (upgrade it)",))
    best: Role = DEFAULT_ROLE
    because: list[str] = []
    for kind, subject, role in db.execute("SELECT kind, subject, role FROM access_rule"):
        applies = (kind == "user" and subject == account.name) or (
            kind == "group" and subject in account.groups
        )
        if applies:
            because.append(f"{kind} {subject}: {role}")
            if rank(role) > rank(best):
                best = role
    return RoleDecision(account, best, tuple(because))


def role_of(db: Readable, account: Account | None = None) -> Role:
    """The role of ``account`` (default: the current account) in ``db``."""
    return decide_role(db, account).role


def has_role(db: Readable, needed: Role, account: Account | None = None) -> bool:
    """True when ``account`` (default: the current one) has ``needed`` or a higher role."""
    return rank(role_of(db, account)) >= rank(needed)


def require_role(db: Readable, needed: Role, what: str) -> Account:
    """The current account, when its role allows ``what``.

    Raises:
        RoleRefused: the role is lower than ``needed``; the message names both roles
            and how an admin grants the role.
    """
    decision = decide_role(db)
    if rank(decision.role) >= rank(needed):
        return decision.account
    name = decision.account.name
    raise RoleRefused(
        f"{what} needs the {needed} role; {name} is a {decision.role}; nothing was changed",
        fix=f"ask an admin to run `pmo-tui users grant {name} {needed}`",
    )
