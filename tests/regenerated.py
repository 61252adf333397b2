"""Running code against a package regenerated into a temporary folder, ahead of the installed one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PROBE = Path(__file__).resolve().parent / "spec_change_probe.py"


def env_with(generated: Path) -> dict[str, str]:
    """This environment with `generated` (a folder holding a regenerated package) first on PYTHONPATH."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(generated), os.environ.get("PYTHONPATH", "")])}


def run_probe(generated: Path, plan: dict[str, Any]) -> dict[str, Any]:
    """tests/spec_change_probe.py's answer to `plan`, run with the package regenerated into `generated`."""
    done = subprocess.run(
        [sys.executable, str(PROBE)],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        env=env_with(generated),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer
