"""Kokoro waveforms: the model's float32 audio in, trimmed level-safe int16 PCM and spans out.

Each sentence the model renders carries silence (measured on the seed: ~390 ms
before the speech, ~640 ms after it). These steps find the speech, cut the
silence down to a margin, find pauses to cut grouped sentences apart at, and
scale a clip that would clip below -1 dBFS.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from tts_export.common.units import ms_to_samples, samples_to_ms
from tts_export.models import Boundary, Synthesis

SAMPLE_RATE = 24000  # the model's fixed output rate
EDGE_KEEP = ms_to_samples(150, SAMPLE_RATE)  # silence kept outside the speech at a clip's ends
PEAK_LIMIT = 10 ** (-1.05 / 20)  # a hair under -1 dBFS, so int16 rounding stays below it
QUIET_DB = -40.0  # a 10 ms window this far below the loud ones counts as a pause
WINDOW = SAMPLE_RATE // 100  # 10 ms
ONSET_REACH = ms_to_samples(200, SAMPLE_RATE)  # how far a word's start may move back to its sound

Float32Array = npt.NDArray[np.float32]


def to_pcm16(wave: Float32Array) -> bytes:
    """Float waveform -> little-endian int16; a clip peaking above -1 dBFS is scaled down."""
    return bytes(np.round(wave * peak_gain(wave) * 32767.0).astype("<i2").tobytes())


def peak_gain(wave: Float32Array) -> np.float32:
    """The factor that brings ``wave``'s peak down to ``PEAK_LIMIT`` (1 when it is under)."""
    peak = float(np.max(np.abs(wave))) if wave.size else 0.0
    return np.float32(PEAK_LIMIT / peak if peak > PEAK_LIMIT else 1.0)


def window_rms(wave: Float32Array) -> Float32Array:
    """RMS of each whole 10 ms window of ``wave`` (a partial last window is left out)."""
    n = wave.size // WINDOW
    frames = wave[: n * WINDOW].reshape(n, WINDOW)
    return np.asarray(np.sqrt(np.mean(frames * frames, axis=1)), dtype=np.float32)


def quiet_level(wave: Float32Array) -> float:
    """RMS under which a 10 ms window is a pause: QUIET_DB below the loud windows."""
    rms = window_rms(wave)
    reference = float(np.percentile(rms, 99)) if rms.size else 0.0
    return max(reference * 10 ** (QUIET_DB / 20), 1e-3)  # never under -60 dBFS


def speech_span(wave: Float32Array) -> tuple[int, int] | None:
    """First and last sample of speech (10 ms windows above the pause level), or None."""
    active = np.flatnonzero(window_rms(wave) > quiet_level(wave))
    if active.size == 0:
        return None
    return int(active[0]) * WINDOW, min(wave.size, (int(active[-1]) + 1) * WINDOW)


def quiet_cut(wave: Float32Array, lo: int, hi: int, level: float) -> int:
    """Where to cut ``wave`` between ``lo`` and ``hi``: the middle of the longest pause.

    Falls back to the quietest 10 ms window when no window is under ``level``.
    """
    rms = window_rms(wave[lo:hi])
    if rms.size == 0:
        return (lo + hi) // 2
    quiet = np.concatenate(([False], rms < level, [False]))
    edges = np.flatnonzero(quiet[1:] != quiet[:-1])  # run starts and ends, alternating
    if edges.size == 0:
        return lo + int(np.argmin(rms)) * WINDOW + WINDOW // 2
    starts, ends = edges[::2], edges[1::2]
    best = int(np.argmax(ends - starts))
    return lo + int(starts[best] + ends[best]) * WINDOW // 2


def edge_bounds(wave: Float32Array) -> tuple[int, int]:
    """Where to cut the model's lead and tail silence down to ``EDGE_KEEP`` samples."""
    span = speech_span(wave)
    if span is None:
        return 0, wave.size
    return max(0, span[0] - EDGE_KEEP), min(wave.size, span[1] + EDGE_KEEP)


def edge_trim(wave: Float32Array) -> Float32Array:
    """Cut the model's lead and tail silence to ``EDGE_KEEP`` samples."""
    start, end = edge_bounds(wave)
    return wave[start:end]


def fit_to_sound(
    wave: Float32Array, words: Sequence[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Words moved onto their sound: each ends where its sound ends and starts where it starts.

    The model lengthens the last token of a word before a pause (a tone mark,
    often by hundreds of ms), so a word's tokens run into the silence after
    it: its end moves back to its last 10 ms window of speech. After a pause a
    word's sound often starts a few windows before its first token: its start
    moves back to the start of that sound (at most ``ONSET_REACH``, never
    before the previous word's end).
    """
    active = window_rms(wave) > quiet_level(wave)
    out: list[tuple[int, int, str]] = []
    floor = 0
    for start, end, text in words:
        first, last = start // WINDOW, -(-end // WINDOW)
        heard = np.flatnonzero(active[first:last])
        if heard.size:
            end = min(end, (first + int(heard[-1]) + 1) * WINDOW)
        onset = first
        while (
            onset > max(floor, first - ONSET_REACH // WINDOW)
            and onset - 1 < active.size
            and active[onset - 1]
        ):
            onset -= 1
        if onset < first:
            start = max(floor * WINDOW, onset * WINDOW)
        out.append((start, max(start, end), text))
        floor = -(-max(start, end) // WINDOW)
    return out


def sentence_synthesis(
    wave: Float32Array, text: str, words: Sequence[tuple[int, int, str]] = ()
) -> Synthesis:
    """PCM of an already level-safe ``wave`` with its boundaries.

    Args:
        wave: the sentence's audio.
        text: the sentence.
        words: (first sample, end sample, text) of each word, when known; without
            them the one boundary is the sentence over its speech.
    """
    if words:
        boundaries = tuple(
            Boundary(samples_to_ms(a, SAMPLE_RATE), samples_to_ms(b, SAMPLE_RATE), piece)
            for a, b, piece in fit_to_sound(wave, words)
        )
    else:
        span = speech_span(wave) or (0, wave.size)
        start, end = (samples_to_ms(s, SAMPLE_RATE) for s in span)
        boundaries = (Boundary(start, end, text),)
    return Synthesis(pcm=to_pcm16(wave), sample_rate=SAMPLE_RATE, boundaries=boundaries)
