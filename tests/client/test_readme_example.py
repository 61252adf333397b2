"""The README's "Using the client" example runs as written against the local emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plaid_partner_insights.testing.emulator import DEMO_USER_ID, NOT_READY_USER_ID

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    section = README.read_text().split("## Using the client", 1)[1].split("\n## ", 1)[0]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("user_id", [DEMO_USER_ID, NOT_READY_USER_ID])
def test_readme_example_runs(
    local_sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], user_id: str
) -> None:
    monkeypatch.setenv("PLAID_CLIENT_ID", local_sandbox.client_id)
    monkeypatch.setenv("PLAID_SECRET", local_sandbox.secret)
    monkeypatch.setenv("PLAID_BASE_URL", local_sandbox.url)
    code = readme_example()
    assert '"usr_..."' in code
    namespace: dict[str, Any] = {}
    exec(compile(code.replace('"usr_..."', repr(user_id)), str(README), "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out.split()
    if user_id == DEMO_USER_ID:
        response = namespace["resp"]
        assert out == [response.request_id, str(response.report.prism.cash_score.score)]
        assert namespace["data"] == response.to_dict()
    else:
        assert out[:2] == ["CONSUMER_REPORT_ERROR", "PRODUCT_NOT_READY"]
