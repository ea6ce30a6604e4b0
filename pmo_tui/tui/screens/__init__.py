"""One screen per area, each with its own .tcss."""
