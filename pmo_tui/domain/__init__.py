"""The PMO domain as pure functions over polars frames (no textual, no click).

- :mod:`~pmo_tui.domain.capacity`: capacity from the calendar, utilisation, demand coverage.
- :mod:`~pmo_tui.domain.portfolio`: the portfolio > program > project tree and its roll-ups.
"""
