"""The Textual application: screens render and dispatch; the domain core does the work."""
