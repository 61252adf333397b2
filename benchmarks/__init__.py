"""Benchmarks: our client against raw httpx and plaid-python, side by side in one run (issue 5).

`python -m benchmarks` (or `nox -s bench`) starts one loopback uvicorn server that serves a fixed, rich
Partner Insights report, measures every contender against it, prints one table of ratios with the goals and
writes the figures to `benchmarks/results/latest.json`.
"""
