"""Property tests that give the same result on every run and every machine.

- `derandomize`: each test's examples come from a seed derived from the test's own name, not from the clock.
- No example database: nothing found on one run (or one machine) is replayed on the next. A failure is reproduced
  by running the test again, and `print_blob` prints the `@reproduce_failure` line for it.
- No constants harvested from the source: Hypothesis mixes string and number literals of the local modules
  (such as the sandbox's `usr_sandbox_expired`) into what it generates, and which modules are loaded depends on
  which tests ran before. The hook has no public switch, so it is replaced by one that harvests nothing.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

PROFILE = "deterministic"


def load_profile() -> None:
    settings.register_profile(PROFILE, derandomize=True, database=None, print_blob=True)
    settings.load_profile(PROFILE)
    if not hasattr(providers, "_get_local_constants"):  # pragma: no cover - a Hypothesis without the harvesting
        return
    empty = Constants()
    providers._get_local_constants = lambda: empty


def describe() -> str:
    """One line for the pytest header."""
    current = settings.get_profile(PROFILE)
    return (
        f"hypothesis profile {PROFILE!r}: derandomize={current.derandomize}, database={current.database}, "
        f"source constants={'on' if providers._get_local_constants() else 'off'}"
    )
