"""The output formats every command offers (kept apart so the CLI starts without polars)."""

FORMATS = ("table", "csv", "json", "markdown")
