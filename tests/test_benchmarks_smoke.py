"""The benchmark harness runs end to end with tiny iteration counts and reports every figure.

This checks the harness, never the figures: there is no timing assertion here (issue 5).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from plaid_partner_insights import _spec

# benchmarks/ is a folder of the repository, not part of the installed package: import it from the checkout.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import contenders, harness  # noqa: E402
from benchmarks.report import build_report, report_bytes, validate_report  # noqa: E402
from benchmarks.server import PATH, running_server  # noqa: E402

pytestmark = pytest.mark.slow  # see tests/conftest.py: runs first under pytest-xdist


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`python -m benchmarks --quick`, in-process, with the wheel build and codegen.py replaced by tiny fakes.

    Building our real wheel needs the build backend from a package index; `nox -s build` and `nox -s bench`
    cover it. Real codegen runs take seconds each and tests/test_codegen.py runs them; here the harness times a
    stand-in script through the same subprocess path. Everything else (the loopback server, every contender,
    import timing) runs.
    """
    tmp = tmp_path_factory.mktemp("bench")

    def fake_wheel(out: Path) -> Path:
        wheel = out / "plaid_partner_insights-0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("plaid_partner_insights/__init__.py", "x = 1\n" * 100)
        return wheel

    def fake_codegen_copy(out: Path) -> Path:
        copy = out / "repo"
        copy.mkdir()
        (copy / "codegen.py").write_text("import sys\nsys.exit(0)\n")
        return copy

    output = tmp / "latest.json"
    stdout = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(harness, "build_wheel", fake_wheel)
        patch.setattr(harness, "codegen_copy", fake_codegen_copy)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
            code = harness.main(["--quick", "--output", str(output)])
    return {"code": code, "stdout": stdout.getvalue(), "json": json.loads(output.read_text())}


def test_exit_code_is_zero(run: dict[str, Any]) -> None:
    assert run["code"] == 0


def test_json_has_every_row_with_a_value(run: dict[str, Any]) -> None:
    rows = {row["key"]: row for row in run["json"]["rows"]}
    assert list(rows) == [
        "sync.ours_vs_raw",
        "sync.plaid_vs_raw",
        "sync.ours_vs_raw_example",
        "async.ours_vs_raw",
        "parse.ours_vs_json",
        "parse.plaid_vs_ours",
        "import.ours_vs_floor",
        "import.plaid_vs_floor",
        "size.wheel_ours_vs_plaid",
        "size.installed_ours_vs_plaid",
        "codegen.write",
        "codegen.check",
    ]
    plaid = contenders.plaid_installed()
    for key, row in rows.items():
        if "plaid" in key and not plaid:
            assert row["value"] is None, key
            continue
        assert isinstance(row["value"], float), key
        assert row["value"] > 0, key
        if row["goal"]:
            assert row["passed"] in (True, False), key
    assert run["json"]["machine"]["cores"] >= 1
    assert run["json"]["report"]["bytes"] == len(report_bytes())


def test_table_prints_every_row(run: dict[str, Any]) -> None:
    lines = [line for line in run["stdout"].splitlines() if line.startswith("| ")]
    figures = [row["figure"] for row in run["json"]["rows"]]
    assert len(lines) == 2 + len(figures)  # header and rule, then one line per row
    for line, figure in zip(lines[2:], figures, strict=True):
        assert line.startswith(f"| {figure} ")
        assert any(mark in line for mark in (" pass ", " MISS ", " - ", " n/a "))


def test_missing_rows_are_reported() -> None:
    rows = [harness.Row(key, key, 1.0, "x", "") for key in harness.ROW_KEYS if key != "async.ours_vs_raw"]
    assert list(harness.iter_missing(rows)) == ["async.ours_vs_raw"]


def test_goal_marks() -> None:
    assert harness.goal_max(harness.Row("k", "f", 1.2, "x", "", "<= 1.1x"), 1.1).status() == "MISS"
    assert harness.goal_max(harness.Row("k", "f", 1.05, "x", "", "<= 1.1x"), 1.1).status() == "pass"
    assert harness.goal_min(harness.Row("k", "f", 12.0, "x", "", ">= 10x"), 10).status() == "pass"
    assert harness.goal_min(harness.Row("k", "f", None, "x", "", ">= 10x"), 10).status() == "n/a"


def test_report_is_rich_and_valid() -> None:
    validate_report()
    validate_report("example")
    report = build_report()["report"]
    assert set(report["prism"]) >= {product.report_key for product in _spec.prism_products()}
    assert report["fico"]["report_characteristics"]
    assert len(report["items"]) >= 2
    assert all(account["owners"] for item in report["items"] for account in item["accounts"])


def test_every_contender_gets_the_report() -> None:
    closer = contenders.Closer()
    with running_server() as url:
        try:
            assert contenders.raw_httpx_sync(url, closer)()["request_id"] == "Vx3kQ9pLm2TzR8a"  # type: ignore[index]
            ours: Any = contenders.ours_sync(url, closer)()
            assert ours.request_id == "Vx3kQ9pLm2TzR8a"
            if contenders.plaid_installed():
                theirs: Any = contenders.plaid_sync(url, closer)()
                assert theirs.request_id == "Vx3kQ9pLm2TzR8a"
        finally:
            closer.close()
        import httpx

        assert httpx.post(url + PATH + "x", content=b"{}").status_code == 404
