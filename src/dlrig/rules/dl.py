"""dl rules (see docs/rules.md)."""
