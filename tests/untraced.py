"""A pytest plugin (loaded by tests/conftest.py): a test marked `untraced` runs with coverage paused in its own thread.

Coverage measures `src/` only, yet on Python 3.11 its tracer sees every Python call a test makes, wherever it lands.
The tests of the tools beside the package (codegen, specdiff, release_check) run millions of calls in ruamel.yaml,
griffe and the generators and none in `src/`; the property tests spend their own thread in Hypothesis and
schemathesis, while what they drive in `src/` (the sandbox) runs in a server thread. Traced, their time roughly
doubled, to measure nothing.

Only the test's call, and only its own thread, is paused: every other thread, running before or started by the test
(a sandbox server, an ASGI portal), stays measured. What collectors inside an untraced module build is paused too
(schemathesis generates its coverage-phase cases while collecting, in every pytest-xdist worker); the module's own
collection, which imports it and with it whatever of `src/` it imports, stays measured. The pause stops and restarts
the thread's tracer (coverage's `CTracer.stop`/`start`, which act on the calling thread only), an internal of
coverage.py: pyproject.toml bounds coverage below 8, and tests/test_suite_guard.py checks the behaviour against the
installed coverage. Where the thread has no such tracer (no measurement, or coverage's `sysmon` core), the test runs
as it is.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Generator, Iterator
from typing import Any

import pytest

MARKER = "untraced"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}: tests whose own thread runs nothing of src/; coverage pauses in that thread while they run",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    with _paused_for(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    if isinstance(collector, pytest.Module) or collector.getparent(pytest.Module) is None:
        return (yield)
    with _paused_for(collector):
        return (yield)


@contextlib.contextmanager
def _paused_for(node: pytest.Item | pytest.Collector) -> Iterator[None]:
    """The calling thread's tracer paused while the block runs, if `node` is marked and the thread has one."""
    tracer: Any = sys.gettrace()
    if node.get_closest_marker(MARKER) is None or not (hasattr(tracer, "stop") and hasattr(tracer, "start")):
        yield
        return
    tracer.stop()
    try:
        yield
    finally:
        tracer.start()
