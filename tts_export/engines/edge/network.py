"""Readable one-line reasons for failures talking to the Edge service."""

from __future__ import annotations

import aiohttp


def network_reason(exc: BaseException) -> str:
    """A one-line, readable reason for a connection failure (no object reprs)."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        why = exc.os_error.strerror or type(exc.os_error).__name__
        return f"cannot connect to {exc.host}:{exc.port} ({why})"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"the service answered HTTP {exc.status}"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    return f"{type(exc).__name__}: {str(exc)[:160] or 'connection failed'}"
