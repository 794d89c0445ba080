"""The ``espeak`` engine: (text, espeak-ng voice) in, 22,050 Hz PCM and word boundaries out.

espeak-ng 1.52 from the ``espeakng-loader`` wheel, through ``espeak_lib``. Robotic
but instant (RTF ~0.002 on one core) and fully offline: what most tests use.
"""

from __future__ import annotations

import asyncio
import math
import re

from tts_export.common.lang import count_han
from tts_export.common.units import pcm_ms
from tts_export.engines.espeak.lib import EVENT_WORD, EspeakLibrary, Rendered, library
from tts_export.errors import ConfigError, EngineError
from tts_export.models import Boundary, Realization, Synthesis

ADAPTER_REVISION = 2  # 2: every call from a fresh library state (same input, same audio)
NORMAL_RATE = 175  # words per minute at speed 1.0 (espeakRATE_NORMAL)
# Measured on the wheel's voices: 25 pitch units change f0 by a factor of ~1.27.
_PITCH_STEP = math.log(1.27) / 25
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_EDGE = " \t\r\n,.;:!?，。、；：！？…—“”\"'‘’()（）《》「」【】-"


def espeak_pitch(shift_hz: int, voice: str) -> int:
    """Map a pitch shift in Hz to espeak's 0-99 scale (50 = the voice's own pitch).

    The base frequency is assumed from the variant (female variants ~190 Hz,
    others ~100 Hz), since espeak does not report it.
    """
    variant = voice.partition("+")[2]
    base = 190.0 if variant.startswith("f") else 100.0
    ratio = max(0.3, (base + shift_hz) / base)
    return max(0, min(99, 50 + round(math.log(ratio) / _PITCH_STEP)))


def espeak_rate(speed: float) -> int:
    """Words per minute for a speed multiplier, within espeak's 80-450."""
    return max(80, min(450, round(NORMAL_RATE * speed)))


class EspeakEngine:
    """espeak-ng through ctypes; one synthesis at a time (the library is global)."""

    name = "espeak"
    sample_rate = 22050
    max_jobs = 1

    def __init__(self, **options: object) -> None:
        """Load the library (a few ms).

        Raises:
            ConfigError: an option was given (this engine takes none).
            EngineUnavailable: espeak-ng cannot be loaded.
        """
        if options:
            key = next(iter(options))
            raise ConfigError(
                f"engine option {key}", options[key], "the espeak engine takes no options"
, hint="remove the engine options: espeak takes none")
        self._lib: EspeakLibrary = library(engine=self.name)
        self.sample_rate = self._lib.sample_rate
        self.version = f"espeak/{self._lib.version}/adapter-{ADAPTER_REVISION}"

    def check_voice(self, realization: Realization) -> None:
        """Raise when espeak-ng has no such voice or variant.

        Raises:
            VoiceError: unknown voice, unknown variant or a malformed name.
        """
        self._lib.check_voice(realization.voice)

    async def synthesize(self, text: str, realization: Realization) -> Synthesis:
        """Render ``text`` in a worker thread.

        Raises:
            VoiceError: unknown voice.
            EngineError: empty text or no audio produced.
        """
        if not text.strip():
            raise EngineError(
                self.name,
                "nothing to say: the text is empty",
                hint="the utterance has no speakable text",
            )
        rate = espeak_rate(realization.speed)
        pitch = espeak_pitch(realization.pitch, realization.voice)
        rendered = await asyncio.to_thread(
            self._lib.synthesize, text, realization.voice, rate=rate, pitch=pitch
        )
        if not rendered.pcm:
            raise EngineError(
                self.name,
                f"espeak-ng produced no audio for {text[:40]!r}",
                hint=(
                    "check the text has letters espeak-ng can read in this language, or use "
                    "--engine kokoro"
                ),
            )
        return Synthesis(
            pcm=rendered.pcm,
            sample_rate=rendered.sample_rate,
            boundaries=word_boundaries(text, rendered),
        )

    def estimate_ms(self, text: str) -> int:
        """About 230 ms per Han character and 330 ms per Latin word or number at speed 1."""
        cjk = count_han(text)
        words = len(_WORD.findall(text))
        pauses = sum(text.count(p) for p in "，。、；：！？,.;:!?")
        return cjk * 230 + words * 330 + pauses * 120

    async def aclose(self) -> None:
        """Nothing to release: the library stays loaded for the process."""


def word_boundaries(text: str, rendered: Rendered) -> tuple[Boundary, ...]:
    """Turn espeak's WORD events into boundaries.

    A word ends where the next word starts (or at the clip's end); its text is
    the input from its position up to the next word's, trimmed of spaces and
    punctuation (espeak's own ``length`` is unreliable for Han text).
    """
    duration = pcm_ms(rendered.pcm, rendered.sample_rate)
    words = [
        e for e in rendered.events if e.kind == EVENT_WORD and 0 < e.text_position <= len(text)
    ]
    out: list[Boundary] = []
    for i, event in enumerate(words):
        begin = event.text_position - 1
        nxt = words[i + 1] if i + 1 < len(words) else None
        stop = nxt.text_position - 1 if nxt is not None else len(text)
        piece = text[begin : max(stop, begin + event.length)].strip(_EDGE)
        if not piece:
            piece = text[begin : begin + max(1, event.length)].strip(_EDGE)
        if not piece:
            continue
        start = min(max(0, event.audio_ms), duration)
        end = min(nxt.audio_ms, duration) if nxt is not None else duration
        if out and start < out[-1].start_ms:
            continue  # espeak restarts audio positions only on a new message
        out.append(Boundary(start_ms=start, end_ms=max(start, end), text=piece))
    return tuple(out)
