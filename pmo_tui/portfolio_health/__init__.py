"""Portfolio health and cross-project coordination: what the PMO reports to the board.

Services over the store (each read takes a sqlite-utils database or a read-only
sqlite3 connection; each write is one transaction with a change-log row):

* :mod:`.rag` - the RAG and delivery-confidence vocabulary, the roll-up rules.
* :mod:`.evm` - earned value (PV, EV, AC, CV, SV, CPI, SPI, EAC, ETC, VAC).
* :mod:`.health` - per project RAG by dimension and overall, rolled up to
  program and portfolio; :mod:`.snapshots` - imported snapshots and trends.
* :mod:`.status` - status reports (dated, never overwritten) and their history.
* :mod:`.watermelon` - green status reports the data contradicts, with evidence.
* :mod:`.dependencies` - deliverables between projects and their derived state.
* :mod:`.raid` - the RAID log; :mod:`.gates` - gate decisions and phase changes.
* :mod:`.digest` - the weekly stakeholder digest; :mod:`.board` - the board report's data.

docs/reporting.md documents the rules; the formulas' sources are in the docstrings.
"""
