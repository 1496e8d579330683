"""dlrig: plan, check and measure a budget deep-learning machine."""

__version__ = "0.1.0"
