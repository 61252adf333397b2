"""A semantic diff of Plaid's `POST /cra/check_report/partner_insights/get` between two OpenAPI documents.

Used by `python codegen.py diff OLD NEW` and `python codegen.py upstream [SPEC]`, and by the release check.
Both documents are brought to one canonical form (`_schema`), the operation's request, 200 and error bodies
are compared (`_compare`), and each difference is classified by the table in `_rules`. The other operations of
spec/openapi.yaml (the webhook key endpoint) and the webhook bodies are compared the same way where both
documents hold them. The classification decides the version bump (`_versioning`, shared with release_check.py).
`upstream --apply` edits our spec until the comparison finds nothing (`_apply`), then regenerates, bumps and
writes the changelog (`_regenerate`, `_changelog`).
"""

from ._apply import Applied, ApplyError, apply_upstream
from ._changelog import add_entry, changelog_section, upstream_entry
from ._cli import main
from ._compare import OPERATION_PATH, Bodies, Difference, compare_documents, operation_bodies
from ._load import Document, SpecReadError, load, parse
from ._rules import RULES, Change, Rule, is_breaking
from ._schema import Schema
from ._upstream import Deviation, UpstreamRecord, read_record, recorded_text
from ._versioning import Bump, next_version, required_bump

__all__ = [
    "OPERATION_PATH",
    "RULES",
    "Applied",
    "ApplyError",
    "Bodies",
    "Bump",
    "Change",
    "Deviation",
    "Difference",
    "Document",
    "Rule",
    "Schema",
    "SpecReadError",
    "UpstreamRecord",
    "add_entry",
    "apply_upstream",
    "changelog_section",
    "compare_documents",
    "is_breaking",
    "load",
    "main",
    "next_version",
    "operation_bodies",
    "parse",
    "read_record",
    "recorded_text",
    "required_bump",
    "upstream_entry",
]
