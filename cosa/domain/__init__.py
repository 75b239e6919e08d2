"""Domain functions: plain, importable, testable without the CLI. They take a `Store`."""
