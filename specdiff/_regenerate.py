"""`python codegen.py upstream --apply [SPEC]`: a new upstream release becomes a ready change of the checkout.

Everything is prepared in a temporary folder first: the edited spec (see `_apply`), the new upstream record,
the validated and regenerated `generated/` tree, the Redocly lint when Redocly is installed, the version the
policy requires and the changelog entry. Only when all of that succeeded are the files of the checkout
replaced, each by a rename; when anything fails, the checkout is left exactly as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

from ._apply import Applied, ApplyError, apply_upstream
from ._changelog import add_entry, upstream_entry
from ._extract import upstream_extract
from ._load import Document
from ._setup_copies import sync_setup_copies
from ._upstream import ended_deviations, read_record, recorded_text
from ._versioning import Bump, next_version, required_bump

GENERATED_PACKAGE = "plaid_partner_insights_generated"
_VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"', re.MULTILINE)


@dataclass(frozen=True)
class Checkout:
    """The files of a checkout that `--apply` reads and replaces."""

    root: Path

    @property
    def spec(self) -> Path:
        return self.root / "spec" / "openapi.yaml"

    @property
    def record(self) -> Path:
        return self.root / "spec" / "upstream.yaml"

    @property
    def setup(self) -> Path:
        return self.root / "spec" / "sandbox-setup.yaml"

    @property
    def extract(self) -> Path:
        return self.root / "spec" / "upstream-extract.yaml"

    @property
    def generated(self) -> Path:
        return self.root / "generated"

    @property
    def version_file(self) -> Path:
        return self.root / "src" / "plaid_partner_insights" / "_version.py"

    @property
    def changelog(self) -> Path:
        return self.root / "CHANGELOG.md"


@dataclass(frozen=True)
class Outcome:
    """What `--apply` changed."""

    applied: Applied
    previous_version: Version
    version: Version
    bump: Bump
    api_breakages: list[str]
    linted: bool
    setup_copies: list[str] = field(default_factory=list)  # spec/sandbox-setup.yaml's copies brought in step
    ended_deviations: list[str] = field(default_factory=list)  # dated deviations this release ended (removed)


def apply_release(
    checkout: Checkout,
    theirs: Document,
    *,
    regenerate: bool = True,
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> Outcome | None:
    """Bring the checkout in step with `theirs`; None when it already is (same version, same file hash).

    `regenerate=False` leaves `generated/` as it is (and with it the lint and the public API comparison): the
    replay of upstream's history uses it to regenerate at a few of its steps only, for time.
    """
    if not theirs.version:
        raise ApplyError(f"{theirs.source}: no `info.version`, so the release cannot be recorded")
    record = read_record(checkout.record)
    applied = apply_upstream(checkout.spec.read_text(), theirs, record, source="spec/openapi.yaml")
    if not applied.differences and theirs.version == record.version and theirs.sha256 == record.sha256:
        return None
    import codegen  # the generators; imported here so `diff` and the report never load them

    with tempfile.TemporaryDirectory(prefix="upstream-apply-") as folder:
        staged = Checkout(Path(folder))
        staged.spec.parent.mkdir(parents=True)
        staged.spec.write_text(applied.text)
        staged.record.write_text(recorded_text(checkout.record.read_text(), theirs.version, theirs.sha256))
        spec_content = codegen.read_yaml(applied.text)
        staged.extract.write_text(upstream_extract(theirs, spec_content))
        setup_text, setup_copies = sync_setup_copies(checkout.setup.read_text(), applied.text)
        staged.setup.write_text(setup_text)
        linted, api = False, []
        try:
            codegen.validate_spec(spec_content, staged.spec)
            if setup_copies:
                codegen.validate_spec(codegen.read_yaml(setup_text), staged.setup)
            if regenerate:
                linted = _lint([staged.spec, staged.setup], log)
                codegen.build(staged.generated, staged.spec, staged.record, staged.setup)
        except codegen.CodegenError as exc:
            raise ApplyError(f"the applied spec does not pass: {exc}") from None
        if regenerate:
            api = _api_breakages(checkout, staged)
        bump = required_bump(applied.differences, api_breaking=bool(api), shipped_changed=True)
        previous = _package_version(checkout.version_file)
        version = _version_after(checkout.root, previous, bump)
        staged.version_file.parent.mkdir(parents=True)
        staged.version_file.write_text(
            _VERSION_LINE.sub(f'__version__ = "{version}"', checkout.version_file.read_text())
        )
        entry = upstream_entry(theirs.version, record.version, applied.differences, api)
        staged.changelog.write_text(add_entry(checkout.changelog.read_text(), str(version), entry))
        _swap(staged, checkout, generated=regenerate)
    ended = ended_deviations(record, theirs.version)
    return Outcome(applied, previous, version, bump, api, linted, setup_copies, ended)


def _lint(specs: list[Path], log: Callable[[str], None]) -> bool:
    """Redocly's lint, with the project's redocly.yaml, when `npm ci` has installed it; False when it is not."""
    import codegen

    redocly = codegen.ROOT / "node_modules" / ".bin" / "redocly"
    if not redocly.exists() or shutil.which("node") is None:
        log("upstream --apply: Redocly is not installed here (npm ci), so the spec was validated but not linted")
        return False
    config = codegen.ROOT / "redocly.yaml"
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    command = [str(redocly), "lint", "--config", str(config), *map(str, specs)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise codegen.CodegenError(f"Redocly lint failed:\n{result.stdout}{result.stderr}")
    return True


def _api_breakages(checkout: Checkout, staged: Checkout) -> list[str]:
    """Public names of the generated package removed or changed incompatibly (griffe, as the release check)."""
    import release_check

    return list(release_check.api_breakages(checkout.root, staged.root, packages=(GENERATED_PACKAGE,)))


def _package_version(path: Path) -> Version:
    match = _VERSION_LINE.search(path.read_text())
    try:
        return Version(match.group(1) if match else "")
    except InvalidVersion:
        raise ApplyError(f'{path}: no valid `__version__ = "..."` line') from None


def _version_after(root: Path, current: Version, bump: Bump) -> Version:
    """The version after this change: bumped from the newest release (v* tag) when the current version is not
    released yet, else from the current version (which is then taken as released)."""
    released = _newest_tag_version(root)
    if released is not None and released < current:
        needed = next_version(released, bump)
        return max(current, needed) if needed is not None else current
    return next_version(current, bump) or current


def _newest_tag_version(root: Path) -> Version | None:
    try:
        result = subprocess.run(
            ["git", "tag", "--merged", "HEAD", "--list", "v*"], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    versions = []
    for tag in result.stdout.split() if result.returncode == 0 else ():
        try:
            versions.append(Version(tag.removeprefix("v")))
        except InvalidVersion:
            continue
    return max(versions, default=None)


def _swap(staged: Checkout, checkout: Checkout, *, generated: bool) -> None:
    """Replace the checkout's files by the staged ones: each is copied beside its target, then renamed over it."""
    replacements: list[tuple[Path, Path]] = []
    for name in ("spec", "setup", "record", "extract", "version_file", "changelog"):
        source, target = getattr(staged, name), getattr(checkout, name)
        sibling = target.with_name(f".{target.name}.upstream-apply")
        shutil.copyfile(source, sibling)
        replacements.append((sibling, target))
    if generated:
        fresh, old = checkout.root / ".generated.upstream-apply", checkout.root / ".generated.replaced"
        for leftover in (fresh, old):
            shutil.rmtree(leftover, ignore_errors=True)
        shutil.copytree(staged.generated, fresh)
        if checkout.generated.exists():
            checkout.generated.rename(old)
        fresh.rename(checkout.generated)
        shutil.rmtree(old, ignore_errors=True)
    for sibling, target in replacements:
        os.replace(sibling, target)


def describe(outcome: Outcome, theirs: Document, record_version: str) -> list[str]:
    """The lines `--apply` prints: what changed, what to rewrite, the version."""
    applied = outcome.applied
    lines = [f"upstream --apply: in step with {theirs.version} (was {record_version})"]
    lines += [f"  {difference.line}" for difference in sorted(applied.differences, key=lambda d: (not d.breaking, d))]
    # Each list the maintainer has to look at: its heading, then one indented line per entry (none when empty).
    for heading, entries in (
        ("new in the spec, with a placeholder description to rewrite:", applied.new_elements),
        ("schemas no operation uses any more (kept; remove when nothing needs them):", applied.unused_schemas),
        ("examples changed to fit the new schemas (review them):", applied.example_changes),
        ("deviations this release ended, removed from spec/upstream.yaml:", outcome.ended_deviations),
        (
            "spec/sandbox-setup.yaml's copies brought in step with spec/openapi.yaml:",
            [f"components.schemas.{name}" for name in outcome.setup_copies],
        ),
        ("the regenerated public API breaks:", outcome.api_breakages),
    ):
        if entries:
            lines.append(f"upstream --apply: {heading}")
            lines += [f"  {entry}" for entry in entries]
    lines.append(
        f"upstream --apply: version {outcome.previous_version} -> {outcome.version} "
        f"({outcome.bump.describe(outcome.previous_version)}); CHANGELOG.md has its section"
        + ("" if outcome.linted else "; Redocly lint not run")
    )
    return lines
