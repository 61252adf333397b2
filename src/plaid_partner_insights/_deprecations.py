"""Deprecated request fields: warnings, and the helper that moves `options` to `partner_insights`."""

from __future__ import annotations

import typing
import warnings
from collections.abc import Mapping

if typing.TYPE_CHECKING:
    from plaid_partner_insights_generated.typed_dicts import (
        CraCheckReportPartnerInsightsGetOptions,
        CraCheckReportPartnerInsightsGetPartnerInsights,
    )

__all__ = ["migrate_options", "prepare_options"]

OPTIONS_DEPRECATED = (
    "`options` is deprecated: pass partner_insights={'prism_versions': {...}} instead "
    "(plaid_partner_insights.migrate_options() converts it)"
)
PRISM_PRODUCTS_REMOVED = (
    "`options.prism_products` was removed by Plaid; this client does not send it. "
    "Choose Prism products and versions with `partner_insights.prism_versions`"
)


def prepare_options(options: Mapping[str, object] | None, stacklevel: int) -> Mapping[str, object] | None:
    """What to send for a (validated) `options` value, warning about it; `None` means send nothing."""
    if options is None:
        return None
    warnings.warn(OPTIONS_DEPRECATED, DeprecationWarning, stacklevel=stacklevel)
    if "prism_products" in options:
        warnings.warn(PRISM_PRODUCTS_REMOVED, DeprecationWarning, stacklevel=stacklevel)
        options = {key: value for key, value in options.items() if key != "prism_products"}
    return options or None


def migrate_options(
    options: CraCheckReportPartnerInsightsGetOptions | None,
    partner_insights: CraCheckReportPartnerInsightsGetPartnerInsights | None = None,
) -> CraCheckReportPartnerInsightsGetPartnerInsights:
    """Move the deprecated `options.prism_versions` into a `partner_insights` value.

    Returns a new `partner_insights` dict: a copy of `partner_insights` (if given) whose `prism_versions` also holds
    the versions from `options.prism_versions`. A product set in both keeps the `partner_insights` version.
    `options.prism_products`, which Plaid removed, is dropped. Neither argument is modified.

        client.partner_insights.get(user_id=user_id, partner_insights=migrate_options(old_options))
    """
    result: dict[str, object] = dict(partner_insights or {})
    old_versions = (options or {}).get("prism_versions") or {}
    current_versions = typing.cast("Mapping[str, object]", result.get("prism_versions") or {})
    merged = {**old_versions, **current_versions}
    if merged:
        result["prism_versions"] = merged
    return typing.cast("CraCheckReportPartnerInsightsGetPartnerInsights", result)
