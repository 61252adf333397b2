"""The TLS settings of every httpx client the package makes itself, built once per process.

httpx builds a new `ssl.SSLContext` for each client, loading the whole CA bundle each time: tens of milliseconds
of CPU, more than a call to a local sandbox costs. A context is made to be shared (httpx shares one across all the
connections of a client), so the clients made here share one: what httpx would build by default (certifi's CA
bundle, or the files `SSL_CERT_FILE` / `SSL_CERT_DIR` name). It is built again when those variables change.
"""

from __future__ import annotations

import functools
import os
import ssl

import httpx

__all__ = ["default_tls_context"]

_TRUST_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR")


def default_tls_context() -> ssl.SSLContext:
    """httpx's default verifying context (`verify=True`, `trust_env=True`), shared while the trust settings hold."""
    return _context_for(tuple(os.environ.get(name) for name in _TRUST_VARIABLES))


@functools.lru_cache(maxsize=4)
def _context_for(trust_settings: tuple[str | None, ...]) -> ssl.SSLContext:
    del trust_settings  # the cache key: httpx reads the same variables itself
    return httpx.create_ssl_context(verify=True, trust_env=True)
