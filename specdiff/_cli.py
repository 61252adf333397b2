"""`python codegen.py diff OLD NEW` and `python codegen.py upstream [--record | --apply] [SPEC]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._compare import OPERATION_METHOD, OPERATION_PATH, compare_documents
from ._extract import upstream_extract
from ._load import Document, SpecReadError, load
from ._upstream import UpstreamRecord, is_older, read_record, record_upstream

ROOT = Path(__file__).resolve().parent.parent
OUR_SPEC = ROOT / "spec" / "openapi.yaml"
UPSTREAM_RECORD = ROOT / "spec" / "upstream.yaml"
UPSTREAM_EXTRACT = ROOT / "spec" / "upstream-extract.yaml"
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
    action = upstream.add_mutually_exclusive_group()
    action.add_argument(
        "--record",
        action="store_true",
        help="when nothing differs, record this upstream version and file hash in spec/upstream.yaml and its "
        "extract in spec/upstream-extract.yaml",
    )
    action.add_argument(
        "--apply",
        action="store_true",
        help="edit spec/openapi.yaml to say what upstream says (keeping our words and recorded deviations), "
        "record the release, regenerate, bump the version and add a CHANGELOG.md section; "
        "exit 1 and change nothing when the result would not validate, lint or generate",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "diff":
            return _diff(args.old, args.new)
        recorded = read_record(UPSTREAM_RECORD)
        theirs = load(args.spec or recorded.url)
        if args.apply:
            return _apply(theirs, recorded)
        return _upstream(theirs, recorded, record=args.record)
    except SpecReadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return UNREADABLE


def _diff(old_source: str, new_source: str) -> int:
    differences = compare_documents(load(old_source), load(new_source))
    for difference in differences:
        print(difference.line)
    return DIFFERENT if differences else SAME


def _upstream(theirs: Document, recorded: UpstreamRecord, *, record: bool) -> int:
    ours = load(str(OUR_SPEC))
    differences = recorded.unexplained(compare_documents(ours, theirs), theirs.version)
    for difference in differences:
        print(difference.line)
    in_step = theirs.version == recorded.version and theirs.sha256 == recorded.sha256
    if in_step:
        moved = ""
    elif is_older(theirs.version, recorded.version):
        moved = "; the file is an older release than the recorded one"
    elif theirs.version != recorded.version:
        moved = "; upstream moved since the recorded release"
    elif recorded.sha256 is None:
        moved = "; no file hash recorded yet"
    else:
        moved = f"; the file has the recorded version but another hash than the recorded {recorded.sha256[:12]}"
    print(
        f"upstream: {theirs.source} is {theirs.version or 'unversioned'} (sha256 {theirs.sha256[:12]}); "
        f"recorded: {recorded.version} (sha256 {(recorded.sha256 or 'none')[:12]}); "
        + (f"{len(differences)} unexplained difference(s)" if differences else "no unexplained differences")
        + moved,
        file=sys.stderr,
    )
    if record and not differences:
        record_upstream(UPSTREAM_RECORD, theirs.version, theirs.sha256)
        UPSTREAM_EXTRACT.write_text(upstream_extract(theirs, ours.content))
        print(
            f"upstream: recorded {theirs.version} in {UPSTREAM_RECORD.relative_to(ROOT)}, its extract in "
            f"{UPSTREAM_EXTRACT.relative_to(ROOT)}",
            file=sys.stderr,
        )
    return DIFFERENT if differences else SAME


def _apply(theirs: Document, recorded: UpstreamRecord) -> int:
    from ._apply import ApplyError
    from ._regenerate import Checkout, apply_release, describe

    try:
        outcome = apply_release(Checkout(ROOT), theirs)
    except ApplyError as exc:
        print(f"upstream --apply: {exc}\nupstream --apply: nothing was changed", file=sys.stderr)
        return DIFFERENT
    if outcome is None:
        print(
            f"upstream --apply: already in step with {theirs.version} (same file hash); nothing to do", file=sys.stderr
        )
        return SAME
    for line in describe(outcome, theirs, recorded.version):
        print(line)
    return SAME
