"""The README's commands, CI and packaging metadata stay in step."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    quick_start = (ROOT / "README.md").read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", quick_start)


def test_readme_quick_start_has_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2, commands
    assert "demo" in commands[0]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = readme_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_runtime_dependencies_are_httpx_and_attrs_only() -> None:
    # httpcore and anyio may be named (for their bounds: the client uses them itself), but only because httpx
    # already brings them: the runtime installs nothing beyond httpx and attrs.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = sorted(re.split(r"[<>=!~ \[]", dep, maxsplit=1)[0] for dep in project["dependencies"])
    httpx_brings = {re.split(r"[<>=!~ \[;]", dep, maxsplit=1)[0] for dep in importlib.metadata.requires("httpx") or []}
    assert {"anyio", "httpcore"} <= httpx_brings
    assert names == sorted({"attrs", "httpx"} | ({"anyio", "httpcore"} & set(names)))
