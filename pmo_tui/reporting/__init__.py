"""Every rendering of results for people and machines: tables, JSON, Markdown, JUnit.

- :mod:`~pmo_tui.reporting.formats`: the ``--format`` names (no polars: the CLI starts fast).
- :mod:`~pmo_tui.reporting.output`: a frame as a text table, CSV, JSON or Markdown.
- :mod:`~pmo_tui.reporting.capacity`: the tables ``pmo-tui capacity`` prints.
- :mod:`~pmo_tui.reporting.plan`: a plan outcome as text, JSON or Markdown.
- :mod:`~pmo_tui.reporting.scenarios`: scenario runs side by side; merge of shards.
- :mod:`~pmo_tui.reporting.junit`: scenario checks as JUnit XML for CI.
"""
