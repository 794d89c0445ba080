"""Edge engine: (spoken text, Edge realization) in, 24 kHz PCM and word boundaries out.

Microsoft's online neural voices through the real ``edge_tts`` client. What
this adapter adds, because the service and the library fail in ways that
otherwise reach the user (docs/DESIGN.md, "Engines"):

- one request per sentence, refused above ``MAX_SSML_BYTES`` (the library's
  own splitter does not split Chinese), and voice names checked against a
  strict pattern (they go into SSML unescaped): ``options``;
- ``stream()`` only, every attempt under ``asyncio.wait_for`` (the library's
  receive timeout does not fire on a stalled websocket): here;
- bounded retries with exponential backoff and full jitter, and a slowdown
  shared by all requests of the engine while many of them fail: ``retry``;
- checks on every clip (long enough for its text, not silent, boundaries
  inside it): a connection closed mid-audio gives short audio and no error:
  ``checks``.
"""

from __future__ import annotations

import asyncio
import math
import random
from dataclasses import replace

import aiohttp
import edge_tts
import edge_tts.communicate
import edge_tts.exceptions

from tts_export.audio.ffmpeg import FfmpegError, decode_pcm
from tts_export.common.lang import count_han
from tts_export.engines.edge.checks import (
    SAMPLE_RATE,
    ClipRejected,
    Mark,
    check_clip,
    plausible_min_ms,
)
from tts_export.engines.edge.options import check_range, check_size, endpoint, prosody
from tts_export.engines.edge.retry import (
    BACKOFF_CAP,
    Failure,
    Pacer,
    classify,
    give_up_hint,
    jitter_delay_s,
)
from tts_export.errors import ConfigError, EngineError
from tts_export.models import Realization, Synthesis

ADAPTER_REVISION = 1


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
        check_range("edge jobs", jobs, 1, 64, integer=True)
        check_range("edge attempts", attempts, 1, 20, integer=True)
        check_range("edge deadline_s", deadline_s, 0.05, 600)
        check_range("edge connect_timeout_s", connect_timeout_s, 0.05, 600)
        check_range("edge backoff_s", backoff_s, 0, 60)
        self.max_jobs = jobs
        self.deadline_s = float(deadline_s)
        self.attempts = attempts
        self.backoff_s = float(backoff_s)
        self.url = endpoint(url)
        self.version = f"edge-tts-{edge_tts.__version__}/adapter-{ADAPTER_REVISION}"
        # edge-tts takes whole seconds; the deadline below is the real bound.
        self._connect_timeout = max(1, math.ceil(connect_timeout_s))
        self._receive_timeout = max(1, math.ceil(self.deadline_s))
        self._pacer = Pacer(self.backoff_s, self.backoff_s * BACKOFF_CAP)
        self._random = random.Random()
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    # -- the Engine protocol ---------------------------------------------------

    def check_voice(self, realization: Realization) -> None:
        """Raise when the voice name, speed or pitch cannot be sent to Edge.

        Raises:
            VoiceError: a malformed voice name, or speed/pitch out of range.
        """
        prosody(realization)

    async def synthesize(self, text: str, realization: Realization) -> Synthesis:
        """Render one sentence, retrying what can be retried.

        Raises:
            VoiceError: the realization cannot be sent (see ``check_voice``).
            EngineError: text with nothing to say or too long (not retryable), or every
                attempt failed (retryable, ``attempts`` set).
        """
        rate, pitch = prosody(realization)
        if not any(ch.isalnum() for ch in text):
            raise EngineError(
                self.name,
                f"nothing to say in {text[:40]!r}: no letters or digits",
                hint="the utterance has no speakable text",
            )
        check_size(text, realization.voice, rate, pitch)
        floor_ms = plausible_min_ms(text, realization.speed)
        failure = Failure("no attempt made", True)
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
                await asyncio.sleep(jitter_delay_s(self._random, self.backoff_s, attempt))
        raise EngineError(
            self.name,
            f"gave up after {self.attempts} attempts: {failure.detail}",
            retryable=True,
            attempts=self.attempts,
            hint=give_up_hint(realization.voice),
        )

    def estimate_ms(self, text: str) -> int:
        """About 220 ms per Han character and 65 ms per other letter or digit."""
        cjk = count_han(text)
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
    ) -> Synthesis | Failure:
        """One paced attempt under the deadline; a checked clip, or what went wrong."""
        await asyncio.sleep(self._pacer.delay_s())
        try:
            async with self._semaphore():
                pcm, marks = await asyncio.wait_for(
                    self._request(text, voice, rate, pitch), self.deadline_s
                )
            boundaries = check_clip(pcm, marks, floor_ms)
        except (
            ClipRejected,
            aiohttp.ClientError,
            OSError,  # TimeoutError from wait_for is one
            edge_tts.exceptions.EdgeTTSException,
            FfmpegError,
        ) as exc:
            self._pacer.record(False)
            return classify(exc, self.deadline_s)
        self._pacer.record(True)
        return Synthesis(pcm, SAMPLE_RATE, boundaries)

    def _semaphore(self) -> asyncio.Semaphore:
        """``max_jobs`` slots, made for the running loop (the engine may outlive one)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(self.max_jobs))
        return self._slots[1]

    async def _request(
        self, text: str, voice: str, rate: str, pitch: str
    ) -> tuple[bytes, list[Mark]]:
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
        marks: list[Mark] = []
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
