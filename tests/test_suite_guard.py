"""The suite's own plugins, with and without pytest-xdist's workers: tests/suite_guard.py fails a run that collected two
tests with one node id, or that left a collected test unrun; tests/untraced.py pauses coverage for an `untraced` test,
in its own thread only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.suite_guard import duplicate_node_ids

pytestmark = pytest.mark.slow  # subprocesses; see tests/conftest.py

ROOT = Path(__file__).resolve().parent.parent

# Two items named alike in one file: what schemathesis's items got from pytest 9.2.
TWINS = """
import pytest

class Twin(pytest.Item):
    def runtest(self):
        pass

class TwinFile(pytest.File):
    def collect(self):
        yield Twin.from_parent(self, name="twin")
        yield Twin.from_parent(self, name="twin")

def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".twins":
        return TwinFile.from_parent(parent, path=file_path)
"""

# A plugin that claims to have run a test it skipped over, without any report.
SWALLOWER = """
def pytest_runtest_protocol(item, nextitem):
    if item.name == "test_swallowed":
        return True
    return None
"""

TESTS = """
def test_runs():
    assert True

def test_swallowed():
    assert True
"""


PLUGINS = ["-p", "tests.suite_guard", "-p", "xdist", "-p", "no:cacheprovider"]


def run_pytest(
    folder: Path, *args: str, plugins: Sequence[str] = PLUGINS, autoload: bool = False
) -> subprocess.CompletedProcess[str]:
    """pytest in `folder` with no settings but `args`, and only `plugins` unless `autoload` loads the installed ones
    too (by default only the guard and pytest-xdist: the suite's other plugins would only slow each start-up)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(folder)])}
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # Nothing of this run's own measurement: `nox -s tests` points COVERAGE_FILE at its data, which a child's
    # coverage would write into.
    for name in ("PYTEST_ADDOPTS", "COVERAGE_PROCESS_START", "COVERAGE_FILE"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, "--rootdir", str(folder), "-c", os.devnull, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("workers", ["0", "2"])
def test_two_tests_with_one_id_fail_the_run(tmp_path: Path, workers: str) -> None:
    (tmp_path / "conftest.py").write_text(TWINS)
    (tmp_path / "pair.twins").write_text("")
    result = run_pytest(tmp_path, "-n", workers)
    assert result.returncode != 0, result.stdout
    assert "pair.twins::twin" in result.stdout + result.stderr
    assert "shared by more than one collected test" in result.stdout + result.stderr


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_collected_test_that_never_ran_fails_the_run(tmp_path: Path, workers: str) -> None:
    (tmp_path / "conftest.py").write_text(SWALLOWER)
    (tmp_path / "test_pair.py").write_text(TESTS)
    result = run_pytest(tmp_path, "-n", workers)
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout + result.stderr
    assert "1 collected tests never ran: test_pair.py::test_swallowed" in result.stdout


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_run_of_every_collected_test_passes(tmp_path: Path, workers: str) -> None:
    (tmp_path / "test_pair.py").write_text(TESTS)
    result = run_pytest(tmp_path, "-n", workers)
    assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_duplicates_are_named_once_each() -> None:
    assert duplicate_node_ids(["a::x", "a::y", "a::x", "b::z", "a::x", "b::z"]) == ["a::x", "b::z"]
    assert duplicate_node_ids(["a::x", "a::y"]) == []


def test_the_quick_loop_keeps_the_fault_tests() -> None:
    """`-m "not slow"` (CONTRIBUTING's quick loop) must still run the retry, timeout and size tests."""
    from tests.client import test_faults, test_hostile

    for module in (test_faults, test_hostile):
        marks = module.pytestmark if isinstance(module.pytestmark, list) else [module.pytestmark]
        names = [mark.name for mark in marks]
        assert "long_running" in names, module.__name__
        assert "slow" not in names, module.__name__


MEASURED = """
def called_by_an_untraced_test():
    return "untraced"


def called_by_a_traced_test():
    return "traced"


def called_by_a_thread_running_beside_an_untraced_test():
    return "beside"


def called_by_a_thread_an_untraced_test_started():
    return "started"


def called_while_importing_an_untraced_module():
    return "imported"


def called_while_collecting_in_an_untraced_module():
    return [1, 2]


def called_while_collecting_in_a_traced_module():
    return [3, 4]
"""

# Items built while collecting, by calling into their module, as schemathesis builds its cases.
BUILT_AT_COLLECTION = """
import pytest


class Case(pytest.Item):
    def runtest(self):
        pass


class Cases(pytest.Collector):
    def collect(self):
        return [Case.from_parent(self, name=f"case{n}") for n in getattr(self.parent.obj, self.name)()]


def pytest_pycollect_makeitem(collector, name, obj):
    return Cases.from_parent(collector, name=name) if name.startswith("cases_") else None
"""

UNTRACED_MODULE = """
import pytest

import measured

pytestmark = pytest.mark.untraced
IMPORTED = measured.called_while_importing_an_untraced_module()


def cases_built_in_an_untraced_module():
    return measured.called_while_collecting_in_an_untraced_module()
"""

TRACED_MODULE = """
import measured


def cases_built_in_a_traced_module():
    return measured.called_while_collecting_in_a_traced_module()
"""

UNTRACED_TESTS = """
import sys
import threading

import pytest

import measured


@pytest.fixture
def server_thread():
    # Like a session's sandbox server: started before the test, serving while it runs.
    asked, answered, results = threading.Event(), threading.Event(), []

    def serve():
        asked.wait()
        results.append(measured.called_by_a_thread_running_beside_an_untraced_test())
        answered.set()

    thread = threading.Thread(target=serve)
    thread.start()
    yield asked, answered, results
    asked.set()  # a test that failed before asking still lets the thread end
    thread.join()


@pytest.mark.untraced
def test_untraced():
    assert sys.gettrace() is None
    assert measured.called_by_an_untraced_test() == "untraced"


def test_traced():
    assert sys.gettrace() is not None
    assert measured.called_by_a_traced_test() == "traced"


@pytest.mark.untraced
def test_untraced_beside_a_server_thread(server_thread):
    asked, answered, results = server_thread
    assert sys.gettrace() is None
    asked.set()
    assert answered.wait(10)
    assert results == ["beside"]


@pytest.mark.untraced
def test_untraced_starting_a_thread():
    results = []
    thread = threading.Thread(target=lambda: results.append(measured.called_by_a_thread_an_untraced_test_started()))
    thread.start()
    thread.join()
    assert results == ["started"]
    assert sys.gettrace() is None
"""


# One pytest-xdist worker is enough: a worker is where pytest-cov runs two measurements, one paused under the other.
# The canary of coverage.py's internals the plugin uses (the bound on coverage in pyproject.toml says why).
@pytest.mark.parametrize("workers", ["0", "1"])
def test_an_untraced_test_pauses_its_own_thread_only(tmp_path: Path, workers: str) -> None:
    (tmp_path / "measured.py").write_text(MEASURED)
    (tmp_path / "test_pair.py").write_text(UNTRACED_TESTS)
    (tmp_path / "conftest.py").write_text(BUILT_AT_COLLECTION)
    (tmp_path / "test_untraced_module.py").write_text(UNTRACED_MODULE)
    (tmp_path / "test_traced_module.py").write_text(TRACED_MODULE)
    report = tmp_path / "coverage.json"
    # The installed plugins load as they do in the suite: pytest-cov starts differently when it loads by itself.
    result = run_pytest(
        tmp_path,
        *("-n", workers, f"--cov={tmp_path}", "--cov-branch", f"--cov-report=json:{report}"),
        *("test_pair.py", "test_untraced_module.py", "test_traced_module.py"),
        plugins=["-p", "tests.untraced", "-p", "no:cacheprovider"],
        autoload=True,
    )
    assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr
    assert "8 passed" in result.stdout
    measured = json.loads(report.read_text())["files"]["measured.py"]
    returns = {line.strip(): number for number, line in enumerate(MEASURED.splitlines(), start=1) if "return" in line}
    assert len(returns) == 7, returns
    assert returns['return "untraced"'] in measured["missing_lines"]
    assert returns['return "traced"'] in measured["executed_lines"]
    # The other threads stay measured, whether they ran before the untraced test or were started by it.
    assert returns['return "beside"'] in measured["executed_lines"]
    assert returns['return "started"'] in measured["executed_lines"]
    # Collection: what is built inside an untraced module is paused; importing it, and any other module, is not.
    assert returns['return "imported"'] in measured["executed_lines"]
    assert returns["return [1, 2]"] in measured["missing_lines"]
    assert returns["return [3, 4]"] in measured["executed_lines"]
