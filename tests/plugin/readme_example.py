"""The README's complete example test file for the pytest plugin, found in one place.

Both `tests/plugin` and nox's `build` session (which runs the example against the built wheel alone) read it from
here. Standard library only: noxfile.py loads this file by path, outside any test environment.
"""

from __future__ import annotations

import ast
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
# A user's test file for the fixture as a test double (journal, every wire fault, strictness); run beside the example.
DOUBLE_EXAMPLE = Path(__file__).resolve().parent / "user_project_double.py"
SECTION = "## Testing your code with pytest"


def readme_example(readme: Path = README) -> str:
    """The first ```python block of the README's pytest section, as a user would save it."""
    text = readme.read_text(encoding="utf-8")
    if SECTION not in text:
        raise LookupError(f"{readme.name} has no {SECTION!r} section")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    if "```python\n" not in section:
        raise LookupError(f"{readme.name}'s {SECTION!r} section has no ```python block")
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def example_test_names(source: str) -> list[str]:
    """The top-level test functions pytest collects from `source`, so a run can be checked to have run them all."""
    return [
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    ]
