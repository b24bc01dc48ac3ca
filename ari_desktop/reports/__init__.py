"""Exports and endpoint tables for analysis (pandas). Imported only by the commands that need it."""
