"""Fetching a Partner Insights report for `get` and `demo`, and saying what came back: the JSON, a summary for
humans, or one error line (with a `cause:` line per Item behind it, and when to retry a rate-limited call)."""

from __future__ import annotations

import json
import sys
import typing
import warnings
from collections.abc import Mapping

from .. import _spec
from ._exit import CommandError, UsageError

if typing.TYPE_CHECKING:
    from plaid_partner_insights_core._exceptions import PlaidAPIError

    from .._client import PartnerInsightsClient

__all__ = ["fetch", "format_api_error", "format_causes", "summarize"]


def fetch(client: PartnerInsightsClient, body: Mapping[str, object]) -> dict[str, typing.Any]:
    """The response as a dict; the client's deprecation warnings as `warning:` lines on stderr."""
    from plaid_partner_insights_core._exceptions import PartnerInsightsError, PlaidAPIError, RequestValidationError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        try:
            response = client.partner_insights.get(**typing.cast(typing.Any, body))
        except TypeError as exc:  # an unknown request field
            raise UsageError(
                str(exc).replace("get() got an unexpected keyword argument", "unknown request field")
            ) from None
        except RequestValidationError as exc:
            raise UsageError(f"invalid request field {exc}") from None
        except PlaidAPIError as exc:
            lines = [format_api_error(exc), *(f"  cause: {line}" for line in format_causes(exc))]
            raise CommandError("\n".join(lines)) from None
        except PartnerInsightsError as exc:
            raise CommandError(str(exc)) from None
        finally:
            for warning in caught:
                print(f"warning: {warning.message}", file=sys.stderr)
    return response.to_dict()


def format_api_error(exc: PlaidAPIError) -> str:
    """`ERROR_TYPE/ERROR_CODE: message (request_id=...)`, one line, with when to retry a rate-limited call."""
    if exc.error_type is None:
        head = f"HTTP {exc.status_code}: response is not a Plaid error: {exc.body_excerpt!r}"
    else:
        head = f"{exc.error_type}/{exc.error_code}: {exc.error_message}"
    head = " ".join(head.split())
    line = f"{head} (request_id={exc.request_id})" if exc.request_id else f"{head} (HTTP {exc.status_code})"
    return line + _when_to_retry(exc)


def _when_to_retry(exc: PlaidAPIError) -> str:
    from plaid_partner_insights_generated.client.errors import RateLimitExceededError

    if exc.retry_after is not None:
        return f"; retry after {exc.retry_after:g} s (Retry-After)"
    if isinstance(exc, RateLimitExceededError) or exc.status_code == 429:
        return "; retry later, with backoff (the answer named no Retry-After)"
    return ""


def format_causes(exc: PlaidAPIError) -> list[str]:
    """One line per entry of the error's `causes`, in the order received: `item ITEM_ID: ERROR_TYPE/ERROR_CODE:
    message`, or the entry's JSON when it is not shaped like a `Cause` (the spec leaves the entries' shape open)."""
    from plaid_partner_insights_generated.client.models import Cause

    from plaid_partner_insights_core._exceptions import ResponseValidationError

    received = exc.error.causes if exc.error is not None else None
    lines = []
    for entry in received or []:
        try:
            cause = Cause.from_dict(entry)
        except ResponseValidationError:
            text = json.dumps(entry, ensure_ascii=False)
        else:
            text = f"item {cause.item_id}: {cause.error_type}/{cause.error_code}: {cause.error_message}"
        lines.append(" ".join(text.split()))
    return lines


def _get(mapping: object, *keys: str) -> typing.Any:
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def summarize(response: Mapping[str, typing.Any]) -> str:
    """A few lines for humans: Prism scores, FICO scores, how many Items and accounts, warnings."""
    lines = [f"request_id: {response.get('request_id')}"]
    report = response.get("report")
    if not isinstance(report, dict):
        lines.append("no report in the response")
    else:
        lines.append(f"report_id: {report.get('report_id', '-')}  generated: {report.get('generated_time', '-')}")
        lines.extend(_prism_lines(report.get("prism")))
        lines.extend(_fico_lines(report.get("fico")))
        items = report.get("items") or []
        accounts = sum(len(item.get("accounts") or []) for item in items if isinstance(item, dict))
        lines.append(f"items: {len(items)}, accounts: {accounts}")
    warnings_list = response.get("warnings") or []
    lines.append(f"warnings: {len(warnings_list)}")
    for warning in warnings_list:
        cause = warning.get("cause") if isinstance(warning, dict) else None
        why = f" ({cause.get('error_type')}/{cause.get('error_code')})" if isinstance(cause, dict) else ""
        lines.append(f"  {_get(warning, 'warning_code')}{why}")
    return "\n".join(lines)


def _prism_lines(prism: object) -> list[str]:
    if not isinstance(prism, dict):
        return ["Prism Data: none"]
    lines = [f"Prism Data (status {prism.get('status')}):"]
    # Every product in the answer, known to the spec or not; the spec gives the display names.
    labels = {product.report_key: product.label for product in _spec.prism_products()}
    for key, product in prism.items():
        if not isinstance(product, dict):
            continue
        version = product.get("model_version", product.get("version", "?"))
        if "result" in product:
            result = product.get("result")
            detail = f"{len(result)} attributes" if isinstance(result, dict) else "no attributes"
        elif "score" not in product and product.get("error_reason"):
            detail = "no result"
        else:
            score = product.get("score")
            detail = f"score {score}" if score is not None else "no score"
        if product.get("error_reason"):
            detail += f" (error: {product['error_reason']})"
        lines.append(f"  {labels.get(key, key):<12} v{version:<6} {detail}")
    return lines


def _fico_lines(fico: object) -> list[str]:
    if not isinstance(fico, dict):
        return []
    lines = [f"UltraFICO (application {fico.get('lender_application_id')}):"]
    for result in fico.get("ultrafico_score_results") or []:
        score = _get(result, "ultrafico_score", "score")
        if score is not None:
            lines.append(f"  score {score} (version {_get(result, 'ultrafico_score', 'ultrafico_score_version')})")
        else:
            lines.append(f"  no score ({result.get('error_reason') or result.get('exclusion_code') or 'unknown'})")
    return lines
