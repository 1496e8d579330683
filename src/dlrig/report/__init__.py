"""Rendering of library results: rich tables, markdown, JSON, CSV, plots."""
