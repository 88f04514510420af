"""Benchmarks (not tests): ``python -m bench [all|sync|fieldapp]`` prints figures
for the sync engine (bench/sync.py) and the field app in Chromium (bench/fieldapp.py).

README.md ("Benchmarks") says how to run them and what the targets are.
"""
