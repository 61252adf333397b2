"""Sessions for regenerating, checking, testing, building and benchmarking plaid-partner-insights.

`nox` runs the default sessions (check, tests, build): the README's test command. `nox -l` lists them all.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2024.10.9"
nox.options.sessions = ["check", "tests", "build"]
nox.options.error_on_external_run = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = PYPROJECT["project"]["requires-python"].removeprefix(">=")
ROOT = Path(__file__).parent
REDOCLY_ENV = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}


def install_dev(session: nox.Session) -> None:
    session.install("-e", ".[dev]")


@nox.session(python=PYTHON, default=False)
def codegen(session: nox.Session) -> None:
    """Validate spec/openapi.yaml and regenerate everything in generated/."""
    install_dev(session)
    session.run("python", "codegen.py")


@nox.session(python=PYTHON)
def check(session: nox.Session) -> None:
    """generated/ matches the spec; ruff, mypy --strict (generated code too) and the spec linters pass."""
    install_dev(session)
    session.run("python", "codegen.py", "--check")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    session.run("python", "-m", "openapi_spec_validator", "spec/openapi.yaml")
    npm = shutil.which("npm")
    if npm is None:
        session.error("npm is needed for the Redocly spec linter (install Node.js 18+)")
    session.run(npm, "ci", "--no-audit", "--no-fund", external=True, env=REDOCLY_ENV)
    session.run(npm, "run", "--silent", "lint:spec", external=True, env=REDOCLY_ENV)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole pytest suite: unit, property (schemathesis), contract, peer and fault-injection tests."""
    install_dev(session)
    # Plaid's own SDK is a test peer only (it checks our sandbox's responses against its strict models).
    session.install("plaid-python")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON, default=False)
def contract(session: nox.Session) -> None:
    """Contract tests only: the local sandbox, or Plaid's real sandbox when PLAID_* credentials are set."""
    install_dev(session)
    session.run("pytest", "tests/contract", *session.posargs)


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Build wheel and sdist, twine-check them, and import the wheel alone in a clean virtualenv."""
    session.install("build", "twine")
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    session.run("twine", "check", "--strict", *map(str, dist.iterdir()))
    wheel = next(dist.glob("*.whl"))
    venv = Path(session.create_tmp()) / "wheel-only"
    shutil.rmtree(venv, ignore_errors=True)
    session.run("python", "-m", "venv", str(venv))
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    session.run(str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel), external=True)
    session.run(
        str(bin_dir / "python"),
        "-c",
        "import importlib.resources as r, plaid_partner_insights as p;"
        "from plaid_partner_insights import PartnerInsightsClient;"
        "assert r.files('plaid_partner_insights').joinpath('py.typed').is_file();"
        "assert r.files('plaid_partner_insights_generated').joinpath('py.typed').is_file();"
        "print('wheel OK:', p.__version__)",
        external=True,
    )


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks against raw httpx and plaid-python (installed only here); prints a table, writes JSON."""
    install_dev(session)
    session.install("plaid-python", "pyinstrument")
    session.run("python", "-m", "benchmarks", *session.posargs)
