"""Every test runs as of one fixed date: the demo organisation's status date.

Anything that depends on today takes it as a value (``--today``,
``PMO_TUI_TODAY``); here the whole suite fixes it, so no result depends on the
day the tests run. Tests about other dates pass ``--today`` or set the variable
themselves (``monkeypatch.setenv``).
"""

from __future__ import annotations

import os

#: The Monday the demo organisation is generated from (fixtures/generate_demo.py).
TEST_TODAY = "2026-11-30"

os.environ["PMO_TUI_TODAY"] = TEST_TODAY
