"""Clip post-processing: an engine's raw PCM in, the speech trimmed to a margin and levelled out.

Runs once per clip before it is cached, so what the cache holds is what
the programme is stitched from.
"""

from __future__ import annotations

import numpy as np

from tts_export.common.units import ms_to_samples, samples_to_ms
from tts_export.errors import ConfigError
from tts_export.models import Boundary, Synthesis


def trim_silence(pcm: bytes, sample_rate: int, *, margin_ms: int = 40) -> tuple[bytes, int]:
    """Cut a clip to its speech plus ``margin_ms`` of what surrounds it on each side.

    A 10 ms window counts as speech when its RMS is within 45 dB of the
    loudest windows (the 99th percentile, so one click does not set the
    reference) and above -60 dBFS; the speech runs from the first to the last
    run of at least three such windows, so an isolated click before or after
    the speech is cut away with the silence.

    Args:
        pcm: mono 16-bit little-endian PCM.
        sample_rate: its sample rate in Hz.
        margin_ms: audio kept before the first and after the last speech window.

    Returns:
        The trimmed PCM and the number of whole ms removed from the start
        (word boundaries shift left by that much). A clip with no speech is
        returned unchanged with 0.

    Raises:
        ConfigError: ``sample_rate`` or ``margin_ms`` is not positive / is negative.
    """
    if sample_rate <= 0:
        raise ConfigError(
            "sample_rate",
            sample_rate,
            "must be a positive number of Hz",
            hint="leave --sample-rate out, or give e.g. 24000",
        )
    if margin_ms < 0:
        raise ConfigError(
            "trim_margin_ms",
            margin_ms,
            "must not be negative",
            hint="e.g. --trim-margin-ms 40",
        )
    x = np.frombuffer(pcm, dtype="<i2", count=len(pcm) // 2)
    win = max(1, sample_rate // 100)
    n = -(-x.size // win)  # the last, partial window counts too (zero-padded)
    if n < 3:
        return pcm, 0
    padded = np.zeros(n * win, dtype=np.float32)
    padded[: x.size] = x
    frames = padded.reshape(n, win)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    reference = float(np.percentile(rms, 99))
    floor = 32768.0 * 10 ** (-60 / 20)
    if reference < floor:
        return pcm, 0
    active = rms > max(reference * 10 ** (-45 / 20), floor)
    # Runs of >= 3 active windows: a window starts one when it and the next two are active.
    runs = active[:-2] & active[1:-1] & active[2:]
    hits = np.flatnonzero(runs)
    if hits.size == 0:
        return pcm, 0
    first, last = int(hits[0]), int(hits[-1]) + 2
    margin = ms_to_samples(margin_ms, sample_rate)
    removed_ms = samples_to_ms(max(0, first * win - margin), sample_rate)
    start = ms_to_samples(removed_ms, sample_rate)
    end = min(x.size, (last + 1) * win + margin)
    return x[start:end].tobytes(), removed_ms


def apply_gain(pcm: bytes, gain_db: float) -> bytes:
    """``pcm`` (16-bit) scaled by ``gain_db``, clipped to the 16-bit range."""
    if not gain_db:
        return pcm
    samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32)
    samples *= 10 ** (gain_db / 20)
    return np.clip(samples, -32768, 32767).astype(np.int16).tobytes()


def finish(synthesis: Synthesis, *, margin_ms: int, gain_db: float) -> Synthesis:
    """Trim a synthesis to its speech, apply the persona's gain, shift its boundaries to match."""
    pcm, removed_ms = trim_silence(synthesis.pcm, synthesis.sample_rate, margin_ms=margin_ms)
    pcm = apply_gain(pcm, gain_db)
    trimmed = Synthesis(pcm, synthesis.sample_rate, (), synthesis.attempts)
    duration = trimmed.duration_ms
    boundaries = tuple(
        Boundary(max(0, b.start_ms - removed_ms), min(duration, b.end_ms - removed_ms), b.text)
        for b in synthesis.boundaries
        if b.end_ms - removed_ms > 0 and b.start_ms - removed_ms < duration
    )
    return Synthesis(pcm, synthesis.sample_rate, boundaries, synthesis.attempts)
