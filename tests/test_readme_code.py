"""Every ```python block of README.md passes `mypy --strict` as written (each block is a file of its own)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # see tests/conftest.py: runs first under pytest-xdist

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def python_blocks() -> list[tuple[int, str]]:
    """(line number, code) of each ```python block."""
    text = README.read_text()
    return [
        (text.count("\n", 0, match.start()) + 2, match.group(1))
        for match in re.finditer(r"^```python\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)
    ]


def test_readme_has_python_blocks() -> None:
    assert python_blocks(), "README.md has no ```python block: this test would check nothing"


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One `mypy --strict` run over every block, each written to a file of its own: one start-up and one analysis
    of the library for all of them."""
    directory = tmp_path_factory.mktemp("readme")
    (directory / "mypy.ini").write_text("[mypy]\npython_version = 3.11\n")  # --strict alone, not the project's config
    blocks = []
    for line, code in python_blocks():
        block = directory / block_name(line)
        block.write_text(code)
        blocks.append(str(block))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(directory / "mypy.ini"),
            "--cache-dir",
            str(directory / "cache"),
            "--no-error-summary",
            *blocks,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode in (0, 1), f"mypy did not run:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def block_name(line: int) -> str:
    return f"readme_line_{line}.py"


@pytest.mark.parametrize(
    ("line", "code"), python_blocks(), ids=lambda value: f"line{value}" if isinstance(value, int) else ""
)
def test_readme_python_block_passes_mypy_strict(mypy_report: str, line: int, code: str) -> None:
    assert code.strip()
    mine = [report for report in mypy_report.splitlines() if block_name(line) in report]
    assert not mine, f"README.md line {line}:\n" + "\n".join(mine)
