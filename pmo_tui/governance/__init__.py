"""Governance: standards and methodology, templates and lineage, audits, findings, training.

The PMO's process side (issue 5): versioned standards and templates, the
methodology's required artefacts and gate criteria per phase, automatic audits
from rules declared as data (``default_rules.toml``), findings with a
lifecycle and history, and coaching, training and certifications. Every
module here is importable without textual; writes take a sqlite-utils
database and run in one transaction with a ``change_log`` row; reads accept a
sqlite-utils database or a plain :mod:`sqlite3` connection.
See ``docs/governance.md``.
"""
