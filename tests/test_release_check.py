"""release_check.py on a temporary git repository: the version must say what changed since the last tag."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml

import release_check

# Run first under pytest-xdist (tests/conftest.py), with coverage paused (tests/untraced.py).
pytestmark = [pytest.mark.slow, pytest.mark.untraced]

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What release_check reads (src/, generated/, spec/, CHANGELOG.md), committed and tagged v0.1.0."""
    for name in release_check.SHIPPED:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "CHANGELOG.md", tmp_path / "CHANGELOG.md")
    set_version(tmp_path, "0.1.0")
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "release 0.1.0")
    git(tmp_path, "tag", "v0.1.0")
    return tmp_path


def set_version(repo: Path, version: str, *, changelog: bool = True) -> None:
    version_file = repo / release_check.VERSION_FILE
    version_file.write_text(re.sub(r'__version__ = "[^"]+"', f'__version__ = "{version}"', version_file.read_text()))
    text = (repo / "CHANGELOG.md").read_text()
    if changelog and f"## [{version}]" not in text:
        text = text.replace("\n## [", f"\n## [{version}] - unreleased\n\n### Changed\n\n- Something.\n\n## [", 1)
    (repo / "CHANGELOG.md").write_text(text)


def remove_response_field(repo: Path) -> None:
    spec_path = repo / "spec" / "openapi.yaml"
    spec = yaml.safe_load(spec_path.read_text())
    del spec["components"]["schemas"]["CraPartnerInsights"]["properties"]["client_report_id"]
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))


def run(repo: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = release_check.main(["--repo", str(repo)])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_unchanged_tree_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "nothing shipped changed")
    status, output = run(repo, capsys)
    assert status == 0, output
    assert "v0.1.0 -> HEAD" in output
    assert "release-check: passed" in output


def test_breaking_spec_change_needs_the_prescribed_bump(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    remove_response_field(repo)
    git(repo, "commit", "-qam", "drop client_report_id")
    status, output = run(repo, capsys)
    assert status == 1
    assert "spec: breaking response report.client_report_id: removed" in output
    assert "a breaking change since v0.1.0 needs version 0.2.0 or higher; the package says 0.1.0" in output

    set_version(repo, "0.1.1")  # a patch bump is not what the policy prescribes for a breaking change
    status, output = run(repo, capsys)
    assert status == 1, output

    set_version(repo, "0.2.0")
    status, output = run(repo, capsys)
    assert status == 0, output


def test_breaking_change_after_1_0_needs_a_major_bump(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_version(repo, "1.4.2")
    git(repo, "commit", "-qam", "1.4.2")
    git(repo, "tag", "v1.4.2")
    remove_response_field(repo)
    set_version(repo, "1.5.0")
    git(repo, "commit", "-qam", "drop client_report_id")
    status, output = run(repo, capsys)
    assert (status, "needs version 2.0.0 or higher" in output) == (1, True), output
    set_version(repo, "2.0.0")
    assert run(repo, capsys)[0] == 0


def test_removed_public_name_is_an_api_break(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init = repo / "src" / "plaid_partner_insights" / "__init__.py"
    init.write_text(init.read_text().replace("from ._deprecations import migrate_options\n", ""))
    status, output = run(repo, capsys)
    assert status == 1
    assert "api:" in output
    assert "migrate_options" in output


def test_non_breaking_change_needs_a_higher_version(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_path = repo / "spec" / "openapi.yaml"
    spec_path.write_text(spec_path.read_text().replace("        - CRA_PARTNER_INSIGHTS_ERROR\n", "", 2))
    status, output = run(repo, capsys)
    assert status == 1
    assert "changes to src/, generated/ or spec/ since v0.1.0 needs version 0.1.1 or higher" in output
    set_version(repo, "0.1.1")
    assert run(repo, capsys)[0] == 0


def test_changelog_must_have_the_current_version(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A patch after v0.1.0 that CHANGELOG.md has no section for (`upstream --apply` may have written 0.1.1's).
    changelog = (repo / "CHANGELOG.md").read_text()
    version = next(f"0.1.{n}" for n in itertools.count(1) if f"## [0.1.{n}]" not in changelog)
    set_version(repo, version, changelog=False)
    (repo / "generated" / "plaid_partner_insights_generated" / "py.typed").write_text("\n")
    status, output = run(repo, capsys)
    assert status == 1
    assert f"CHANGELOG.md has no `## [{version}]` section" in output


def test_no_tag_says_so_and_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "tag", "-d", "v0.1.0")
    remove_response_field(repo)
    status, output = run(repo, capsys)
    assert status == 0, output
    assert "no earlier v* tag" in output


def test_a_release_tag_must_name_the_package_version(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "next")
    git(repo, "tag", "v0.3.0")
    status, output = run(repo, capsys)
    assert status == 1
    assert "HEAD is tagged v0.3.0 but the package version is 0.1.0" in output


def test_release_notes_are_the_version_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert release_check.main(["--notes", "0.1.0"]) == 0
    notes = capsys.readouterr().out
    assert notes.startswith("First release.")
    assert "## [" not in notes
    assert release_check.main(["--notes", "9.9.9"]) == 1
    assert "no `## [9.9.9]` section" in capsys.readouterr().err


def test_tag_is_exported_without_tarfile_extraction_filters(
    repo: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Debian 12's Python 3.11.2 has neither `TarFile.extractall(filter=...)` nor `tarfile.data_filter` (3.11.4
    added them); `requires-python = ">=3.11"` promises it works there."""
    extractall = tarfile.TarFile.extractall

    def extractall_of_3_11_2(
        self: tarfile.TarFile, path: str | os.PathLike[str] = ".", members: Any = None, *, numeric_owner: bool = False
    ) -> None:
        extractall(self, path, members, numeric_owner=numeric_owner, filter="data")

    monkeypatch.setattr(tarfile.TarFile, "extractall", extractall_of_3_11_2)
    monkeypatch.delattr(tarfile, "data_filter", raising=False)
    (repo / "CHANGELOG.md").write_text("changed after the tag\n")
    into = tmp_path_factory.mktemp("exported")
    release_check.export_tree(repo, "v0.1.0", into)
    tagged = subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True).stdout.split()
    assert len(tagged) > 10
    assert sorted(str(path.relative_to(into)) for path in into.rglob("*") if path.is_file()) == sorted(tagged)
    assert (into / "CHANGELOG.md").read_text() == (ROOT / "CHANGELOG.md").read_text()
    assert (into / release_check.VERSION_FILE).read_text() == (repo / release_check.VERSION_FILE).read_text()
