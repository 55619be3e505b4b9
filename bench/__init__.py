"""The benchmark harness (`make bench`, docs/benchmarks.md) and its data generator."""
