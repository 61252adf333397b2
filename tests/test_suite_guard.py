"""tests/suite_guard.py fails a run that collected two tests with one node id, or that left a collected test unrun,
with and without pytest-xdist's workers."""

from __future__ import annotations

import os
import subprocess
import sys
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


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Only the guard and pytest-xdist: the suite's other plugins would only slow each start-up.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", *PLUGINS, "--rootdir", str(folder), "-c", os.devnull, *args],
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
