"""Benchmarks, each measured next to baselines in the same run (`make bench`)."""
