"""A hostile or broken server, each case against a real loopback server: the exception type, the attempt count and
the bound (wall time within the timeout plus 1 s; memory growth under 100 MB, measured in a subprocess)."""

from __future__ import annotations

import asyncio
import functools
import gzip
import json
import logging
import struct
import subprocess
import sys
import time
import traceback
import zlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from plaid_partner_insights import (
    APITimeoutError,
    AsyncPartnerInsightsClient,
    ConfigurationError,
    PartnerInsightsClient,
    PlaidAPIError,
    ResponseTooLargeError,
    ResponseValidationError,
)

from .conftest import GetFn, full_response
from .faults import Drip, ScriptedServer, Stall, http_response, json_response

pytestmark = [
    # Seconds of waiting on timeouts and retries: run first under pytest-xdist, yet part of the quick loop.
    pytest.mark.long_running,
    # These tests stop reading bodies early on purpose. httpx's and httpcore's async byte streams iterate through
    # async generators, which trio reports when they are dropped unfinished (encode/httpx#3686); the connection
    # itself is closed by `response.aclose()`. Only that report is silenced, and only here.
    pytest.mark.filterwarnings(
        "ignore:Async generator 'http(x|core)\\..*was garbage collected before it had been exhausted:ResourceWarning"
    ),
]

MakeGet = Callable[..., GetFn]
MiB = 1024 * 1024


@functools.cache
def gzip_bomb() -> bytes:
    """1 GiB of zeros in about 1 MB of valid gzip (built from repeated flushed blocks, not by compressing 1 GiB)."""
    block = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH) == repeated  # steady state
    ending = compressor.flush()
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(block, crc)
    trailer = struct.pack("<II", crc, (1024 * MiB) & 0xFFFFFFFF)
    return first + repeated * 1023 + ending[:-8] + trailer


def gzipped(status: int, body: bytes) -> bytes:
    return http_response(status, gzip.compress(body), headers={"Content-Encoding": "gzip"})


# -- the deadline --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_drip_feed_cannot_hold_an_attempt_past_the_timeout(make_get: MakeGet, where: str) -> None:
    whole = json_response(200, full_response())
    head, _, body = whole.partition(b"\r\n\r\n")
    drip = Drip(b"", whole, 0.2) if where == "headers" else Drip(head + b"\r\n\r\n", body, 0.2)
    timeout = 1.0
    with ScriptedServer(drip) as server:
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as caught:
            make_get(base_url=server.url, timeout=timeout, max_retries=1)(user_id="usr_1")
        elapsed = time.monotonic() - started
    assert caught.value.attempts == 2
    assert server.attempts == 2
    assert "deadline" in str(caught.value)
    assert server.gaps()[0] <= timeout + 1  # the first attempt (and the tiny backoff)
    assert elapsed <= 2 * (timeout + 1)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_drip_feed_on_a_reused_connection_cannot_hold_an_attempt_past_the_timeout(mode: str) -> None:
    # The second request goes out on the first one's keep-alive connection, whose socket the sync client learns of
    # only when response headers arrive: these never do.
    first = http_response(200, json.dumps(full_response()), keep_alive=True)
    timeout = 1.0
    settings: dict[str, Any] = {"client_id": "c", "secret": "s", "timeout": timeout, "max_retries": 0}
    with ScriptedServer(first, Drip(b"", json_response(200, full_response()), 0.2), keep_alive=True) as server:
        if mode == "sync":
            with PartnerInsightsClient(base_url=server.url, **settings) as client:
                client.partner_insights.get(user_id="usr_1")
                started = time.monotonic()
                with pytest.raises(APITimeoutError) as caught:
                    client.partner_insights.get(user_id="usr_1")
                elapsed = time.monotonic() - started
        else:

            async def run() -> tuple[float, pytest.ExceptionInfo[APITimeoutError]]:
                async with AsyncPartnerInsightsClient(base_url=server.url, **settings) as client:
                    await client.partner_insights.get(user_id="usr_1")
                    started = time.monotonic()
                    with pytest.raises(APITimeoutError) as caught:
                        await client.partner_insights.get(user_id="usr_1")
                    return time.monotonic() - started, caught

            elapsed, caught = asyncio.run(run())
    assert server.attempts == 2
    assert server.connections == 1  # the second attempt did reuse the connection
    assert "deadline" in str(caught.value)
    assert elapsed <= timeout + 1


def test_an_httpx_timeout_keeps_its_phase_semantics(make_get: MakeGet) -> None:
    with ScriptedServer(Stall(5)) as server:
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as caught:
            make_get(base_url=server.url, timeout=httpx.Timeout(5.0, read=0.3), max_retries=0)(user_id="usr_1")
        elapsed = time.monotonic() - started
    assert caught.value.attempts == 1
    assert "deadline" not in str(caught.value)  # httpx's read timeout fired, not a deadline
    assert elapsed < 0.3 + 1


# -- bounded memory ------------------------------------------------------------------------------------------------

_PROBE = """
import asyncio, json, resource, sys
import httpx
import plaid_partner_insights
from plaid_partner_insights import AsyncPartnerInsightsClient, PartnerInsightsClient, PartnerInsightsError
import plaid_partner_insights_generated.client.models

def reset_peak():
    # Linux: forget the peak so far (the imports'), so that the peak read after the call is the call's own.
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False

def peak():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024

def current():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return peak()

mode, url, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
settings = {"client_id": "c", "secret": "s", "base_url": url, "max_retries": 2, "timeout": 60}
settings["retry_policy"] = plaid_partner_insights.RetryPolicy(backoff_initial=0.01, backoff_max=0.02)
if limit:
    settings["max_response_bytes"] = limit
before = current() if reset_peak() else peak()
try:
    if mode == "sync":
        with PartnerInsightsClient(**settings) as client:
            client.partner_insights.get(user_id="u")
    else:
        async def run():
            async with AsyncPartnerInsightsClient(**settings) as client:
                await client.partner_insights.get(user_id="u")
        asyncio.run(run())
    outcome = "no error"
except PartnerInsightsError as exc:
    outcome = type(exc).__name__
print(json.dumps({"outcome": outcome, "growth": peak() - before}))
"""


def _probe(mode: str, url: str, max_response_bytes: int = 0) -> dict[str, Any]:
    """Peak RSS growth of one call in a fresh interpreter (0: the default limit)."""
    argv = [sys.executable, "-c", _PROBE, mode, url, str(max_response_bytes)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize(
    ("case", "expected", "attempts"),
    [
        ("gzip bomb, 1 GiB inflated", "ResponseTooLargeError", 1),
        ("40 MiB body", "ResponseTooLargeError", 1),
        ("50 MB 503 body", "PlaidAPIError", 3),
    ],
)
def test_memory_stays_bounded(mode: str, case: str, expected: str, attempts: int) -> None:
    if case.startswith("gzip"):
        reply = http_response(200, gzip_bomb(), headers={"Content-Encoding": "gzip"})
    elif case.startswith("40"):
        reply = http_response(200, b'{"request_id": "' + b"x" * (40 * MiB) + b'"}')
    else:
        reply = http_response(503, b"<html>" + b"x" * (50 * 1000 * 1000), content_type="text/html")
    with ScriptedServer(reply) as server:
        result = _probe(mode, server.url)
    assert result["outcome"] == expected
    assert server.attempts == attempts
    assert result["growth"] < 100 * 1000 * 1000, f"{case}: grew {result['growth'] / MiB:.0f} MiB"


def test_the_memory_probe_sees_a_body_the_limit_lets_through(mode: str) -> None:
    # Positive control for the test above: with the limit raised, the same 40 MiB body is held, and measured.
    reply = http_response(200, b'{"request_id": "' + b"x" * (40 * MiB) + b'"}')
    with ScriptedServer(reply) as server:
        result = _probe(mode, server.url, max_response_bytes=64 * MiB)
    assert result["outcome"] == "no error"  # read whole and parsed: a request_id is all a report needs
    assert result["growth"] > 40 * MiB


def test_the_limit_applies_per_client_per_call_and_with_options(make_get: MakeGet) -> None:
    body = json.dumps(full_response()).encode()
    with ScriptedServer(http_response(200, body)) as server:
        with pytest.raises(ResponseTooLargeError) as caught:
            make_get(base_url=server.url, max_response_bytes=1024, max_retries=3)(user_id="usr_1")
        assert server.attempts == 1  # not retried
        error = caught.value
        assert (error.status_code, error.limit) == (200, 1024)
        assert "max_response_bytes=1024" in str(error)
        assert "to accept it" in str(error)
        # Exactly at the limit is fine; the per-call value wins over the client's.
        response = make_get(base_url=server.url, max_response_bytes=1024)(user_id="u", max_response_bytes=len(body))
        assert response.request_id == "req_full_1"
    with (
        ScriptedServer(http_response(200, body)) as server,
        PartnerInsightsClient(client_id="c", secret="s", base_url=server.url) as client,
    ):
        with pytest.raises(ResponseTooLargeError):
            client.with_options(max_response_bytes=100).partner_insights.get(user_id="u")
        assert client.partner_insights.get(user_id="u").request_id == "req_full_1"


def test_the_limit_counts_decompressed_bytes(make_get: MakeGet) -> None:
    body = json.dumps(full_response()).encode()
    reply = gzipped(200, body)
    limit = (len(reply) + len(body)) // 2  # more than is sent, less than it decodes to
    assert len(reply) < limit < len(body)
    with ScriptedServer(reply) as server:
        with pytest.raises(ResponseTooLargeError):
            make_get(base_url=server.url, max_response_bytes=limit)(user_id="usr_1")
        # Positive control: a gzipped body is decoded and parsed when it fits.
        assert make_get(base_url=server.url)(user_id="usr_1").to_dict() == full_response()


def test_a_long_error_body_keeps_only_an_excerpt(make_get: MakeGet) -> None:
    reply = http_response(502, "<html>" + "y" * (5 * MiB), content_type="text/html")
    with ScriptedServer(reply) as server, pytest.raises(PlaidAPIError) as caught:
        make_get(base_url=server.url, max_retries=1)(user_id="usr_1")
    assert server.attempts == 2
    assert caught.value.status_code == 502
    assert caught.value.body_excerpt is not None
    assert caught.value.body_excerpt.startswith("<html>yyy")
    assert len(caught.value.body_excerpt) <= 203


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "16MiB"])
def test_a_bad_max_response_bytes_is_named(value: object) -> None:
    with pytest.raises(ConfigurationError, match="max_response_bytes"):
        PartnerInsightsClient(client_id="c", secret="s", max_response_bytes=value)  # type: ignore[arg-type]


# -- every failure typed -------------------------------------------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000


def test_deep_json_in_a_200_is_a_validation_error(make_get: MakeGet) -> None:
    with ScriptedServer(http_response(200, DEEP)) as server, pytest.raises(ResponseValidationError) as caught:
        make_get(base_url=server.url)(user_id="usr_1")
    assert server.attempts == 1
    assert "nested too deeply" in str(caught.value)


@pytest.mark.parametrize(("status", "attempts"), [(400, 1), (503, 3)])
@pytest.mark.parametrize("log_level", [logging.WARNING, logging.INFO, logging.DEBUG])
def test_deep_json_error_bodies_keep_the_retry_rules_at_any_log_level(
    make_get: MakeGet, caplog: pytest.LogCaptureFixture, status: int, attempts: int, log_level: int
) -> None:
    caplog.set_level(log_level, logger="plaid_partner_insights")
    body = b'{"request_id": "req_deep", "x": ' + DEEP[:60_000] + DEEP[-60_000:] + b"}"
    with ScriptedServer(http_response(status, body)) as server, pytest.raises(PlaidAPIError) as caught:
        make_get(base_url=server.url, max_retries=2)(user_id="usr_1")
    assert type(caught.value) is PlaidAPIError
    assert server.attempts == attempts
    assert caught.value.status_code == status
    retry_lines = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retry_lines) == (attempts - 1 if log_level <= logging.INFO else 0)


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (http_response(200, b"definitely not gzip", headers={"Content-Encoding": "gzip"}), "could not be decoded"),
        (
            http_response(
                200, gzip.compress(json.dumps(full_response()).encode())[:300], headers={"Content-Encoding": "gzip"}
            ),
            "ends early",
        ),
        (http_response(200, b"\x00\x01", headers={"Content-Encoding": "br"}), "unsupported Content-Encoding 'br'"),
        (http_response(200, b'{"request_id": "\xff\xfe"}'), "not valid JSON"),
    ],
    ids=["corrupt gzip", "truncated gzip", "unknown encoding", "bad UTF-8"],
)
def test_undecodable_200_bodies_are_validation_errors(make_get: MakeGet, reply: bytes, message: str) -> None:
    with ScriptedServer(reply) as server, pytest.raises(ResponseValidationError) as caught:
        make_get(base_url=server.url, max_retries=2)(user_id="usr_1")
    assert server.attempts == 1
    assert message in str(caught.value)


def test_a_503_with_a_corrupt_gzip_body_is_still_retried(make_get: MakeGet) -> None:
    corrupt = http_response(503, b"\x1f\x8b garbage", headers={"Content-Encoding": "gzip"})
    with ScriptedServer(corrupt, corrupt, gzipped(200, json.dumps(full_response()).encode())) as server:
        response = make_get(base_url=server.url, max_retries=2)(user_id="usr_1")
    assert server.attempts == 3
    assert response.request_id == "req_full_1"


# -- repr ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("client_class", [PartnerInsightsClient, AsyncPartnerInsightsClient])
@pytest.mark.parametrize(
    "settings",
    [
        {"client_id": "c", "secret": ""},  # fails in the first check
        {"client_id": "c", "secret": "s", "timeout": -1},  # fails halfway through the settings
        {"client_id": "c", "secret": "s", "http_client": object()},  # fails after the settings
    ],
)
def test_repr_and_str_never_raise_at_any_stage(
    client_class: type[PartnerInsightsClient | AsyncPartnerInsightsClient], settings: dict[str, Any]
) -> None:
    half_built: list[Any] = []

    class Watched(client_class):  # type: ignore[valid-type, misc]
        def _configure(self, **kwargs: Any) -> None:
            half_built.append(self)
            super()._configure(**kwargs)

    never_initialised: list[object] = [object.__new__(client_class), object.__new__(Watched)]
    for instance in never_initialised:
        assert type(instance).__name__ in repr(instance)
        assert type(instance).__name__ in str(instance)
    with pytest.raises(ConfigurationError) as caught:
        Watched(**settings)
    assert "Watched(" in repr(half_built[0])
    assert "Watched(" in str(half_built[0])
    # A traceback that shows local variables calls repr() on the half-built client.
    rendered = "".join(traceback.TracebackException.from_exception(caught.value, capture_locals=True).format())
    assert "self = Watched(" in rendered
    assert "failed>" not in rendered
