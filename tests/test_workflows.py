"""The GitHub workflows do what the README says: CI runs its test command, releases publish by trusted
publishing after the release check, and the upstream release is applied weekly (its script steps are run by
tests/test_upstream_workflow.py)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from tests.test_project_files import readme_commands

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return loaded


def triggers(flow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean True.
    value: dict[str, Any] = flow[True]
    return value


def run_steps(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_ci_runs_the_readme_test_command_on_every_supported_python() -> None:
    flow = workflow("ci.yml")
    (job,) = flow["jobs"].values()
    assert readme_commands()[1] in run_steps(job)
    classifiers = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["classifiers"]
    supported = [
        c.rsplit(" :: ", 1)[1] for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert job["strategy"]["matrix"]["python-version"] == supported == ["3.11", "3.12", "3.13"]
    # Every declared floor, on each of those Pythons.
    assert 'python -m nox -s "minimums-${{ matrix.python-version }}"' in run_steps(job)


def test_release_checks_then_publishes_by_trusted_publishing() -> None:
    flow = workflow("release.yml")
    assert triggers(flow) == {"push": {"tags": ["v*"]}}
    build, publish, release = flow["jobs"]["build"], flow["jobs"]["publish"], flow["jobs"]["github-release"]
    build_runs = run_steps(build)
    assert build_runs.index("python -m nox -s release-check") < build_runs.index("python -m nox -s build")
    assert any("twine check" in run for run in build_runs)
    assert build["steps"][0]["with"]["fetch-depth"] == 0
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert [s["uses"] for s in publish["steps"] if s.get("uses", "").startswith("pypa/")] == [
        "pypa/gh-action-pypi-publish@release/v1"
    ]
    assert "id-token" not in flow["permissions"]  # only the publishing job gets the OIDC token
    assert release["needs"] == "publish"
    assert any("release_check.py --notes" in run for run in run_steps(release))


def test_upstream_apply_runs_weekly_and_on_demand() -> None:
    flow = workflow("upstream.yml")
    on = triggers(flow)
    assert set(on) == {"schedule", "workflow_dispatch"}
    (job,) = flow["jobs"].values()
    steps = run_steps(job)
    assert any("python codegen.py upstream --apply" in run for run in steps)
    assert any("gh pr create" in run for run in steps)
    assert any("gh issue create" in run for run in steps)
