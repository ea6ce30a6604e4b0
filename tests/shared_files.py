"""Where the files shared beside the repository are (``../shared``: real samples, benchmarks).

The repository's sibling folder ``shared/`` holds input that is not ours to
commit (see ``shared/real-samples/SOURCES.md``). A git worktree lives elsewhere,
so its ``../shared`` is looked up beside the main checkout too.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_folder(name: str) -> Path:
    """``<repo>/../shared/<name>``, else the same beside the main checkout of this worktree.

    Returns the first candidate that is a folder, else the first candidate (so a
    test's skip message names where it looked).
    """
    candidates = [REPO.parent / "shared" / name]
    try:
        common = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        common = ""
    if common:
        candidates.append(Path(common).parent.parent / "shared" / name)
    return next((path for path in candidates if path.is_dir()), candidates[0])
