"""Edge clip checks: decoded PCM and word marks (ticks) in; ms boundaries or a rejection out.

A connection closed mid-audio ends edge-tts's ``stream()`` with no error and
partial audio, so every clip is checked: long enough for its text, not
silent, and every word inside it.
"""

from __future__ import annotations

import re

import numpy as np

from tts_export.common.lang import count_han
from tts_export.common.units import pcm_ms
from tts_export.models import Boundary

SAMPLE_RATE = 24_000  # the service's fixed output: MP3, 24 kHz, 48 kbit/s, mono
TICKS_PER_MS = 10_000  # edge-tts offsets and durations are ticks of 100 ns
# Plausibility floor for a clip, at speed 1.0: Edge speaks Mandarin at ~220 ms
# per character and English at ~350 ms per word; a clip under these floors was cut.
MIN_MS_PER_CJK = 90
MIN_MS_PER_WORD = 140
SILENCE_RMS = 40.0  # about -58 dBFS: nothing audible
BOUNDARY_SLACK_MS = 150  # MP3 decoder delay and frame padding
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")

Mark = tuple[float, float, str]  # (offset, duration) in ticks, and the word


class ClipRejected(Exception):
    """A clip failed a check; it is retried like any other failure."""


def plausible_min_ms(text: str, speed: float = 1.0) -> int:
    """The shortest clip ``text`` can honestly give at ``speed``; shorter means cut."""
    cjk = count_han(text)
    words = len(_WORD.findall(text))
    return int((cjk * MIN_MS_PER_CJK + words * MIN_MS_PER_WORD) / max(speed, 0.5))


def check_clip(pcm: bytes, marks: list[Mark], floor_ms: int) -> tuple[Boundary, ...]:
    """Check a decoded clip and turn its word marks (ticks) into ms boundaries.

    Raises:
        ClipRejected: too short for its text, silent, or a word beyond its end.
    """
    duration_ms = pcm_ms(pcm, SAMPLE_RATE)
    if duration_ms < floor_ms:
        raise ClipRejected(
            f"clip is {duration_ms} ms, under the {floor_ms} ms its text needs (audio cut short)"
        )
    samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float64)
    rms = float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
    if rms < SILENCE_RMS:
        raise ClipRejected(f"clip is silent (RMS {rms:.1f})")
    boundaries = []
    for offset, length, word in marks:
        start = round(offset / TICKS_PER_MS)
        end = round((offset + length) / TICKS_PER_MS)
        if start < 0 or end > duration_ms + BOUNDARY_SLACK_MS:
            raise ClipRejected(
                f"word {word!r} at {start}-{end} ms lies outside the {duration_ms} ms clip "
                "(audio cut short)"
            )
        boundaries.append(
            Boundary(min(start, duration_ms), min(max(end, start), duration_ms), word)
        )
    return tuple(sorted(boundaries, key=lambda b: b.start_ms))
