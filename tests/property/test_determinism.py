"""The property tests are deterministic: the same examples on every run and nothing replayed from earlier runs
(see tests/determinism.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st


def _draws() -> list[str]:
    drawn: list[str] = []

    @given(st.text(min_size=1))
    def collect(value: str) -> None:
        drawn.append(value)

    collect()
    return drawn


def test_the_profile_is_loaded() -> None:
    current = settings.default
    assert current is not None
    assert current.derandomize is True
    assert current.database is None
    assert current.print_blob is True


def test_two_runs_draw_the_same_examples() -> None:
    first, second = _draws(), _draws()
    assert len(first) > 50
    assert first == second
