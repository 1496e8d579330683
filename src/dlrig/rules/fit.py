"""fit rules (see docs/rules.md)."""
