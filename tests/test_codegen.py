"""codegen.py: the committed generated/ tree is exactly what the spec produces, and drift is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

# Run first under pytest-xdist (tests/conftest.py), with coverage paused (tests/untraced.py).
pytestmark = [pytest.mark.slow, pytest.mark.untraced]

ROOT = Path(__file__).resolve().parent.parent
GENERATED_PACKAGE = "generated/plaid_partner_insights_generated"


def run_codegen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "codegen.py", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def copy_checkout(target: Path) -> Path:
    """A copy of what codegen reads and writes, so tests can break it without touching the repo."""
    for name in ("codegen.py", "spec", "generator-config", "generated"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    return copy_checkout(tmp_path)


@pytest.fixture(scope="session")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `python codegen.py` run on an untouched copy of the checkout, shared by the tests that need one.

    Generation takes seconds (three generator processes), so the suite regenerates once and compares.
    """
    copy = copy_checkout(tmp_path_factory.mktemp("regenerated"))
    (copy / "generated" / "stale.py").write_text("x = 1\n")  # a write run must drop what the spec does not produce
    result = run_codegen(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    return copy


def test_regeneration_reproduces_the_committed_tree_byte_for_byte(regenerated: Path) -> None:
    # Generation is deterministic, and the committed generated/ is exactly what the spec produces.
    assert tree(regenerated / "generated") == tree(ROOT / "generated")


def test_check_passes_on_a_freshly_regenerated_tree(regenerated: Path) -> None:
    result = run_codegen(regenerated, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_check_reports_every_kind_of_drift_with_a_readable_diff(checkout: Path) -> None:
    """Hand edits, extra and missing files, and a spec changed without regenerating: one --check names them all."""
    package = checkout / GENERATED_PACKAGE
    edited = package / "client" / "models" / "prism_cash_score.py"
    edited.write_text(edited.read_text().replace("def from_dict", "def from_dict_edited"))
    (package / "client" / "models" / "extra.py").write_text("x = 1\n")
    (package / "typed_dicts.py").unlink()
    spec = checkout / "spec" / "openapi.yaml"
    spec.write_text(spec.read_text().replace("Retrieve Partner Insights for a user", "Fetch Partner Insights", 1))
    result = run_codegen(checkout, "--check")
    assert result.returncode == 1
    assert "prism_cash_score.py" in result.stdout
    assert "-    def from_dict_edited" in result.stdout
    assert "not produced by the spec" in result.stdout
    assert "extra.py" in result.stdout
    assert "missing from generated/: plaid_partner_insights_generated/typed_dicts.py" in result.stdout
    assert "SPEC_SHA256" in result.stdout  # the recorded hash is part of the diff
    assert "Fetch Partner Insights" in result.stdout  # and so is the spec copy shipped in the package
    assert "python codegen.py" in result.stderr  # the fix is named


def test_an_unquoted_version_in_the_spec_is_refused_with_the_field_named(checkout: Path) -> None:
    spec = checkout / "spec" / "openapi.yaml"
    text = spec.read_text()
    assert "- '4.1'" in text
    spec.write_text(text.replace("- '4.1'", "- 4.1", 1))
    result = run_codegen(checkout)
    assert result.returncode == 1
    assert "must be a quoted string" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_setup_spec_goes_through_the_same_rules(checkout: Path, regenerated: Path) -> None:
    # Its models are part of the regenerated tree (so --check covers them) ...
    assert (regenerated / GENERATED_PACKAGE / "testing" / "sandbox_setup_models.py").is_file()
    # ... and the same codegen rules apply to it, checked before anything is generated; failures name the file.
    setup = checkout / "spec" / "sandbox-setup.yaml"
    text = setup.read_text()
    setup.write_text(text.replace("- 'sandbox'", "- sandbox\n        - 7", 1))
    broken = run_codegen(checkout)
    assert broken.returncode == 1
    assert "spec/sandbox-setup.yaml breaks a codegen rule" in broken.stderr
    assert "must be a quoted string" in broken.stderr
    assert "Traceback" not in broken.stderr


def _codegen_module() -> Any:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import codegen

    return codegen


def test_a_generator_run_in_process_fails_on_a_warning_an_exit_status_or_stderr() -> None:
    """The model generator runs in codegen's own process; it must fail exactly as a generator process would."""
    codegen = _codegen_module()

    def warns(args: list[str]) -> int:
        warnings.warn(f"field {args[0]} shadows a parent", UserWarning, stacklevel=1)
        return 0

    def exits(args: list[str]) -> int:
        print("cannot parse the spec", file=sys.stderr)
        raise SystemExit(2)

    def says_warning(args: list[str]) -> int:
        print("Warning: something was dropped", file=sys.stderr)
        return 0

    with pytest.raises(codegen.CodegenError, match=r"(?s)probe failed \(exit 0\).*field alpha shadows a parent"):
        codegen.run_in_process(warns, ["alpha"], what="probe")
    with pytest.raises(codegen.CodegenError, match=r"(?s)probe failed \(exit 2\).*cannot parse the spec"):
        codegen.run_in_process(exits, [], what="probe")
    with pytest.raises(codegen.CodegenError, match="something was dropped"):
        codegen.run_in_process(says_warning, [], what="probe")
    written: list[list[str]] = []
    codegen.run_in_process(lambda args: written.append(args), ["--input", "x"], what="probe")
    assert written == [["--input", "x"]]


def test_the_output_is_formatted_where_git_ignores_it(tmp_path: Path) -> None:
    """In a checkout, ruff skips the files git ignores, even under a folder it is given: nox ignores all of `.nox/`
    (it writes a `.gitignore` of `*` there), where the suite's temporary folders are when sessions run side by side."""
    import codegen

    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True)
    out = tmp_path / ".nox" / "tests-3-11" / "tmp" / "generated"
    out.mkdir(parents=True)
    (tmp_path / ".nox" / ".gitignore").write_text("*\n")
    (out / "module.py").write_text("import sys\nimport os\nvalue   =   1\n")
    codegen.ruff("check", "--fix-only", "--select", "I,F401", "--exit-zero", str(out))
    codegen.ruff("format", str(out))
    assert (out / "module.py").read_text() == "value = 1\n"


def test_the_models_do_not_depend_on_the_project_around_the_output(tmp_path: Path) -> None:
    """datamodel-code-generator's formatter reads the nearest pyproject.toml above its output; a temporary folder
    inside a checkout (as when nox runs sessions side by side) must not change what is generated."""
    import codegen

    inside_a_project = tmp_path / "project"
    (inside_a_project / "tmp").mkdir(parents=True)
    (inside_a_project / "pyproject.toml").write_text("[tool.ruff]\nline-length = 120\n")
    alone = tmp_path / "alone"
    alone.mkdir()
    for folder in (inside_a_project / "tmp", alone):
        codegen.generate_models(folder / "models.py", "pydantic_v2.BaseModel")
    assert (inside_a_project / "tmp" / "models.py").read_text() == (alone / "models.py").read_text()
