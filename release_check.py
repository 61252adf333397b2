"""Refuse a release whose version does not say what changed since the last one (`nox -s release-check`).

    python release_check.py [--repo DIR]

Compares HEAD's tree with the newest `v*` tag before it, as the README's version policy says:

- the spec (`spec/openapi.yaml`), with the same comparison as `codegen.py diff`: a breaking change;
- the public Python API of `plaid_partner_insights` and `plaid_partner_insights_generated`, with griffe:
  anything removed or changed incompatibly;
- the shipped files (`src/`, `generated/`, `spec/`): any change at all.

A breaking change needs a major bump (a minor one while the major version is 0); any other change to the
shipped files needs a higher version; CHANGELOG.md needs a section for the current version. With no earlier
tag it says so and checks only the changelog. `--notes VERSION` prints that version's changelog section
(the GitHub release's text). When HEAD itself carries a `v*` tag (a release build), the tag
must name the package version. Exit status 0 when the release may go ahead, 1 when not.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import griffe
from packaging.version import InvalidVersion, Version

import specdiff

ROOT = Path(__file__).resolve().parent
VERSION_FILE = Path("src/plaid_partner_insights/_version.py")
SPEC = Path("spec/openapi.yaml")
CHANGELOG = Path("CHANGELOG.md")
SHIPPED = ("src", "generated", "spec")
PACKAGES = ("plaid_partner_insights", "plaid_partner_insights_generated")
# griffe reports a module constant whose value changed (`__version__`, `SPEC_SHA256`) as a breakage; a new
# value behind the same name is data, not interface, so that kind alone is not counted.
IGNORED_BREAKAGES = {griffe.BreakageKind.ATTRIBUTE_CHANGED_VALUE}


class ReleaseCheckError(Exception):
    """The repository cannot be checked (not a git checkout, unreadable version); one line."""


@dataclass(frozen=True)
class Findings:
    """What changed between the baseline tag and HEAD's tree."""

    spec_differences: list[specdiff.Difference]
    api_breaking: list[str]
    shipped_changed: bool

    @property
    def spec_breaking(self) -> list[str]:
        return [difference.line for difference in self.spec_differences if difference.breaking]

    @property
    def breaking(self) -> bool:
        return bool(self.spec_breaking or self.api_breaking)


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ReleaseCheckError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def tag_version(tag: str) -> Version | None:
    try:
        return Version(tag.removeprefix("v"))
    except InvalidVersion:
        return None


def tags_on_head(repo: Path) -> list[str]:
    """The `v*` tags on HEAD, when the working tree is HEAD (uncommitted changes make it a newer tree)."""
    if git(repo, "status", "--porcelain", "--", *SHIPPED, str(CHANGELOG), str(VERSION_FILE)).strip():
        return []
    return git(repo, "tag", "--points-at", "HEAD", "--list", "v*").split()


def baseline_tag(repo: Path) -> str | None:
    """The newest `v*` tag reachable from HEAD that is not the tree being checked."""
    on_head = set(tags_on_head(repo))
    tags = [t for t in git(repo, "tag", "--merged", "HEAD", "--list", "v*").split() if t not in on_head]
    versioned = [(v, t) for t in tags if (v := tag_version(t)) is not None]
    return max(versioned)[1] if versioned else None


def package_version(text: str, where: str) -> Version:
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise ReleaseCheckError(f'{where}: no `__version__ = "..."` line')
    try:
        return Version(match.group(1))
    except InvalidVersion:
        raise ReleaseCheckError(f"{where}: {match.group(1)!r} is not a valid version") from None


def required_version(previous: Version, findings: Findings) -> Version | None:
    """The lowest version the policy allows after `previous`, or None when no bump is needed."""
    bump = specdiff.required_bump(
        findings.spec_differences, api_breaking=bool(findings.api_breaking), shipped_changed=findings.shipped_changed
    )
    return specdiff.next_version(previous, bump)


def export_tree(repo: Path, tag: str, into: Path) -> None:
    """The files of `tag`, written under `into`.

    git writes them itself, from a throwaway index: no archive to unpack, so nothing depends on `tarfile`'s
    extraction filters, which Python 3.11 gained only in 3.11.4 (Debian 12 ships 3.11.2).
    """
    with tempfile.TemporaryDirectory(prefix="release-check-index-") as index_dir:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(index_dir) / "index")}
        for command in (["read-tree", tag], ["checkout-index", "--all", f"--prefix={into.resolve()}{os.sep}"]):
            subprocess.run(["git", *command], cwd=repo, env=env, capture_output=True, check=True)


def api_breakages(old_root: Path, new_root: Path, packages: tuple[str, ...] = PACKAGES) -> Iterator[str]:
    for package in packages:
        old_search, new_search = [old_root / "src", old_root / "generated"], [new_root / "src", new_root / "generated"]
        old = griffe.load(package, search_paths=old_search, allow_inspection=False)
        new = griffe.load(package, search_paths=new_search, allow_inspection=False)
        for breakage in griffe.find_breaking_changes(old, new):
            if breakage.kind not in IGNORED_BREAKAGES:
                yield describe(breakage)


def describe(breakage: griffe.Breakage) -> str:
    """One plain line: the public path, what happened, and to which parameter when one is concerned."""
    parameter = getattr(breakage.old_value, "name", None) or getattr(breakage.new_value, "name", None)
    what = f"{breakage.kind.value} ({parameter})" if breakage.kind.name.startswith("PARAMETER") else breakage.kind.value
    return f"{breakage.obj.path}: {what}"


def compare(repo: Path, tag: str, old_root: Path) -> Findings:
    spec_differences = specdiff.compare_documents(specdiff.load(str(old_root / SPEC)), specdiff.load(str(repo / SPEC)))
    shipped_changed = bool(git(repo, "diff", "--name-only", tag, "--", *SHIPPED).strip()) or bool(
        git(repo, "ls-files", "--others", "--exclude-standard", "--", *SHIPPED).strip()
    )
    return Findings(
        spec_differences=spec_differences,
        api_breaking=list(api_breakages(old_root, repo)),
        shipped_changed=shipped_changed,
    )


def changelog_has(repo: Path, version: Version) -> bool:
    path = repo / CHANGELOG
    return specdiff.changelog_section(path.read_text() if path.exists() else "", str(version)) is not None


def check(repo: Path) -> list[str]:
    """Every reason the release may not go ahead (empty when it may), printing what it compared."""
    current = package_version((repo / VERSION_FILE).read_text(), str(VERSION_FILE))
    problems = []
    for release_tag in tags_on_head(repo):
        if tag_version(release_tag) != current:
            problems.append(f"HEAD is tagged {release_tag} but the package version is {current}")
    if not changelog_has(repo, current):
        problems.append(f"{CHANGELOG} has no `## [{current}]` section")
    tag = baseline_tag(repo)
    if tag is None:
        print(f"release-check: no earlier v* tag to compare with; version {current}")
        return problems
    previous = tag_version(tag)
    assert previous is not None
    with tempfile.TemporaryDirectory(prefix="release-check-") as tmp:
        export_tree(repo, tag, Path(tmp))
        findings = compare(repo, tag, Path(tmp))
    print(f"release-check: {tag} -> HEAD, version {previous} -> {current}")
    for line in findings.spec_breaking:
        print(f"  spec: {line}")
    for line in findings.api_breaking:
        print(f"  api: {line}")
    if not findings.breaking:
        print(f"  no breaking change; shipped files {'changed' if findings.shipped_changed else 'unchanged'}")
    if current < previous:
        problems.append(f"version {current} is lower than {tag}")
    needed = required_version(previous, findings)
    if needed is not None and current < needed:
        why = "a breaking change" if findings.breaking else "changes to src/, generated/ or spec/"
        problems.append(f"{why} since {tag} needs version {needed} or higher; the package says {current}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, default=ROOT, help="the checkout to check (default: this one)")
    parser.add_argument("--notes", metavar="VERSION", help="print CHANGELOG.md's section for VERSION and exit")
    args = parser.parse_args(argv)
    if args.notes:
        notes = specdiff.changelog_section((args.repo / CHANGELOG).read_text(), args.notes)
        if notes is None:
            print(f"release-check: {CHANGELOG} has no `## [{args.notes}]` section", file=sys.stderr)
            return 1
        print(notes)
        return 0
    try:
        problems = check(args.repo.resolve())
    except (ReleaseCheckError, specdiff.SpecReadError, OSError) as exc:
        print(f"release-check: error: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"release-check: FAIL: {problem}", file=sys.stderr)
    if not problems:
        print("release-check: passed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
