"""The template overrides are tracked against the upstream openapi-python-client templates they were written for."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from importlib.metadata import version
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "generator-config"
RECORD = json.loads((CONFIG / "upstream-templates.json").read_text())


def upstream_templates() -> Path:
    """Found, not imported: the generator takes a second to import, in every pytest-xdist worker that collects this
    file."""
    generator = importlib.util.find_spec("openapi_python_client")
    assert generator is not None, "openapi-python-client is not installed"
    assert generator.origin is not None
    return Path(generator.origin).parent / "templates"


UPSTREAM = upstream_templates()


def test_the_installed_generator_is_the_version_the_overrides_were_written_for() -> None:
    assert version("openapi-python-client") == RECORD["openapi-python-client"], (
        "openapi-python-client changed: review generator-config/templates against the new upstream templates, "
        "then update generator-config/upstream-templates.json"
    )


def test_upstream_templates_under_the_overrides_are_unchanged() -> None:
    changed = [
        name
        for name, recorded in RECORD["upstream_sha256"].items()
        if hashlib.sha256((UPSTREAM / name).read_bytes()).hexdigest() != recorded
    ]
    assert changed == [], f"upstream templates changed under generator-config/templates: {changed}"


def test_every_override_is_recorded() -> None:
    overrides = {str(p.relative_to(CONFIG / "templates")) for p in (CONFIG / "templates").rglob("*.jinja")}
    assert overrides
    assert overrides <= set(RECORD["upstream_sha256"]), "record the upstream hash of every override"
    for name in overrides:
        assert (UPSTREAM / name).exists(), f"{name} overrides no upstream template"
