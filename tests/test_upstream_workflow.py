""".github/workflows/upstream.yml's script steps, run here on a copy of the checkout against a fixture document.

Each `run:` step is executed as GitHub runs it (`bash -e`), with the job's `env:`, a `GITHUB_OUTPUT` file and a
`RUNNER_TEMP` folder; the steps' `if:` conditions are followed as GitHub would follow them. No network: the
document is a local file, `origin` is a bare repository in the temporary folder, and `gh` is a stand-in on PATH
that records its arguments (GitHub's own CLI cannot be run without GitHub). The step that runs `python -m nox`,
the README's test command that CI runs anyway, is checked for its command but not run here: it takes minutes.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.version import Version

import plaid_partner_insights
from specdiff import Bump, next_version

# Run first under pytest-xdist (tests/conftest.py), with coverage paused (tests/untraced.py).
pytestmark = [pytest.mark.slow, pytest.mark.untraced]

ROOT = Path(__file__).resolve().parent.parent
# The release the spec follows, kept beside it; the next one is made from it.
EXTRACT = ROOT / "spec" / "upstream-extract.yaml"
_RECORDED = yaml.safe_load((ROOT / "spec" / "upstream.yaml").read_text())["version"]
NEXT = f"{_RECORDED.rsplit('.', 1)[0]}.{int(_RECORDED.rsplit('.', 1)[1]) + 1}"
FLOW: dict[Any, Any] = yaml.safe_load((ROOT / ".github" / "workflows" / "upstream.yml").read_text())
(JOB,) = FLOW["jobs"].values()
STEPS = {step["name"]: step for step in JOB["steps"] if "name" in step}
# What the checkout copy needs for `codegen.py upstream --apply`: the tools, the spec, the code it regenerates, and
# the .gitignore that keeps what the tools' runs leave behind (`__pycache__`) out of the job's commits, as on GitHub.
NEEDED = ["codegen.py", "release_check.py", "specdiff", "spec", "generated", "generator-config", "CHANGELOG.md"]
NEEDED += ["src/plaid_partner_insights/_version.py", ".gitignore"]
FAKE_GH = """\
import json, os, pathlib, sys
arguments = sys.argv[1:]
body = arguments[arguments.index("--body-file") + 1] if "--body-file" in arguments else None
record = {"args": arguments, "body": pathlib.Path(body).read_text() if body else None}
with open(os.environ["GH_LOG"], "a") as log:
    log.write(json.dumps(record) + "\\n")
"""


class Runner:
    """One job run: the copy of the checkout, its outputs, and the `gh` calls made."""

    def __init__(self, tmp: Path, document: Path) -> None:
        self.checkout = tmp / "checkout"
        self.temp = tmp / "runner-temp"
        self.temp.mkdir()
        for name in NEEDED:
            source, target = ROOT / name, self.checkout / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copyfile(source, target)
        origin = tmp / "origin.git"
        self.git("init", "-q", "-b", "main")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "base")
        subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True, env=self.git_env())
        self.git("remote", "add", "origin", str(origin))
        self.git("push", "-q", "origin", "main")
        self.origin = origin
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        (bin_dir / "gh").write_text(f"#!{sys.executable}\n{FAKE_GH}")
        (bin_dir / "gh").chmod(0o755)
        self.gh_log = tmp / "gh.jsonl"
        self.outputs: dict[str, dict[str, str]] = {}
        self.env = {
            **self.git_env(),
            "PATH": os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]]),
            "RUNNER_TEMP": str(self.temp),
            "GH_LOG": str(self.gh_log),
            # The job's env, with what GitHub would put in its expressions.
            "BRANCH": JOB["env"]["BRANCH"],
            "BASE": "main",
            "UPSTREAM_SPEC": str(document),
            "RUN_URL": "https://github.invalid/runs/1",
            "GH_TOKEN": "not-a-token",
        }

    @staticmethod
    def git_env() -> dict[str, str]:
        return {
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }

    def git(self, *args: str, cwd: Path | None = None) -> str:
        result = subprocess.run(
            ["git", *args], cwd=cwd or self.checkout, capture_output=True, text=True, check=True, env=self.git_env()
        )
        return result.stdout

    def run(self, name: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        step = STEPS[name]
        output = self.temp / f"output-{len(self.outputs)}"
        output.touch()
        script = self.temp / f"step-{len(self.outputs)}.sh"
        script.write_text(step["run"])
        result = subprocess.run(
            ["bash", "-e", str(script)],
            cwd=self.checkout,
            capture_output=True,
            text=True,
            env={**self.env, **(extra_env or {}), "GITHUB_OUTPUT": str(output)},
            timeout=300,
            check=False,
        )
        lines = output.read_text().splitlines()
        self.outputs[step.get("id", name)] = dict(line.split("=", 1) for line in lines)
        return result

    def gh_calls(self) -> list[dict[str, Any]]:
        if not self.gh_log.exists():
            return []
        return [json.loads(line) for line in self.gh_log.read_text().splitlines()]


def newer_release(tmp: Path) -> Path:
    """Today's release plus what a next one might bring: a new response field, always sent (so our report example
    needs it too), and a new version value."""
    content = yaml.safe_load(EXTRACT.read_text())
    content["info"]["version"] = NEXT
    schemas = content["components"]["schemas"]
    schemas["PrismCashScore"]["properties"]["percentile"] = {"type": "integer", "nullable": True}
    schemas["PrismCashScore"]["required"].append("percentile")
    schemas["PrismCashScoreVersion"]["enum"].insert(0, "5")
    path = tmp / f"{NEXT}.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return path


def unappliable_release(tmp: Path) -> Path:
    """A release our layout cannot follow: one of two uses of a shared schema of ours gains a required field."""
    content = yaml.safe_load(EXTRACT.read_text())
    content["info"]["version"] = NEXT
    schemas = content["components"]["schemas"]
    schemas["Other"] = copy.deepcopy(schemas["PrismCashScoreMetadata"])
    schemas["Other"]["properties"]["extra"] = {"type": "integer"}
    schemas["Other"]["required"] = [*schemas["Other"]["required"], "extra"]
    schemas["PrismExtend"]["properties"]["metadata"] = {"$ref": "#/components/schemas/Other"}
    path = tmp / f"{NEXT}-unappliable.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return path


def test_the_steps_and_their_conditions() -> None:
    names = [step.get("name") for step in JOB["steps"]]
    assert names[-4:] == [
        "Apply Plaid's release",
        "Test the applied release",
        "Open or update the pull request",
        "Open or update the issue",
    ]
    assert STEPS["Test the applied release"]["run"] == "python -m nox"
    assert STEPS["Test the applied release"]["if"] == "steps.apply.outputs.changed == 'true'"
    assert STEPS["Open or update the pull request"]["if"] == (
        "steps.apply.outputs.changed == 'true' && steps.tests.outcome == 'success'"
    )
    assert STEPS["Open or update the issue"]["if"] == "failure() || steps.apply.outputs.status != '0'"
    # Inputs reach the scripts through env only, never pasted into the script text.
    assert not [name for name, step in STEPS.items() if "${{" in step.get("run", "")]


def test_a_new_release_becomes_a_pull_request(tmp_path: Path) -> None:
    document = newer_release(tmp_path)
    runner = Runner(tmp_path, document)
    applied = runner.run("Apply Plaid's release")
    assert applied.returncode == 0, applied.stderr
    assert runner.outputs["apply"] == {"status": "0", "changed": "true"}
    report = (runner.temp / "apply.txt").read_text()
    assert "non-breaking response report.prism.cash_score.percentile: added (required)" in report
    examples = report.split("examples changed to fit the new schemas (review them):\n")[1]
    assert examples.startswith(
        "  POST /cra/check_report/partner_insights/get 200 example fullReport: `report.prism.cash_score.percentile` "
        "added with a placeholder value (None)"
    )
    assert 'non-breaking request partner_insights.prism_versions.cashscore: enum value "5" added' in report
    # "Test the applied release" would run `python -m nox` here; then, as its outcome is success:
    opened = runner.run("Open or update the pull request")
    assert opened.returncode == 0, opened.stderr
    list_call, create_call = runner.gh_calls()
    assert list_call["args"][:2] == ["pr", "list"]
    # Two additions: a patch after the current version (taken as released, the copy having no tag).
    version = next_version(Version(plaid_partner_insights.__version__), Bump.PATCH)
    title = f"Plaid's spec {NEXT} (version {version})"
    assert create_call["args"][:8] == [
        "pr",
        "create",
        "--base",
        "main",
        "--head",
        "upstream/plaid-spec",
        "--title",
        title,
    ]
    body = create_call["body"]
    assert report in body
    assert "response report.prism.cash_score.percentile" in body.split("placeholder description to rewrite:")[1]
    assert "review the examples listed as changed to fit" in body
    # The branch on origin holds one commit with the spec, the record, the regenerated code, version and changelog.
    pushed = runner.git("log", "--format=%s", "main..upstream/plaid-spec", cwd=runner.origin).splitlines()
    assert pushed == [f"{title}: applied by codegen.py upstream --apply"]
    files = runner.git("diff", "--name-only", "main", "upstream/plaid-spec", cwd=runner.origin).splitlines()
    assert {
        "spec/openapi.yaml",
        "spec/upstream.yaml",
        "spec/upstream-extract.yaml",
        "CHANGELOG.md",
        "src/plaid_partner_insights/_version.py",
    } < set(files)
    assert "generated/plaid_partner_insights_generated/__init__.py" in files
    # The checkout is now in step: the report is empty and the release check passes.
    python = sys.executable
    in_step = subprocess.run(
        [python, "codegen.py", "upstream", str(document)], cwd=runner.checkout, capture_output=True, text=True
    )
    assert (in_step.returncode, in_step.stdout) == (0, ""), in_step.stderr
    release = subprocess.run([python, "release_check.py"], cwd=runner.checkout, capture_output=True, text=True)
    assert release.returncode == 0, release.stdout + release.stderr
    assert str(version) in release.stdout


def test_a_release_that_cannot_be_applied_opens_an_issue_and_changes_nothing(tmp_path: Path) -> None:
    runner = Runner(tmp_path, unappliable_release(tmp_path))
    applied = runner.run("Apply Plaid's release")
    assert applied.returncode == 0, applied.stderr
    assert runner.outputs["apply"] == {"status": "1", "changed": "false"}
    assert runner.git("status", "--porcelain") == ""
    # Neither the tests nor the pull request run (changed is false); the issue step does (status is not 0).
    issue = runner.run("Open or update the issue", {"APPLY_STATUS": "1", "TESTS_OUTCOME": "skipped"})
    assert issue.returncode == 0, issue.stderr
    list_call, create_call = runner.gh_calls()
    assert list_call["args"][:2] == ["issue", "list"]
    assert create_call["args"][:4] == ["issue", "create", "--title", "Plaid's spec moved and could not be applied"]
    assert "failed (exit status 1) and changed nothing" in create_call["body"]
    assert "response report.prism.extend.metadata.extra: added (required)" in create_call["body"]
