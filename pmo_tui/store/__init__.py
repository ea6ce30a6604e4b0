"""The embedded SQLite store (sqlite-utils): schema, migrations, reads as polars frames, writes."""
