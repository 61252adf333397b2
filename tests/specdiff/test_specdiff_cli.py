"""`python codegen.py diff` and `upstream`: output, exit codes and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import plaid_partner_insights
from specdiff import SpecReadError, compare_documents, load, read_record

pytestmark = pytest.mark.untraced  # coverage paused in the test's own thread: tests/untraced.py

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
UPSTREAM = FIXTURES / "plaid-upstream"
EXTRACT = ROOT / "spec" / "upstream-extract.yaml"


def codegen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "codegen.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_diff_exit_codes_and_line_format() -> None:
    same = codegen("diff", "spec/openapi.yaml", "spec/openapi.yaml")
    assert (same.returncode, same.stdout) == (0, "")
    differ = codegen("diff", str(UPSTREAM / "2020-09-14_1.586.4.yaml"), str(UPSTREAM / "2020-09-14_1.610.0.yaml"))
    assert differ.returncode == 1
    assert differ.stdout == 'non-breaking request options.prism_versions.cashscore: enum value "3_lite" added\n'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("key: [unclosed\n", "not valid YAML or JSON"),
        ("just: a mapping\n", "not an OpenAPI document"),
        ("openapi: 3.0.0\npaths: {}\n", "no POST /cra/check_report/partner_insights/get operation"),
        (
            "openapi: 3.0.0\npaths:\n  /cra/check_report/partner_insights/get:\n    post:\n      responses:\n"
            "        '200':\n          content:\n            application/json:\n"
            "              schema: {$ref: '#/components/schemas/Missing'}\n",
            "points at nothing",
        ),
        (
            "openapi: 3.0.0\npaths:\n  /cra/check_report/partner_insights/get:\n    post:\n      responses:\n"
            "        '200':\n          content:\n            application/json:\n"
            "              schema: {type: object, properties: [a, b]}\n",
            "malformed schema under /cra/check_report/partner_insights/get",
        ),
    ],
)
def test_unreadable_input_exits_2_with_one_line(tmp_path: Path, content: str | None, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    if content is not None:
        bad.write_text(content)
    result = codegen("diff", "spec/openapi.yaml", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_only_https_urls_are_fetched() -> None:
    result = codegen("diff", "http://example.invalid/spec.yaml", "spec/openapi.yaml")
    assert result.returncode == 2
    assert "only local paths and https:// URLs" in result.stderr


def test_a_download_that_fails_exits_2_with_one_line() -> None:
    # Loopback port 9 (discard) refuses the connection: nothing leaves the machine.
    result = codegen("upstream", "https://127.0.0.1:9/2020-09-14.yml")
    assert result.returncode == 2
    assert result.stderr.startswith("error: https://127.0.0.1:9/2020-09-14.yml: cannot download:")
    assert result.stderr.count("\n") == 1


def test_upstream_in_step_with_the_recorded_release_reports_nothing() -> None:
    # The extract of the recorded release, kept beside the spec: same version, but not the recorded file's hash.
    result = codegen("upstream", str(EXTRACT))
    assert (result.returncode, result.stdout) == (0, "")
    assert "no unexplained differences; the file has the recorded version but another hash" in result.stderr


def test_upstream_reports_all_but_recorded_deviations() -> None:
    record = read_record(ROOT / "spec" / "upstream.yaml")
    reported = codegen("upstream", str(EXTRACT)).stdout.splitlines()
    plain = codegen("diff", "spec/openapi.yaml", str(EXTRACT)).stdout.splitlines()
    # What the plain diff says and `upstream` does not is exactly what a deviation covers.
    release = load(str(EXTRACT)).version
    differences = compare_documents(load("spec/openapi.yaml"), load(str(EXTRACT)))
    assert [d.line for d in differences] == plain
    covered = [d.line for d in differences if any(dev.covers(d, release) for dev in record.deviations)]
    assert sorted(set(plain) - set(reported)) == sorted(covered)
    assert "non-breaking request user_id: minLength 1 removed" in covered
    assert "breaking request options.prism_products: removed" in covered


def test_upstream_record_is_read_with_field_errors(tmp_path: Path) -> None:
    record = read_record(ROOT / "spec" / "upstream.yaml")
    assert record.url.startswith("https://")
    assert {"closed-request-objects", "min-length", "extra-error-responses"} <= {d.name for d in record.deviations}
    assert all(d.reason for d in record.deviations)
    broken = tmp_path / "upstream.yaml"
    broken.write_text(yaml.safe_dump({"url": "https://x", "version": "v", "deviations": [{"name": "n"}]}))
    with pytest.raises(SpecReadError, match=r"deviations\[0\] \(n\): needs a `reason`"):
        read_record(broken)
    broken.write_text(yaml.safe_dump({"url": "https://x", "version": "v", "sha256": "abc"}))
    with pytest.raises(SpecReadError, match="`sha256` must be 64 lowercase hex digits"):
        read_record(broken)
    broken.write_text(
        yaml.safe_dump(
            {"url": "https://x", "version": "v", "deviations": [{"name": "n", "reason": "r", "until": "soon"}]}
        )
    )
    with pytest.raises(SpecReadError, match=r"deviations\[0\] \(n\): `until` must be a release such as"):
        read_record(broken)


def test_package_exposes_the_recorded_upstream_version() -> None:
    recorded = yaml.safe_load((ROOT / "spec" / "upstream.yaml").read_text())["version"]
    assert recorded == plaid_partner_insights.SPEC_UPSTREAM_VERSION
