"""What a fresh interpreter has imported after running some code: for the tests that an import stays light."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable


def modules_loaded_by(code: str) -> set[str]:
    """The names in `sys.modules` of a new interpreter once it has run `code`."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    return set(done.stdout.split())


def within(modules: Iterable[str], packages: Iterable[str]) -> list[str]:
    """The `modules` that are one of `packages` or inside one of them, sorted."""
    names = tuple(packages)
    return sorted(m for m in modules if m in names or m.startswith(tuple(f"{name}." for name in names)))
