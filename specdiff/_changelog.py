"""CHANGELOG.md: reading a version's section, and writing the one `codegen.py upstream --apply` adds."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._compare import Difference

_SECTION = r"^## \[{version}\][^\n]*\n"


def changelog_section(text: str, version: str) -> str | None:
    """The body of CHANGELOG.md's `## [version]` section, or None when it has none."""
    pattern = _SECTION.format(version=re.escape(version)) + r"(.*?)(?=^## |\Z)"
    match = re.search(pattern, text, re.MULTILINE | re.DOTALL)
    return match.group(1).strip() if match else None


def upstream_entry(
    release: str, previous_release: str, differences: Sequence[Difference], api_breakages: Sequence[str] = ()
) -> str:
    """A `###` block naming the upstream release and every difference, breaking ones first."""
    lines = [f"### Plaid's spec {release}", ""]
    if release == previous_release:
        lines += [f"In step with Plaid's spec `{release}` again (its file changed under the same version)."]
    else:
        lines += [f"In step with Plaid's spec `{release}` (was `{previous_release}`)."]
    ordered = sorted(differences, key=lambda d: (not d.breaking, d))
    if ordered:
        lines += ["", "What the spec now says differently, breaking changes first:", ""]
        lines += [f"- {'**Breaking:** ' if d.breaking else ''}{d.section} `{d.path}`: {d.detail}" for d in ordered]
    else:
        lines += ["", "No difference for this client."]
    if api_breakages:
        lines += [
            "",
            f"**Breaking:** the regenerated code's public API lost or changed {len(api_breakages)} name(s), such as "
            f"`{api_breakages[0].split(':')[0]}`.",
        ]
    return "\n".join(lines) + "\n"


def add_entry(text: str, version: str, entry: str, *, date: str = "unreleased") -> str:
    """CHANGELOG.md with `entry` at the top of `version`'s section, made above the newest version's when missing."""
    heading = re.search(_SECTION.format(version=re.escape(version)), text, re.MULTILINE)
    if heading is not None:
        return f"{text[: heading.end()]}\n{entry}{text[heading.end() :]}"
    first = re.search(r"^## \[\d", text, re.MULTILINE)  # below `## [Unreleased]`, above the newest version
    position = first.start() if first else len(text)
    block = f"## [{version}] - {date}\n\n{entry}\n"
    if first is None and not text.endswith("\n\n"):
        block = ("\n" if text.endswith("\n") else "\n\n") + block
    return text[:position] + block + text[position:]
