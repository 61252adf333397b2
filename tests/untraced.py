"""A pytest plugin (loaded by tests/conftest.py): a test marked `untraced` runs with coverage paused in its own thread.

Coverage measures `src/` only, yet on Python 3.11 its tracer sees every Python call a test makes, wherever it lands.
The tests of the tools beside the package (codegen, specdiff, release_check) run millions of calls in ruamel.yaml,
griffe and the generators and none in `src/`; the property tests spend their own thread in Hypothesis and
schemathesis, while what they drive in `src/` (the sandbox) runs in a server thread. Traced, their time roughly
doubled, to measure nothing.

Only the test's call, and only its own thread, is paused: every other thread, running before or started by the test
(a sandbox server, an ASGI portal), stays measured. The pause stops and restarts the thread's tracer (coverage's
`CTracer.stop`/`start`, which act on the calling thread only), an internal of coverage.py: pyproject.toml bounds
coverage below 8, and tests/test_suite_guard.py checks the behaviour against the installed coverage. Where the
thread has no such tracer (no measurement, or coverage's `sysmon` core), the test runs as it is.
"""

from __future__ import annotations

import sys
from collections.abc import Generator
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
    tracer: Any = sys.gettrace()
    if item.get_closest_marker(MARKER) is None or not (hasattr(tracer, "stop") and hasattr(tracer, "start")):
        return (yield)
    tracer.stop()
    try:
        return (yield)
    finally:
        tracer.start()
