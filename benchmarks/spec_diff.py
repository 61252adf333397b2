"""Time `python codegen.py diff` on a full-size (3 MB) OpenAPI document, built locally.

    python -m benchmarks.spec_diff [--megabytes 3]

Plaid's published file is about 3 MB, with hundreds of other operations. Nothing is downloaded: the
document is the newest committed upstream extract plus as many other operations as it takes to reach the
size, each with its own renamed copy of the endpoint's schemas and prose descriptions, so the file is as
heavy to read as Plaid's and the comparison must skip everything that is not the endpoint.
"""

from __future__ import annotations

import argparse
import copy
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
NEWEST_EXTRACT = ROOT / "tests" / "specdiff" / "fixtures" / "plaid-upstream" / "2020-09-14_1.697.4.yaml"
_FILLER = (
    "This operation belongs to another product and is here only to give the document the size and shape of "
    "Plaid's published file; the comparison must read past it. "
)


def _renamed(node: Any, prefix: str) -> Any:
    """A deep copy whose local schema references point at `prefix`-renamed schemas, with descriptions added."""
    if isinstance(node, dict):
        out = {key: _renamed(value, prefix) for key, value in node.items()}
        if isinstance(out.get("$ref"), str):
            out["$ref"] = out["$ref"].replace("#/components/schemas/", f"#/components/schemas/{prefix}")
        elif "type" in out:
            out["description"] = _FILLER
        return out
    if isinstance(node, list):
        return [_renamed(value, prefix) for value in node]
    return node


def full_size_document(base: dict[str, Any], megabytes: float = 3.0) -> dict[str, Any]:
    """`base` plus other operations (`/other{i}/get`, schemas `Other{i}...`): the fewest that bring its YAML (as
    `write_yaml` writes it) to `megabytes`."""
    document = copy.deepcopy(base)
    operation = base["paths"]["/cra/check_report/partner_insights/get"]
    schemas = base["components"]["schemas"]

    def add_copy(index: int) -> None:
        prefix = f"Other{index}"
        document["paths"][f"/other{index}/get"] = _renamed(operation, prefix)
        for name, schema in schemas.items():
            document["components"]["schemas"][f"{prefix}{name}"] = _renamed(schema, prefix)

    # Measured, not estimated: one copy's share of the written file, with its nesting and its prefixed names.
    base_size = len(_dump(document).encode())
    add_copy(0)
    one_copy = len(_dump(document).encode()) - base_size
    copies = max(1, math.ceil((megabytes * 1_000_000 - base_size) / one_copy))
    for index in range(1, copies):
        add_copy(index)
    return document


def _dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))


def write_yaml(path: Path, document: dict[str, Any]) -> int:
    """Write `document` as YAML; return its size in bytes."""
    data = _dump(document)
    path.write_text(data)
    return len(data.encode())


def _children_cpu_seconds() -> float:
    """CPU time of finished child processes: on a shared machine the wall time also counts waiting for a core."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=3.0)
    args = parser.parse_args(argv)
    base = yaml.safe_load(NEWEST_EXTRACT.read_text())
    with tempfile.TemporaryDirectory(prefix="spec-diff-bench-") as tmp:
        big = Path(tmp) / "full.yaml"
        size = write_yaml(big, full_size_document(base, args.megabytes))
        commands = {
            "full vs full (same)": [str(big), str(big)],
            "ours vs full": [str(ROOT / "spec" / "openapi.yaml"), str(big)],
        }
        print(f"full-size document: {size / 1_000_000:.2f} MB, {len(yaml.safe_load(big.read_text())['paths'])} paths")
        for label, files in commands.items():
            cpu_before = _children_cpu_seconds()
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, str(ROOT / "codegen.py"), "diff", *files], capture_output=True, text=True, check=False
            )
            elapsed = time.perf_counter() - started
            cpu = _children_cpu_seconds() - cpu_before
            lines = len(result.stdout.splitlines())
            print(
                f"codegen.py diff, {label}: {elapsed:.2f} s wall, {cpu:.2f} s CPU "
                f"(exit {result.returncode}, {lines} lines)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
