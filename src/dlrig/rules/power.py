"""power rules (see docs/rules.md)."""
