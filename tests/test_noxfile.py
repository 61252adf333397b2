"""The noxfile's own helpers, run from the noxfile itself in a child interpreter (loading it sets nox options and
may point PYENV_VERSION at other Pythons, which the test process must not inherit)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Two sessions of the `tests` group, each with its own virtualenv under one envdir, enter `one_at_a_time` from two
# threads (as `nox --parallel` runs them side by side); the second may enter only once the first has left.
TAKING_TURNS = textwrap.dedent(
    """
    import json, runpy, sys, threading, time
    from pathlib import Path
    from types import SimpleNamespace

    noxfile = runpy.run_path("noxfile.py")
    envdir = Path(sys.argv[1])
    events, logged = [], []

    def session(name):
        return SimpleNamespace(virtualenv=SimpleNamespace(location=str(envdir / name)), log=logged.append)

    def run(name, hold):
        with noxfile["one_at_a_time"](session(name), "tests"):
            events.append(("enter", name))
            time.sleep(hold)
            events.append(("leave", name))

    first = threading.Thread(target=run, args=("tests-3-11", 1.0))
    first.start()
    while not events:
        time.sleep(0.01)
    second = threading.Thread(target=run, args=("tests-3-12", 0.0))
    second.start()
    first.join()
    second.join()
    print(json.dumps({"events": events, "logged": logged}))
    """
)


def test_the_whole_suites_of_two_pythons_take_turns(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", TAKING_TURNS, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert [tuple(event) for event in result["events"]] == [
        ("enter", "tests-3-11"),
        ("leave", "tests-3-11"),
        ("enter", "tests-3-12"),
        ("leave", "tests-3-12"),
    ]
    assert result["logged"] == ["waiting for another tests session to finish its run"]
