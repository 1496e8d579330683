"""memory rules (see docs/rules.md)."""
