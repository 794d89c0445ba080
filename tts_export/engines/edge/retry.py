"""Edge retries: an attempt's exception in, whether and when to try again out.

Bounded retries with exponential backoff and full jitter, and a slowdown
shared by all requests of one engine while many of them fail.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

import aiohttp
import edge_tts.exceptions

from tts_export.audio.ffmpeg import FfmpegError
from tts_export.engines.edge.checks import ClipRejected
from tts_export.engines.edge.network import network_reason
from tts_export.engines.edge.options import URL_ENV
from tts_export.engines.edge.voices import bundled_edge_names
from tts_export.errors import EngineUnavailable

SLOWDOWN_WINDOW = 10  # outcomes remembered for the shared slowdown
SLOWDOWN_THRESHOLD = 3  # failures within the window that start it
BACKOFF_CAP = 16  # the longest retry delay, in multiples of the first
_RETRY_STATUS = frozenset({403, 408, 425, 429})


@dataclass(frozen=True)
class Failure:
    """What went wrong with one attempt, in a line, and whether another may help."""

    detail: str
    retryable: bool


class Pacer:
    """The shared slowdown: while many recent attempts failed, every attempt waits.

    Loop-agnostic on purpose (no asyncio objects), so one engine can serve
    several ``asyncio.run`` calls.

    Args:
        base_s: the wait once ``SLOWDOWN_THRESHOLD`` recent attempts failed,
            doubled for each further failure.
        cap_s: the longest wait.
    """

    def __init__(self, base_s: float, cap_s: float) -> None:
        self._base_s = base_s
        self._cap_s = cap_s
        self._recent: deque[bool] = deque(maxlen=SLOWDOWN_WINDOW)

    def record(self, ok: bool) -> None:
        """Remember one attempt's outcome."""
        self._recent.append(ok)

    def delay_s(self) -> float:
        """The wait every attempt pays now."""
        failures = self._recent.count(False)
        if failures < SLOWDOWN_THRESHOLD:
            return 0.0
        return float(min(self._cap_s, self._base_s * 2 ** (failures - SLOWDOWN_THRESHOLD)))


def jitter_delay_s(rng: random.Random, base_s: float, attempt: int) -> float:
    """Full jitter: uniform in [0, base * 2^(attempt-1)], capped at ``BACKOFF_CAP`` * base."""
    return rng.uniform(0, min(base_s * BACKOFF_CAP, base_s * 2 ** (attempt - 1)))


def classify(exc: BaseException, deadline_s: float) -> Failure:
    """Say what went wrong in a line, and whether another attempt may help."""
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return Failure(f"the connection timed out ({type(exc).__name__})", True)
    if isinstance(exc, TimeoutError):
        return Failure(f"no complete answer within the {deadline_s:g} s deadline", True)
    if isinstance(exc, aiohttp.ClientResponseError):
        retry = exc.status in _RETRY_STATUS or exc.status >= 500
        return Failure(f"the service refused the connection (HTTP {exc.status})", retry)
    if isinstance(exc, ClipRejected):
        return Failure(str(exc), True)
    if isinstance(exc, edge_tts.exceptions.NoAudioReceived):
        return Failure("the service sent no audio", True)
    if isinstance(exc, FfmpegError):
        return Failure("the audio received could not be decoded", True)
    return Failure(network_reason(exc), True)


def give_up_hint(voice: str) -> str:
    """What to try once every attempt for ``voice`` failed."""
    try:
        known = bundled_edge_names()
    except EngineUnavailable:
        known = frozenset({voice})  # no list to compare with: say nothing about the name
    if voice not in known:
        return (
            f"{voice!r} is not in the bundled Edge voice list: check the name with "
            "`tts-export voices --engine edge --refresh`"
        )
    return (
        "the Edge service needs the internet; check the connection (or "
        f"{URL_ENV}), try fewer --jobs, or use --fallback to render failures offline"
    )
