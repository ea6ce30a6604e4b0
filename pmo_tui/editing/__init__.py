"""Editing one thing at a time: people, skills, leave, projects, demand, allocations.

The CLI's editing commands and the TUI call these services. Each edit is one
write transaction (:func:`pmo_tui.store.transactions.write_transaction`) with a
change-log entry, so it is listed by ``pmo-tui log`` and can be undone. Values
arrive as the user typed them and are checked by the same column rules and
messages as the CSV importer (:mod:`pmo_tui.importers.csv_specs`), naming the
option instead of the file and row.
"""
