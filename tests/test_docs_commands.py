"""Every shell block of README.md, CONTRIBUTING.md and benchmarks/README.md names commands, flags, sessions, extras and
variables that exist; the CLI ones run; the README's raw-response example runs against the local emulator.

A command this file does not know how to check fails the test, so a new block cannot go unchecked. (Python blocks
are type-checked by tests/typing/test_typing.py; the "Using the client" example runs in tests/client.)
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from plaid_partner_insights._cli import build_parser
from plaid_partner_insights.testing.emulator import DEMO_USER_ID

if TYPE_CHECKING:
    from tests.conftest import LocalSandbox

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ("README.md", "CONTRIBUTING.md", "benchmarks/README.md")
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.S | re.M)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def blocks(document: str, language: str) -> list[str]:
    text = (ROOT / document).read_text()
    return [
        "\n".join(line.removeprefix(indent) for line in body.splitlines())
        for indent, lang, body in FENCE.findall(text)
        if lang == language
    ]


def shell_commands() -> list[tuple[str, str]]:
    """(document, command) for every command of every `sh` block; `a && b` is two commands."""
    found = []
    for document in DOCUMENTS:
        for block in blocks(document, "sh"):
            for line in block.splitlines():
                if line.startswith("#"):
                    continue  # a comment line
                for command in line.split("&&"):
                    if command.strip():
                        found.append((document, command.strip()))
    return found


COMMANDS = shell_commands()


def test_every_document_has_shell_blocks() -> None:
    assert {document for document, _ in COMMANDS} == set(DOCUMENTS)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PLAID_", "NOX_"))}


@functools.cache
def nox_sessions() -> dict[str, bool]:
    """Every session of the noxfile, and whether a bare `nox` runs it (`nox -l`: `*` selected, `-` not)."""
    # NOX_SCRIPT_MODE=none: list from this environment; never let the noxfile's script block install anything.
    done = subprocess.run(
        [sys.executable, "-m", "nox", "-l"],
        cwd=ROOT,
        env={**clean_env(), "NOX_SCRIPT_MODE": "none"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {name: mark == "*" for mark, name in re.findall(r"^([*-]) ([\w.-]+) ->", done.stdout, re.M)}


@functools.cache
def help_text(*command: str) -> str:
    done = subprocess.run(
        [sys.executable, *command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def check_extras(requirement: str) -> None:
    match = re.fullmatch(r"(?:-e )?\"?([^\[\"]+)(?:\[([\w,]+)\])?\"?", requirement)
    assert match, requirement
    name, extras = match.groups()
    if name == "nox":
        assert (ROOT / "noxfile.py").is_file()
        return
    assert name in (".", PYPROJECT["name"]), requirement
    for extra in (extras or "").split(","):
        assert not extra or extra in PYPROJECT["optional-dependencies"], f"no extra {extra!r}"


def check_cli(args: list[str]) -> None:
    build_parser().parse_args(args)  # every subcommand and flag exists and takes the value given (else SystemExit)
    if args[0] in ("get", "demo"):  # these finish on their own: run them as written, on the built-in emulator
        script = Path(sys.executable).with_name("plaid-partner-insights")
        done = subprocess.run([str(script), *args], env=clean_env(), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert DEMO_USER_ID in done.stdout or "request_id:" in done.stdout


def check_nox(args: list[str]) -> None:
    sessions = nox_sessions()
    if args[:1] == ["--parallel"]:  # sessions side by side (the README's test command: 2)
        assert args[1].isdigit(), args
        assert int(args[1]) >= 2, args
        args = args[2:]
    if not args:  # the default sessions: checks, the whole suite on this Python, the build, quick checks on the others
        this = f"{sys.version_info.major}.{sys.version_info.minor}"
        supported = [
            classifier.rsplit(" :: ", 1)[1]
            for classifier in PYPROJECT["classifiers"]
            if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", classifier)
        ]
        assert this in supported
        others = {f"compat-{version}" for version in supported if version != this}
        assert len(others) == len(supported) - 1 >= 2
        assert {name for name, selected in sessions.items() if selected} == {"check", f"tests-{this}", "build", *others}
        return
    if args == ["-l"]:
        return
    assert args[0] == "-s", args
    names = [arg for arg in args[1:] if not arg.startswith("-")]
    assert names
    # A parametrized session (`tests`) stands for all of its Pythons (`tests-3.11`, ...).
    unknown = {name for name in names if not any(session.split("-3.")[0] == name for session in sessions)}
    unknown -= set(sessions)
    assert not unknown, f"unknown nox sessions: {unknown}"


def check_module_flags(module_args: list[str], args: list[str]) -> None:
    text = help_text(*module_args)
    for arg in args:
        if arg.startswith("-"):
            assert arg in text, f"{' '.join(module_args)} has no {arg}"
        else:
            for choice in arg.split("|"):
                assert choice in text, f"{' '.join(module_args)}: {choice!r} is not in its --help"


def check_exports(args: list[str]) -> None:
    """The variables are the ones the contract suite reads."""
    read = (ROOT / "tests" / "conftest.py").read_text() + (ROOT / "tests" / "contract" / "test_contract.py").read_text()
    for assignment in args:
        name = assignment.split("=", 1)[0]
        assert re.fullmatch(r"PLAID_\w+", name), assignment
        assert f'"{name}"' in read, f"the contract suite does not read {name}"


def check_admin_call(args: list[str]) -> None:
    """A call of the emulator's admin API: a route it has, with its method (tests/sandbox/test_sandbox_double.py
    sends the README's calls to a running emulator)."""
    from plaid_partner_insights.testing.emulator import create_app
    from plaid_partner_insights.testing.emulator._admin import AdminAPI

    method = args[args.index("-X") + 1] if "-X" in args else "GET"
    (url,) = [arg for arg in args if arg.startswith("localhost:")]
    path = "/" + url.split("/", 1)[1]
    assert (method, path) in AdminAPI(create_app(admin_api=True)).routes(), f"no admin route {method} {path}"


@pytest.mark.parametrize(("document", "command"), COMMANDS, ids=[f"{d}: {c}" for d, c in COMMANDS])
def test_documented_command(document: str, command: str) -> None:
    words = shlex.split(command, comments=True)
    if words[-1] == "&":  # started in the background
        words.pop()
    if words[:4] == ["python", "-m", "pip", "install"]:
        for requirement in command.split("install", 1)[1].replace("-e ", "-e\0").split():
            check_extras(requirement.replace("\0", " "))
    elif words[:2] == ["pip", "install"]:
        check_extras(words[2])
    elif words[0] == "plaid-partner-insights":
        check_cli(words[1:])
    elif words[:3] == ["python", "-m", "nox"]:
        check_nox(words[3:])
    elif words[:2] == ["python", "codegen.py"]:
        check_module_flags(["codegen.py"], words[2:])
    elif words[:3] == ["python", "-m", "benchmarks"] or words[:3] == ["python", "-m", "benchmarks.profile"]:
        check_module_flags(["-m", words[2]], words[3:])
    elif words[0] == "export":
        check_exports(words[1:])
    elif words[0] == "curl":
        check_admin_call(words[1:])
    else:
        pytest.fail(f"{document}: no check for the documented command {command!r}; add one here")


def test_the_raw_response_example_runs(
    local_sandbox: LocalSandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    section = (ROOT / "README.md").read_text().split("## Raw responses", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    assert '"usr_..."' in code
    monkeypatch.setenv("PLAID_CLIENT_ID", local_sandbox.client_id)
    monkeypatch.setenv("PLAID_SECRET", local_sandbox.secret)
    monkeypatch.setenv("PLAID_BASE_URL", local_sandbox.url)
    namespace: dict[str, Any] = {}
    exec(compile(code.replace('"usr_..."', repr(DEMO_USER_ID)), "README.md", "exec"), namespace)  # noqa: S102
    success, failure = capsys.readouterr().out.splitlines()
    raw = namespace["raw"]
    assert success.split()[:3] == ["200", raw.request_id, "application/json"]
    assert float(success.split()[3]) > 0
    assert success.split()[4] == "1"
    assert namespace["resp"] is raw.parse()
    assert failure.split() == ["400", "1", "application/json"]
