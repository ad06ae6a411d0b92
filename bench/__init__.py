"""Benchmark scripts and the synthetic corpus they share (not part of the installed package)."""
