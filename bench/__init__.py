"""Benchmarks (not tests): ``python -m bench`` prints figures for the sync engine.

See bench/sync.py for what is measured and README.md ("Benchmarks") for how to run it.
"""
