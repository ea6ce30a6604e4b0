"""pmo-tui: a Project Management Office in the terminal.

The domain core (store, importers, capacity, planning) is importable without
Textual; the TUI lives in :mod:`pmo_tui.tui` and the CLI in :mod:`pmo_tui.cli`.
"""

__version__ = "0.1.0"
