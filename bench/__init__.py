"""Benchmarks (`make bench`). Results go to docs/benchmarks.md; never timed assertions in tests."""
