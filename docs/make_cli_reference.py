"""Write docs/cli.md: every ``pmo-tui`` command with its own ``--help`` text.

Run ``python docs/make_cli_reference.py`` after changing a command;
``tests/test_cli_docs.py`` fails while the file is out of date, so the reference
cannot drift from the code (sqlite-utils keeps its CLI docs the same way).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

from pmo_tui.cli import cli

OUTPUT = Path(__file__).resolve().parent / "cli.md"
#: Column width of the help texts (the same on every machine).
WIDTH = 100

HEADER = """# Command reference

Every `pmo-tui` command with its own `--help` text. This file is made by
`python docs/make_cli_reference.py` from the code; `tests/test_cli_docs.py` fails
when it is out of date. Task-oriented walkthroughs are in the README and the other
docs: planning (`docs/planning.md`), scenarios (`docs/scenarios.md`), governance
(`docs/governance.md`), the data formats (`docs/data-model.md`).

Exit codes of every command: `0` ok, `1` a check failed (`--fail-if`, `--fail-on`),
`2` bad input (the message names file, row, column and the fix; nothing was written),
`3` infeasible plan, `130` interrupted with Ctrl-C (nothing written).
"""


def commands(
    command: click.Command, path: tuple[str, ...] = ("pmo-tui",)
) -> Iterator[tuple[tuple[str, ...], click.Command, click.Context]]:
    """Every command under ``command`` (itself first), with its path and a help context."""
    context = click.Context(
        command, info_name=" ".join(path), terminal_width=WIDTH, max_content_width=WIDTH
    )
    yield path, command, context
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from commands(command.commands[name], (*path, name))


def reference() -> str:
    """The text of docs/cli.md."""
    sections = [HEADER]
    for path, command, context in commands(cli):
        sections.append(f"## {' '.join(path)}\n\n```\n{command.get_help(context)}\n```\n")
    return "\n".join(sections)


def main() -> int:
    OUTPUT.write_text(reference(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
