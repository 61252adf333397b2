"""tests/untraced.py pauses coverage for the tests of an `untraced` file, and only when no other thread runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # subprocesses; see tests/conftest.py

ROOT = Path(__file__).resolve().parent.parent

MEASURED = """
def called_by_an_untraced_test():
    return "untraced"


def called_by_a_traced_test():
    return "traced"


def called_by_an_untraced_test_beside_a_thread():
    return "beside a thread"
"""

TESTS = """
import sys
import threading

import pytest

import measured


@pytest.fixture
def another_thread():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    yield
    stop.set()
    thread.join()


@pytest.mark.untraced
def test_untraced():
    assert sys.gettrace() is None
    assert measured.called_by_an_untraced_test() == "untraced"


def test_traced():
    assert sys.gettrace() is not None
    assert measured.called_by_a_traced_test() == "traced"


@pytest.mark.untraced
def test_untraced_beside_a_thread(another_thread):
    assert sys.gettrace() is not None
    assert measured.called_by_an_untraced_test_beside_a_thread() == "beside a thread"
"""


# One pytest-xdist worker is enough: a worker is where pytest-cov runs two measurements, one paused under the other.
@pytest.mark.parametrize("workers", ["0", "1"])
def test_an_untraced_test_is_not_measured_unless_another_thread_runs(tmp_path: Path, workers: str) -> None:
    (tmp_path / "measured.py").write_text(MEASURED)
    (tmp_path / "test_pair.py").write_text(TESTS)
    report = tmp_path / "coverage.json"
    # The installed plugins load as they do in the suite: pytest-cov starts differently when it loads by itself.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])}
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("COVERAGE_PROCESS_START", None)
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "tests.untraced"),
            *("-p", "no:cacheprovider", "--rootdir", str(tmp_path), "-c", os.devnull, "-n", workers),
            *(f"--cov={tmp_path}", "--cov-branch", f"--cov-report=json:{report}", "test_pair.py"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    measured = json.loads(report.read_text())["files"]["measured.py"]
    returns = {line.strip(): number for number, line in enumerate(MEASURED.splitlines(), start=1) if "return" in line}
    assert len(returns) == 3, returns
    assert returns['return "untraced"'] in measured["missing_lines"]
    assert returns['return "traced"'] in measured["executed_lines"]
    # Pausing would have stopped measuring the other thread for good, so this one was measured.
    assert returns['return "beside a thread"'] in measured["executed_lines"]
