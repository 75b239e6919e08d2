"""cosa: offline, encrypted case management for Circles of Support and Accountability."""

__version__ = "0.1.0"
