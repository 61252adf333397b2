"""codegen.py: the committed generated/ tree is exactly what the spec produces, and drift is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATED_PACKAGE = "generated/plaid_partner_insights_generated"


def run_codegen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "codegen.py", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of what codegen reads and writes, so tests can break it without touching the repo."""
    for name in ("codegen.py", "spec", "generator-config", "generated"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    return tmp_path


def test_check_passes_on_the_committed_tree() -> None:
    result = run_codegen(ROOT, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_check_fails_after_a_hand_edit_with_a_readable_diff(checkout: Path) -> None:
    edited = checkout / GENERATED_PACKAGE / "client" / "models" / "prism_cash_score.py"
    edited.write_text(edited.read_text().replace("def to_dict", "def to_dict_edited"))
    result = run_codegen(checkout, "--check")
    assert result.returncode == 1
    assert "prism_cash_score.py" in result.stdout
    assert "-    def to_dict_edited" in result.stdout


def test_check_fails_on_extra_and_missing_files(checkout: Path) -> None:
    (checkout / GENERATED_PACKAGE / "client" / "models" / "extra.py").write_text("x = 1\n")
    (checkout / GENERATED_PACKAGE / "typed_dicts.py").unlink()
    result = run_codegen(checkout, "--check")
    assert result.returncode == 1
    assert "not produced by the spec" in result.stdout
    assert "extra.py" in result.stdout
    assert "missing from generated/: plaid_partner_insights_generated/typed_dicts.py" in result.stdout


def test_check_fails_when_the_spec_changed_but_was_not_regenerated(checkout: Path) -> None:
    spec = checkout / "spec" / "openapi.yaml"
    spec.write_text(spec.read_text().replace("Retrieve Partner Insights for a user", "Fetch Partner Insights", 1))
    result = run_codegen(checkout, "--check")
    assert result.returncode == 1
    assert "SPEC_SHA256" in result.stdout  # the recorded hash is part of the diff
    # Regenerating makes it pass again, and a second generation is byte-identical (determinism).
    assert run_codegen(checkout).returncode == 0
    assert run_codegen(checkout, "--check").returncode == 0


def test_an_unquoted_version_in_the_spec_is_refused_with_the_field_named(checkout: Path) -> None:
    spec = checkout / "spec" / "openapi.yaml"
    text = spec.read_text()
    assert "- '4.1'" in text
    spec.write_text(text.replace("- '4.1'", "- 4.1", 1))
    result = run_codegen(checkout)
    assert result.returncode == 1
    assert "must be a quoted string" in result.stderr
    assert "Traceback" not in result.stderr
