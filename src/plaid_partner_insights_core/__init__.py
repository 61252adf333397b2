"""The hand-written base that the generated code stands on, and nothing else.

The layers, each importing only those before it:

1. `plaid_partner_insights_core` (this package): the models' base class and parse helpers (`_models`), the exception
   hierarchy (`_exceptions`), the resource base (`_resource`), response and settings types (`_response`, `_config`).
   It imports no generated code and nothing of `plaid_partner_insights`.
2. `plaid_partner_insights_generated` (`generated/`, made by `codegen.py` from the spec): models, TypedDicts, one
   resource per group of operations, one exception class per error type, constants.
3. `plaid_partner_insights`: the clients and their base client, the public API, the CLI and the test tooling.

Nothing here is public under this name: `plaid_partner_insights` re-exports what callers use.
"""
