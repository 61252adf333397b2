"""`python codegen.py diff OLD NEW` and `python codegen.py upstream [SPEC]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._compare import OPERATION_METHOD, OPERATION_PATH, compare_documents
from ._load import SpecReadError, load
from ._upstream import read_record, record_upstream

ROOT = Path(__file__).resolve().parent.parent
OUR_SPEC = ROOT / "spec" / "openapi.yaml"
UPSTREAM_RECORD = ROOT / "spec" / "upstream.yaml"
# Exit codes, as documented in the README: the same, different, or input that cannot be read.
SAME, DIFFERENT, UNREADABLE = 0, 1, 2
OPERATION = f"{OPERATION_METHOD.upper()} {OPERATION_PATH}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="codegen.py",
        description=f"Compare {OPERATION} between OpenAPI documents: one line per difference, "
        "`breaking|non-breaking request|response|error <path>: <change>`. "
        "Exit 0 when they agree, 1 when they differ, 2 when an input cannot be read.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    diff = commands.add_parser("diff", help="compare the operation in two documents (paths or https URLs)")
    diff.add_argument("old")
    diff.add_argument("new")
    upstream = commands.add_parser(
        "upstream", help="compare spec/openapi.yaml with Plaid's spec; recorded deviations are not reported"
    )
    upstream.add_argument("spec", nargs="?", help="a path or https URL (default: the URL in spec/upstream.yaml)")
    upstream.add_argument(
        "--record",
        action="store_true",
        help="when nothing differs, record this upstream version and file hash in spec/upstream.yaml",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "diff":
            return _diff(args.old, args.new)
        return _upstream(args.spec, record=args.record)
    except SpecReadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return UNREADABLE


def _diff(old_source: str, new_source: str) -> int:
    differences = compare_documents(load(old_source), load(new_source))
    for difference in differences:
        print(difference.line)
    return DIFFERENT if differences else SAME


def _upstream(source: str | None, *, record: bool) -> int:
    recorded = read_record(UPSTREAM_RECORD)
    ours, theirs = load(str(OUR_SPEC)), load(source or recorded.url)
    differences = recorded.unexplained(compare_documents(ours, theirs))
    for difference in differences:
        print(difference.line)
    in_step = theirs.version == recorded.version and theirs.sha256 == recorded.sha256
    print(
        f"upstream: {theirs.source} is {theirs.version or 'unversioned'} (sha256 {theirs.sha256[:12]}); "
        f"recorded: {recorded.version} (sha256 {(recorded.sha256 or 'none')[:12]}); "
        + (f"{len(differences)} unexplained difference(s)" if differences else "no unexplained differences")
        + (
            ""
            if in_step
            else "; no file hash recorded yet"
            if recorded.sha256 is None and theirs.version == recorded.version
            else "; upstream moved since the recorded release"
        ),
        file=sys.stderr,
    )
    if record and not differences and not in_step:
        record_upstream(UPSTREAM_RECORD, theirs.version, theirs.sha256)
        print(f"upstream: recorded {theirs.version} in {UPSTREAM_RECORD.relative_to(ROOT)}", file=sys.stderr)
    return DIFFERENT if differences else SAME
