"""Importers: each turns files users hand in into a Bundle for the store."""
