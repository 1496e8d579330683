"""Tests over a database imported from the shared open-db archive and a PCPartPicker snapshot.

The ``imported_db`` fixture lives in tests/conftest.py (the web's browser tests use it too).
"""
