"""Reading an OpenAPI document from a path or an https URL, with one-line errors."""

from __future__ import annotations

import hashlib
import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# libyaml parses Plaid's 3 MB file in about a second; the pure-Python loader takes many times longer.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DOWNLOAD_TIMEOUT_SECONDS = 60


class SpecReadError(Exception):
    """A document that cannot be read or is not an OpenAPI document with the operation; one line of text."""


@dataclass(frozen=True)
class Document:
    """A parsed OpenAPI document, where it came from and the SHA-256 of its bytes."""

    source: str
    content: dict[str, Any]
    sha256: str

    @property
    def version(self) -> str:
        info = self.content.get("info")
        return str(info.get("version", "")) if isinstance(info, dict) else ""


def read_bytes(source: str) -> bytes:
    """The raw bytes of a local file or an https URL."""
    if source.startswith("https://"):
        try:
            with urllib.request.urlopen(source, timeout=_DOWNLOAD_TIMEOUT_SECONDS) as response:  # noqa: S310 (https only)
                data: bytes = response.read()
                return data
        except OSError as exc:
            raise SpecReadError(f"{source}: cannot download: {exc}") from None
    if "://" in source:
        raise SpecReadError(f"{source}: only local paths and https:// URLs are supported")
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise SpecReadError(f"{source}: cannot read: {exc.strerror or exc}") from None


def parse(source: str, data: bytes) -> Document:
    """Parse YAML or JSON bytes into a Document; anything but a mapping is an error."""
    try:
        # A safe loader, in C when available.
        content = json.loads(data) if source.endswith(".json") else yaml.load(data, Loader=_LOADER)  # noqa: S506
    except (yaml.YAMLError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SpecReadError(f"{source}: not valid YAML or JSON: {first_line}") from None
    if not isinstance(content, dict) or not ("openapi" in content or "swagger" in content):
        raise SpecReadError(f"{source}: not an OpenAPI document (no top-level `openapi` key)")
    return Document(source=source, content=content, sha256=hashlib.sha256(data).hexdigest())


def load(source: str) -> Document:
    """Read and parse one OpenAPI document."""
    return parse(source, read_bytes(source))
