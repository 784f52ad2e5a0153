"""Benchmarks: run as separate commands (python -m bench.foundation), never in the test suite."""
