"""A pytest plugin (loaded by tests/conftest.py) that fails a run which did not run what it collected.

- Two collected items with one node id: pytest-xdist hands items to its workers by id, so only one of them ran
  while the run still passed. The collection fails, naming the ids.
- Fewer tests set up than were collected (with or without xdist): a run that otherwise passes fails, naming the
  items that never ran.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import pytest


def duplicate_node_ids(node_ids: Iterable[str]) -> list[str]:
    """Each node id that occurs more than once, sorted."""
    return sorted(node_id for node_id, count in Counter(node_ids).items() if count > 1)


def never_started(collected: Iterable[str], started: Counter[str]) -> list[str]:
    """The items collected more often than they were set up (one entry per missing run), sorted."""
    return sorted((Counter(collected) - started).elements())


def shared_ids_message(duplicates: list[str]) -> str:
    return (
        f"{len(duplicates)} node ids are each shared by more than one collected test, and pytest-xdist runs only "
        "one test of each id: " + ", ".join(duplicates)
    )


class SuiteGuard:
    """The hooks, with what they count; registered once per pytest process."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        # The controller counts: a worker of pytest-xdist only reports to it.
        self.counting = not hasattr(config, "workerinput")
        self.collected: list[str] = []
        self.collected_by_workers: list[str] | None = None
        self.started: Counter[str] = Counter()
        self.duplicates: list[str] = []

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        # A worker of pytest-xdist that stopped here would crash the run: the controller checks its ids instead.
        if self.counting and (duplicates := duplicate_node_ids(item.nodeid for item in items)):
            raise pytest.UsageError(shared_ids_message(duplicates))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.counting:
            self.collected = [item.nodeid for item in session.items]

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, ids: Sequence[str]) -> None:
        # Every worker collects the same ids (pytest-xdist checks that); the first worker's are the run's.
        if self.collected_by_workers is None:
            self.collected_by_workers = list(ids)
            self.duplicates = duplicate_node_ids(ids)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "setup":
            self.started[report.nodeid] += 1

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Before the terminal's summary, so that the reason is printed above the final line."""
        if not self.counting or self.config.option.collectonly:
            return
        if self.duplicates:
            self.fail(session, shared_ids_message(self.duplicates))
        if session.exitstatus != pytest.ExitCode.OK:
            return  # failed, stopped or interrupted already: not every test was meant to run
        collected = self.collected if self.collected_by_workers is None else self.collected_by_workers
        missing = never_started(collected, self.started)
        if missing:
            shown = ", ".join(missing[:20]) + (", ..." if len(missing) > 20 else "")
            self.fail(session, f"{len(missing)} collected tests never ran: {shown}")

    def fail(self, session: pytest.Session, reason: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write("\n")
            reporter.write_sep("!", reason, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SuiteGuard(config), "plaid-partner-insights-suite-guard")
