"""CHANGELOG.md: reading a version's section, and writing the one `codegen.py upstream --apply` adds."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._compare import Difference

_SECTION = r"^## \[{version}\][^\n]*\n"
_UNRELEASED = _SECTION.format(version="Unreleased")


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
    """CHANGELOG.md with `entry` at the top of `version`'s section, made below `## [Unreleased]` when missing.

    What `## [Unreleased]` held ships with this version, so it moves into the version's section, after the entry
    (a `###` heading both have becomes one); `## [Unreleased]` stays, empty, as Keep a Changelog has it.
    """
    text, pending = _take_unreleased(text)
    heading = re.search(_SECTION.format(version=re.escape(version)), text, re.MULTILINE)
    if heading is not None:
        end = re.search(r"^## ", text[heading.end() :], re.MULTILINE)
        stop = heading.end() + end.start() if end else len(text)
        body = _merge(text[heading.end() : stop], pending)
        gap = "\n" if stop < len(text) else ""  # a blank line before the next section
        return f"{text[: heading.end()]}\n{entry}{_joined(body)}{gap}{text[stop:]}"
    first = re.search(r"^## \[\d", text, re.MULTILINE)  # below `## [Unreleased]`, above the newest version
    position = first.start() if first else len(text)
    block = f"## [{version}] - {date}\n\n{entry}{_joined(_merge('', pending))}\n"
    if first is None and not text.endswith("\n\n"):
        block = ("\n" if text.endswith("\n") else "\n\n") + block
    return text[:position] + block + text[position:]


def _take_unreleased(text: str) -> tuple[str, str]:
    """`text` with the body of `## [Unreleased]` emptied, and that body (stripped; "" when none)."""
    heading = re.search(_UNRELEASED, text, re.MULTILINE)
    if heading is None:
        return text, ""
    end = re.search(r"^## ", text[heading.end() :], re.MULTILINE)
    stop = heading.end() + end.start() if end else len(text)
    body = text[heading.end() : stop].strip()
    if not body:
        return text, ""
    return f"{text[: heading.end()]}\n{text[stop:]}", body


def _subsections(body: str) -> tuple[str, list[tuple[str, str]]]:
    """A section's body as its text before the first `###` heading and its (heading, content) pairs."""
    parts = re.split(r"^(### [^\n]*)\n", body, flags=re.MULTILINE)
    return parts[0].strip(), [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts), 2)]


def _merge(existing: str, pending: str) -> str:
    """`pending` (what Unreleased held) put into a section's `existing` body: under a heading both have, its lines
    go first (they are newer); its other headings follow the section's own."""
    if not pending:
        return existing.strip()
    old_lead, old = _subsections(existing)
    new_lead, new = _subsections(pending)
    by_heading = dict(new)
    merged = [(title, "\n".join(p for p in (by_heading.pop(title, ""), content) if p)) for title, content in old]
    merged += [(title, content) for title, content in new if title in by_heading]
    blocks = [lead for lead in (new_lead, old_lead) if lead] + [f"{title}\n\n{content}" for title, content in merged]
    return "\n\n".join(blocks)


def _joined(body: str) -> str:
    return f"\n{body}\n" if body else ""
