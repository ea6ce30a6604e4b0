"""History: the change sets of the database (``pmo-tui log``) and undoing one (``pmo-tui undo``).

Both front ends call these services: :mod:`.log` lists change sets and their
rows; :mod:`.undo` works out what undoing one would do and writes it as a new
change set. docs/history.md describes the design.
"""
