"""Plaid's history replayed through `codegen.py upstream --apply`, with no hand edit between steps.

A copy of the checkout's spec, record, generated code, version and changelog starts from today's spec; each
extract of fixtures/plaid-upstream/ is applied in the order Plaid published it (the date on its first line),
then fixtures/reconstructed_1.778.0.yaml brings it back to today's release. After every step the upstream
report is empty, the applied differences are the differ's own report, and the version moved by exactly the
bump the differ's classification (and, where regenerated, the public API) calls for.

Regenerations are shared, for the suite's time budget: each costs seconds of generator processes, so the
code is regenerated, and the regenerated client run against the local sandbox built from that spec, at the
steps in REGENERATED only; the steps between validate the spec and leave `generated/` to the next
regeneration, whose public API comparison then spans them.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from specdiff import Bump, compare_documents, load, next_version, read_record
from specdiff._regenerate import Checkout, apply_release
from tests.regenerated import run_probe

# Run first under pytest-xdist (tests/conftest.py), with coverage paused (tests/untraced.py).
pytestmark = [pytest.mark.slow, pytest.mark.untraced]

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = FIXTURES / "reconstructed_1.778.0.yaml"
# The first step (a large step back: 1.525.1 lacks most of today's fields), the one that makes `report.prism`
# nullable and adds UltraFICO inputs, and the return to today's release.
REGENERATED = {"2020-09-14_1.525.1", "2020-09-14_1.688.0", "2020-09-14_1.778.0"}
READ = ["request_id", "report.report_id", "report.prism.status", "report.items[0].accounts[0].name"]


def release_order() -> list[Path]:
    dated = []
    for path in (FIXTURES / "plaid-upstream").glob("2020-09-14_*.yaml"):
        match = re.search(r"\((\d{4}-\d{2}-\d{2})\)", path.read_text().splitlines()[0])
        assert match is not None, f"{path.name}: no publication date on its first line"
        dated.append((match.group(1), path))
    return [path for _, path in sorted(dated)]


def copy_checkout(into: Path) -> Checkout:
    checkout = Checkout(into)
    for name in ("spec", "setup", "record", "version_file", "changelog"):
        target = getattr(checkout, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(getattr(Checkout(ROOT), name), target)
    shutil.copytree(ROOT / "generated", checkout.generated, ignore=shutil.ignore_patterns("__pycache__"))
    return checkout


def probe(checkout: Checkout) -> dict[str, Any]:
    """The regenerated client against the local sandbox of the regenerated package (tests/spec_change_probe.py)."""
    plan = {"calls": [{"request": {"user_token": "usr_sandbox_demo"}, "paths": READ}], "cli": []}
    return run_probe(checkout.generated, plan)


def test_replaying_plaids_history_leaves_the_report_empty_at_every_step(tmp_path: Path) -> None:
    started = time.monotonic()
    checkout = copy_checkout(tmp_path / "checkout")
    entries_before = re.findall(r"^### Plaid's spec (\S+)$", checkout.changelog.read_text(), re.MULTILINE)
    versions_before = re.findall(r"^## \[(\d[^\]]*)\]", checkout.changelog.read_text(), re.MULTILINE)
    steps = [*release_order(), TODAY]
    assert len(steps) == 19
    applied_releases = []
    for path in steps:
        theirs = load(str(path))
        record = read_record(checkout.record)
        report = record.unexplained(compare_documents(load(str(checkout.spec)), theirs), theirs.version)
        regenerate = theirs.version in REGENERATED
        outcome = apply_release(checkout, theirs, regenerate=regenerate, log=lambda _: None)
        assert outcome is not None, theirs.version
        step = f"{record.version} -> {theirs.version}"
        # The differences applied are the differ's report, and afterwards it has nothing left to say.
        assert [d.line for d in outcome.applied.differences] == [d.line for d in report], step
        assert record.unexplained(compare_documents(load(str(checkout.spec)), theirs), theirs.version) == [], step
        # The extract kept beside the spec is that release, and reads the same to the comparison.
        extract = load(str(checkout.extract))
        assert extract.version == theirs.version, step
        assert compare_documents(extract, theirs) == [], step
        assert (read_record(checkout.record).version, read_record(checkout.record).sha256) == (
            theirs.version,
            theirs.sha256,
        )
        # The version moved by what the classification calls for: breaking if a line is, else a patch.
        breaking = any(line.line.startswith("breaking ") for line in report) or bool(outcome.api_breakages)
        expected = Bump.BREAKING if breaking else Bump.PATCH
        assert outcome.bump is expected, step
        assert outcome.version == next_version(outcome.previous_version, expected), step
        assert f'__version__ = "{outcome.version}"' in checkout.version_file.read_text()
        applied_releases.append(theirs.version)
        if regenerate:
            init = (checkout.generated / "plaid_partner_insights_generated" / "__init__.py").read_text()
            assert f'SPEC_UPSTREAM_VERSION = "{theirs.version}"' in init
            answer = probe(checkout)
            assert answer["generated_from"].startswith(str(checkout.generated)), step
            (call,) = answer["calls"]
            assert call["status"] == 200, (step, call["body"])
            attributes = call["typed"]["attributes"]
            assert attributes["request_id"]["type"] == "str", step  # each call gets its own
            assert {path: attributes[path]["value"] for path in READ[1:]} == {
                "report.report_id": call["body"]["report"]["report_id"],
                "report.prism.status": call["body"]["report"]["prism"]["status"],
                "report.items[0].accounts[0].name": call["body"]["report"]["items"][0]["accounts"][0]["name"],
            }, step
    # Every step has its changelog entry, newest on top, under versions that only went up.
    changelog = checkout.changelog.read_text()
    entries = re.findall(r"^### Plaid's spec (\S+)$", changelog, re.MULTILINE)
    assert entries == applied_releases[::-1] + entries_before
    versions = [Version(v) for v in re.findall(r"^## \[(\d[^\]]*)\]", changelog, re.MULTILINE)]
    assert versions == sorted(versions, reverse=True)
    assert len(set(versions)) == len(versions) == len(steps) + len(versions_before)
    print(f"replay of {len(steps)} releases, {len(REGENERATED)} regenerated: {time.monotonic() - started:.1f} s")
