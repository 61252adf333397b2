"""Property tests that give the same result on every run and every machine.

- `derandomize`: each test's examples come from a seed derived from the test's own name, not from the clock.
- No example database: nothing found on one run (or one machine) is replayed on the next. A failure is reproduced
  by running the test again, and `print_blob` prints the `@reproduce_failure` line for it.

Hypothesis also mixes string and number literals of the loaded modules (such as the emulator's
`usr_sandbox_expired`) into what it generates. That is left alone (it has no public switch): the schemathesis
oracle treats the emulator's special users as ordinary ones (`tests/property/test_schemathesis_sandbox.py`).
"""

from __future__ import annotations

from hypothesis import settings

PROFILE = "deterministic"


def load_profile() -> None:
    settings.register_profile(PROFILE, derandomize=True, database=None, print_blob=True)
    settings.load_profile(PROFILE)


def describe() -> str:
    """One line for the pytest header."""
    current = settings.get_profile(PROFILE)
    return f"hypothesis profile {PROFILE!r}: derandomize={current.derandomize}, database={current.database}"
