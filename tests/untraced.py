"""A pytest plugin (loaded by tests/conftest.py): tests of a file marked `untraced` run with coverage paused.

Coverage measures `src/` only, yet on Python 3.11 its tracer sees every Python call a test makes, wherever it lands.
The tests of the tools beside the package (codegen, specdiff, release_check) run millions of calls in ruamel.yaml,
griffe and the generators and none in `src/`: traced, their test time grew by about 70 s (about half of what coverage
added to the whole suite's), to measure nothing.

Only a test's call is paused, and only when no other thread is running: stopping coverage ends its tracing in every
running thread for good, so a server an earlier test left running (a session fixture's) would go unmeasured from then
on. With another thread alive the test is measured like any other. These files run first, before any fixture of
another file can start a server.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Generator

import pytest

MARKER = "untraced"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}: a file whose tests run nothing of src/ in their own process; coverage pauses while they run",
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The marked files first; otherwise the order stays as tests/conftest.py made it (the sort is stable).

    A worker of pytest-xdist (`--dist loadfile`) takes whole files in this order, so on each worker the marked
    files run before any other.
    """
    items.sort(key=lambda item: item.get_closest_marker(MARKER) is None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    # Imported by pytest-cov when it measures; not imported means nothing measures.
    coverage = sys.modules.get("coverage")
    if coverage is None or item.get_closest_marker(MARKER) is None or threading.active_count() > 1:
        return (yield)
    # Every running measurement, newest first: a worker of pytest-xdist holds two (pytest-cov starts one when it
    # loads and the worker's own at the session's start), and stopping one resumes the one it had paused.
    stopped = []
    while (running := coverage.Coverage.current()) is not None:
        running.stop()
        stopped.append(running)
    try:
        return (yield)
    finally:
        for measurement in reversed(stopped):
            measurement.start()
