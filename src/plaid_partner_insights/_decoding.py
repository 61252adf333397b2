"""Reading a response body within a limit: decompressed a bounded step at a time, then decoded as JSON.

Nothing here does I/O: the transport hands each raw chunk it receives to a `BodyReader`, which says whether it wants
more, and the result (`Received`) is what the retry rules and the response interpretation look at.
"""

from __future__ import annotations

import json
import typing
import zlib

import httpx

from plaid_partner_insights_core._config import ERROR_BODY_MAX_BYTES

__all__ = ["ACCEPT_ENCODING", "EXCERPT_CHARS", "BodyReader", "Received", "TooDeep", "body_limit", "excerpt", "loads"]

EXCERPT_CHARS = 200
# Encodings the client can decode with a bound on the output; asked for explicitly so no other one is used.
ACCEPT_ENCODING = "gzip, deflate"
_DECODE_STEP = 64 * 1024  # decompressed bytes produced per step: memory stays flat whatever the ratio
_HEAD_BYTES = EXCERPT_CHARS * 4  # enough bytes for an excerpt of EXCERPT_CHARS characters, whatever the UTF-8


def excerpt(content: bytes) -> str:
    """The start of a body, as text, for an error message."""
    text = content[:_HEAD_BYTES].decode("utf-8", "replace")
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "..."


class TooDeep(ValueError):
    pass


def loads(content: bytes) -> typing.Any:
    """The JSON value of `content`; raises `ValueError` for anything unreadable, deep nesting included."""
    try:
        return json.loads(content)
    except RecursionError:
        raise TooDeep("JSON nested too deeply") from None


def body_limit(status: int, max_response_bytes: int) -> int:
    """How much of a body with this status to read: a success up to `max_response_bytes`; an error only as much as
    the error can need; a redirect nothing."""
    if 200 <= status < 300:
        return max_response_bytes
    if 300 <= status < 400:
        return 0
    return min(max_response_bytes, ERROR_BODY_MAX_BYTES)


class Received:
    """What one attempt got: the response (status and headers; its stream closed) and its body as far as it was read.

    `overflowed`: the body went on past the read limit. `decode_error`: the body could not be decompressed.
    """

    __slots__ = ("content", "decode_error", "overflowed", "response")

    def __init__(self, response: httpx.Response, content: bytes, overflowed: bool, decode_error: str | None) -> None:
        self.response = response
        self.content = content
        self.overflowed = overflowed
        self.decode_error = decode_error


class BodyReader:
    """Collects a body's decoded bytes from the raw chunks received, and stops at a limit.

    Decompression happens here, a bounded step at a time, so the limit applies to the decoded size and memory stays
    near it whatever the compression ratio (httpx inflates each received chunk whole).
    """

    __slots__ = ("_chunks", "_decoder", "_limit", "_preloaded", "_size", "decode_error", "overflowed", "response")

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self.response = response
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self.overflowed = False
        self.decode_error: str | None = None
        self._decoder: typing.Any = None
        # A transport that builds responses in memory (httpx.MockTransport) hands over the decoded body already.
        self._preloaded = response.is_stream_consumed
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if self._preloaded:
            self._keep(response.content)
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib framing, detected
        elif encoding not in ("", "identity"):
            self.decode_error = f"unsupported Content-Encoding {encoding[:EXCERPT_CHARS]!r}"

    @property
    def wants_more(self) -> bool:
        """False once reading further would be wasted: limit passed, undecodable, or nothing to read."""
        return self._limit > 0 and not self.overflowed and self.decode_error is None and not self._preloaded

    def feed(self, raw: bytes) -> bool:
        """Take one raw chunk; returns `wants_more`."""
        decoder = self._decoder
        if decoder is None:
            self._keep(raw)
            return self.wants_more
        try:
            self._keep(decoder.decompress(raw, _DECODE_STEP))
            while decoder.unconsumed_tail and self.wants_more:
                self._keep(decoder.decompress(decoder.unconsumed_tail, _DECODE_STEP))
        except zlib.error as exc:
            self.decode_error = f"invalid compressed data ({exc})"
        if decoder.unused_data and self.decode_error is None:
            self.decode_error = "data after the end of the compressed stream"
        return self.wants_more

    def _keep(self, data: bytes) -> None:
        room = self._limit - self._size
        if len(data) <= room:
            if data:
                self._chunks.append(data)
                self._size += len(data)
            return
        # Past the limit: an error needs only an excerpt of the start, so let the rest go at once.
        self.overflowed = True
        head = b""
        for chunk in [*self._chunks, data]:
            head += chunk[: _HEAD_BYTES - len(head)]
            if len(head) >= _HEAD_BYTES:
                break
        self._chunks = [head]
        self._size = len(head)

    def finish(self) -> Received:
        """The body read so far, once the transfer is over (or abandoned because `wants_more` turned false)."""
        decoder = self._decoder
        if decoder is not None and self.wants_more:
            try:
                self._keep(decoder.flush())
            except zlib.error as exc:  # pragma: no cover - flush after a clean stream does not fail
                self.decode_error = f"invalid compressed data ({exc})"
            if self.wants_more and not decoder.eof:
                self.decode_error = "compressed data ends early"
        return Received(self.response, b"".join(self._chunks), self.overflowed, self.decode_error)
