"""Edge engine: (spoken text, Edge realization) in, 24 kHz PCM and word boundaries out.

Microsoft's online neural voices through the real ``edge_tts`` client. What
this adapter adds, because the service and the library fail in ways that
otherwise reach the user (DESIGN.md, "Engines"):

- one request per sentence, refused above ``MAX_SSML_BYTES`` (the library's
  own splitter does not split Chinese);
- voice names checked against a strict pattern (they go into SSML unescaped);
- ``stream()`` only, every attempt under ``asyncio.wait_for`` (the library's
  receive timeout does not fire on a stalled websocket);
- bounded retries with exponential backoff and full jitter, and a slowdown
  shared by all requests of the engine while many of them fail;
- checks on every clip (long enough for its text, not silent, boundaries
  inside it): a connection closed mid-audio gives short audio and no error.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import re
from collections import deque
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

import aiohttp
import edge_tts
import edge_tts.communicate
import edge_tts.constants
import edge_tts.exceptions
import numpy as np
from edge_tts.data_classes import TTSConfig

from tts_export.audio.ffmpeg import FfmpegError, decode_pcm
from tts_export.engines.edge.network import network_reason
from tts_export.engines.edge.voices import bundled_edge_names
from tts_export.errors import ConfigError, EngineError, EngineUnavailable, VoiceError
from tts_export.models import Boundary, Realization, Synthesis

ADAPTER_REVISION = 1
SAMPLE_RATE = 24_000  # the service's fixed output: MP3, 24 kHz, 48 kbit/s, mono
TICKS_PER_MS = 10_000  # edge-tts offsets and durations are ticks of 100 ns
URL_ENV = "TTS_EXPORT_EDGE_URL"
VOICE_PATTERN = re.compile(r"^[a-z]{2,3}-[A-Z]{2}(-[A-Za-z]+)?-[A-Za-z]+Neural$")
MAX_SSML_BYTES = 3072  # one request per sentence, far below the service's 4 KB
# Plausibility floor for a clip, at speed 1.0: Edge speaks Mandarin at ~220 ms
# per character and English at ~350 ms per word; a clip under these floors was cut.
MIN_MS_PER_CJK = 90
MIN_MS_PER_WORD = 140
SILENCE_RMS = 40.0  # about -58 dBFS: nothing audible
BOUNDARY_SLACK_MS = 150  # MP3 decoder delay and frame padding
SLOWDOWN_WINDOW = 10  # outcomes remembered for the shared slowdown
SLOWDOWN_THRESHOLD = 3  # failures within the window that start it
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_RETRY_STATUS = frozenset({403, 408, 425, 429})


class _ClipRejected(Exception):
    """A clip failed a check; it is retried like any other failure."""


@dataclass(frozen=True)
class _Failure:
    detail: str
    retryable: bool


class _Pacer:
    """The shared slowdown: while many recent attempts failed, every attempt waits.

    Loop-agnostic on purpose (no asyncio objects), so one engine can serve
    several ``asyncio.run`` calls.
    """

    def __init__(self, base_s: float, cap_s: float) -> None:
        self._base_s = base_s
        self._cap_s = cap_s
        self._recent: deque[bool] = deque(maxlen=SLOWDOWN_WINDOW)

    def record(self, ok: bool) -> None:
        self._recent.append(ok)

    def delay_s(self) -> float:
        failures = self._recent.count(False)
        if failures < SLOWDOWN_THRESHOLD:
            return 0.0
        return float(min(self._cap_s, self._base_s * 2 ** (failures - SLOWDOWN_THRESHOLD)))


class EdgeEngine:
    """Edge neural voices over edge-tts; needs the internet (or ``TTS_EXPORT_EDGE_URL``)."""

    name = "edge"
    sample_rate = SAMPLE_RATE

    def __init__(
        self,
        *,
        jobs: int = 4,
        deadline_s: float = 30,
        connect_timeout_s: float = 10,
        attempts: int = 5,
        backoff_s: float = 0.5,
        url: str | None = None,
        **unknown: object,
    ) -> None:
        """Check the options; open nothing yet (each request has its own connection).

        Args:
            jobs: requests in flight at once.
            deadline_s: the most one attempt may take, connection included.
            connect_timeout_s: the most the TCP/TLS connect may take.
            attempts: tries per sentence before giving up.
            backoff_s: first retry delay (doubled per retry, with full jitter).
            url: websocket endpoint; else ``TTS_EXPORT_EDGE_URL``; else edge-tts's own.

        Raises:
            ConfigError: an unknown option or a value out of range.
        """
        if unknown:
            key = next(iter(unknown))
            raise ConfigError(
                f"engine option {key}",
                unknown[key],
                "unknown edge option",
                hint="the edge engine takes jobs, deadline_s, connect_timeout_s, attempts, "
                "backoff_s and url",
            )
        _check_range("edge jobs", jobs, 1, 64, integer=True)
        _check_range("edge attempts", attempts, 1, 20, integer=True)
        _check_range("edge deadline_s", deadline_s, 0.05, 600)
        _check_range("edge connect_timeout_s", connect_timeout_s, 0.05, 600)
        _check_range("edge backoff_s", backoff_s, 0, 60)
        self.max_jobs = jobs
        self.deadline_s = float(deadline_s)
        self.attempts = attempts
        self.backoff_s = float(backoff_s)
        self.url = _endpoint(url)
        self.version = f"edge-tts-{edge_tts.__version__}/adapter-{ADAPTER_REVISION}"
        # edge-tts takes whole seconds; the deadline below is the real bound.
        self._connect_timeout = max(1, math.ceil(connect_timeout_s))
        self._receive_timeout = max(1, math.ceil(self.deadline_s))
        self._pacer = _Pacer(self.backoff_s, self.backoff_s * 16)
        self._random = random.Random()
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    # -- the Engine protocol ---------------------------------------------------

    def check_voice(self, realization: Realization) -> None:
        """Raise when the voice name, speed or pitch cannot be sent to Edge.

        Raises:
            VoiceError: a malformed voice name, or speed/pitch out of range.
        """
        _prosody(realization)

    async def synthesize(self, text: str, realization: Realization) -> Synthesis:
        """Render one sentence, retrying what can be retried.

        Raises:
            VoiceError: the realization cannot be sent (see ``check_voice``).
            EngineError: text with nothing to say or too long (not retryable), or every
                attempt failed (retryable, ``attempts`` set).
        """
        rate, pitch = _prosody(realization)
        if not any(ch.isalnum() for ch in text):
            raise EngineError(
                self.name,
                f"nothing to say in {text[:40]!r}: no letters or digits",
                hint="the utterance has no speakable text",
            )
        _check_size(text, realization.voice, rate, pitch)
        floor_ms = plausible_min_ms(text, realization.speed)
        failure = _Failure("no attempt made", True)
        for attempt in range(1, self.attempts + 1):
            outcome = await self._try(text, realization.voice, rate, pitch, floor_ms)
            if isinstance(outcome, Synthesis):
                return replace(outcome, attempts=attempt)
            failure = outcome
            if not failure.retryable:
                raise EngineError(
                    self.name,
                    failure.detail,
                    attempts=attempt,
                    hint="check the voice name and the endpoint URL",
                )
            if attempt < self.attempts:
                await asyncio.sleep(self._backoff_s(attempt))
        raise EngineError(
            self.name,
            f"gave up after {self.attempts} attempts: {failure.detail}",
            retryable=True,
            attempts=self.attempts,
            hint=_give_up_hint(realization.voice),
        )

    def estimate_ms(self, text: str) -> int:
        """About 220 ms per Han character and 65 ms per other letter or digit."""
        cjk = len(_CJK.findall(text))
        other = sum(1 for ch in text if ch.isalnum()) - cjk
        return cjk * 220 + other * 65

    async def aclose(self) -> None:
        """Nothing to release: every request opens and closes its own session."""

    # -- observability ---------------------------------------------------------

    @property
    def slowdown_s(self) -> float:
        """The extra wait every request pays now because many recent ones failed."""
        return self._pacer.delay_s()

    # -- internals -------------------------------------------------------------

    async def _try(
        self, text: str, voice: str, rate: str, pitch: str, floor_ms: int
    ) -> Synthesis | _Failure:
        """One paced attempt under the deadline; a checked clip, or what went wrong."""
        await asyncio.sleep(self._pacer.delay_s())
        try:
            async with self._semaphore():
                pcm, marks = await asyncio.wait_for(
                    self._request(text, voice, rate, pitch), self.deadline_s
                )
            boundaries = check_clip(pcm, marks, floor_ms)
        except (
            _ClipRejected,
            aiohttp.ClientError,
            OSError,  # TimeoutError from wait_for is one
            edge_tts.exceptions.EdgeTTSException,
            FfmpegError,
        ) as exc:
            self._pacer.record(False)
            return _classify(exc, self.deadline_s)
        self._pacer.record(True)
        return Synthesis(pcm, SAMPLE_RATE, boundaries)

    def _semaphore(self) -> asyncio.Semaphore:
        """``max_jobs`` slots, made for the running loop (the engine may outlive one)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(self.max_jobs))
        return self._slots[1]

    def _backoff_s(self, attempt: int) -> float:
        """Full jitter: uniform in [0, base * 2^(attempt-1)], capped."""
        return self._random.uniform(
            0, min(self.backoff_s * 16, self.backoff_s * 2 ** (attempt - 1))
        )

    async def _request(
        self, text: str, voice: str, rate: str, pitch: str
    ) -> tuple[bytes, list[tuple[float, float, str]]]:
        """One attempt: stream the MP3 and word marks, decode in a worker thread."""
        communicate = edge_tts.Communicate(
            text,
            voice,
            rate=rate,
            pitch=pitch,
            boundary="WordBoundary",
            connect_timeout=self._connect_timeout,
            receive_timeout=self._receive_timeout,
        )
        audio = bytearray()
        marks: list[tuple[float, float, str]] = []
        # The library reads this global when it connects, before its first
        # await; setting it here, with no await in between, keeps engines with
        # different endpoints in one process from crossing.
        edge_tts.communicate.WSS_URL = self.url  # type: ignore[attr-defined]
        async for chunk in communicate.stream():
            if chunk["type"] == "audio":
                audio += chunk.get("data", b"")
            elif chunk["type"] == "WordBoundary":
                marks.append(
                    (chunk.get("offset", 0.0), chunk.get("duration", 0.0), chunk.get("text", ""))
                )
        pcm = await asyncio.to_thread(decode_pcm, bytes(audio), sample_rate=SAMPLE_RATE)
        return pcm, marks


# -- checks -------------------------------------------------------------------


def plausible_min_ms(text: str, speed: float = 1.0) -> int:
    """The shortest clip ``text`` can honestly give at ``speed``; shorter means cut."""
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(text))
    return int((cjk * MIN_MS_PER_CJK + words * MIN_MS_PER_WORD) / max(speed, 0.5))


def check_clip(
    pcm: bytes, marks: list[tuple[float, float, str]], floor_ms: int
) -> tuple[Boundary, ...]:
    """Check a decoded clip and turn its word marks (ticks) into ms boundaries.

    Raises:
        _ClipRejected: too short for its text, silent, or a word beyond its end.
    """
    duration_ms = len(pcm) // 2 * 1000 // SAMPLE_RATE
    if duration_ms < floor_ms:
        raise _ClipRejected(
            f"clip is {duration_ms} ms, under the {floor_ms} ms its text needs (audio cut short)"
        )
    samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float64)
    rms = float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
    if rms < SILENCE_RMS:
        raise _ClipRejected(f"clip is silent (RMS {rms:.1f})")
    boundaries = []
    for offset, length, word in marks:
        start = round(offset / TICKS_PER_MS)
        end = round((offset + length) / TICKS_PER_MS)
        if start < 0 or end > duration_ms + BOUNDARY_SLACK_MS:
            raise _ClipRejected(
                f"word {word!r} at {start}-{end} ms lies outside the {duration_ms} ms clip "
                "(audio cut short)"
            )
        boundaries.append(
            Boundary(min(start, duration_ms), min(max(end, start), duration_ms), word)
        )
    return tuple(sorted(boundaries, key=lambda b: b.start_ms))


def _classify(exc: BaseException, deadline_s: float) -> _Failure:
    """Say what went wrong in a line, and whether another attempt may help."""
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return _Failure(f"the connection timed out ({type(exc).__name__})", True)
    if isinstance(exc, TimeoutError):
        return _Failure(f"no complete answer within the {deadline_s:g} s deadline", True)
    if isinstance(exc, aiohttp.ClientResponseError):
        retry = exc.status in _RETRY_STATUS or exc.status >= 500
        return _Failure(f"the service refused the connection (HTTP {exc.status})", retry)
    if isinstance(exc, _ClipRejected):
        return _Failure(str(exc), True)
    if isinstance(exc, edge_tts.exceptions.NoAudioReceived):
        return _Failure("the service sent no audio", True)
    if isinstance(exc, FfmpegError):
        return _Failure("the audio received could not be decoded", True)
    return _Failure(network_reason(exc), True)


def _give_up_hint(voice: str) -> str:
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


# -- options ------------------------------------------------------------------


def _prosody(realization: Realization) -> tuple[str, str]:
    """Edge's rate and pitch strings ("+10%", "+5Hz") for a valid realization.

    Raises:
        VoiceError: malformed voice name, speed outside 0.5-2.0, pitch outside ±100 Hz.
    """
    voice = realization.voice
    if not VOICE_PATTERN.fullmatch(voice):
        raise VoiceError(
            voice,
            "not an Edge voice name",
            hint="Edge voices look like zh-CN-XiaoxiaoNeural; list them with "
            "`tts-export voices --engine edge`",
        )
    if not 0.5 <= realization.speed <= 2.0:
        raise VoiceError(
            voice,
            f"speed {realization.speed} is outside 0.5-2.0",
            hint="set the profile's edge speed between 0.5 and 2.0",
        )
    if not -100 <= realization.pitch <= 100:
        raise VoiceError(
            voice,
            f"pitch {realization.pitch} Hz is outside -100..100",
            hint="set the profile's edge pitch between -100 and 100 Hz",
        )
    return f"{round((realization.speed - 1) * 100):+d}%", f"{int(realization.pitch):+d}Hz"


def _check_size(text: str, voice: str, rate: str, pitch: str) -> None:
    """Refuse text whose SSML would not go out as one small request.

    Raises:
        EngineError: not retryable; the hint says to split the sentence.
    """
    config = TTSConfig(voice, rate, "+0%", pitch, "WordBoundary")
    escaped = escape(edge_tts.communicate.remove_incompatible_characters(text))
    size = len(edge_tts.communicate.mkssml(config, escaped).encode("utf-8"))
    if size > MAX_SSML_BYTES:
        raise EngineError(
            "edge",
            f"a sentence of {len(text)} characters makes {size} bytes of SSML "
            f"(limit {MAX_SSML_BYTES})",
            hint="split the sentence in the transcript; the Edge service takes one "
            "short sentence per request",
        )


def _endpoint(url: str | None) -> str:
    """The websocket URL: the argument, else the environment, else edge-tts's default.

    Raises:
        ConfigError: not a ws:// or wss:// URL with a query string.
    """
    chosen = url or os.environ.get(URL_ENV) or edge_tts.constants.WSS_URL
    if not re.match(r"^wss?://[^\s?]+\?\S*$", chosen):
        source = "url" if url else URL_ENV
        raise ConfigError(
            source,
            chosen,
            "not a websocket URL with a query string",
            hint="use ws://HOST:PORT/PATH?KEY=VALUE or wss://...; edge-tts "
            "appends &ConnectionId=... to it",
        )
    return chosen


def _check_range(
    setting: str, value: object, low: float, high: float, *, integer: bool = False
) -> None:
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type or not low <= value <= high:  # type: ignore[operator]
        kind = "a whole number" if integer else "a number"
        raise ConfigError(setting, value, f"must be {kind} from {low:g} to {high:g}")
