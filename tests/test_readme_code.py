"""Every ```python block of README.md passes `mypy --strict` as written (each block is a file of its own)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    ("line", "code"), python_blocks(), ids=lambda value: f"line{value}" if isinstance(value, int) else ""
)
def test_readme_python_block_passes_mypy_strict(tmp_path: Path, line: int, code: str) -> None:
    block = tmp_path / f"readme_line_{line}.py"
    block.write_text(code)
    (tmp_path / "mypy.ini").write_text("[mypy]\npython_version = 3.11\n")  # --strict alone, not the project's config
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(tmp_path / "mypy.ini"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            str(block),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, f"README.md line {line}:\n{done.stdout}{done.stderr}"
