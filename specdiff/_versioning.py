"""The README's versioning policy, in one place: which bump a change needs, and the lowest version it allows.

`release_check.py` applies it to everything since the last tag; `codegen.py upstream --apply` to one upstream
release (the differ's report plus the public API of the regenerated code).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from packaging.version import Version

from ._compare import Difference


class Bump(IntEnum):
    """How far the version must move; larger is further."""

    NONE = 0
    PATCH = 1  # anything that ships changed
    BREAKING = 2  # the major version, or the minor one while the major is 0

    def describe(self, previous: Version) -> str:
        if self is Bump.BREAKING:
            return "minor (breaking, major version 0)" if previous.major == 0 else "major (breaking)"
        return self.name.lower()


def required_bump(
    spec_differences: Iterable[Difference] = (), *, api_breaking: bool = False, shipped_changed: bool = False
) -> Bump:
    """The bump the policy asks for: breaking when a spec difference is classed breaking or the public API broke;
    patch when anything shipped changed (a spec difference always does)."""
    differences = list(spec_differences)
    if api_breaking or any(difference.breaking for difference in differences):
        return Bump.BREAKING
    if shipped_changed or differences:
        return Bump.PATCH
    return Bump.NONE


def next_version(previous: Version, bump: Bump) -> Version | None:
    """The lowest version the policy allows after `previous`, or None when no bump is needed."""
    if bump is Bump.BREAKING:
        return Version(f"0.{previous.minor + 1}.0") if previous.major == 0 else Version(f"{previous.major + 1}.0.0")
    if bump is Bump.PATCH:
        return Version(f"{previous.major}.{previous.minor}.{previous.micro + 1}")
    return None
