"""Stitching: a ``Timeline`` of cached WAV clips in, the programme as streamed float32 PCM out.

Clips are read one at a time and resampled when their engine's rate differs
from the programme's; gaps, head and tail are zero blocks. Time is linear in
the number of clips and memory is bounded by the longest clip.
"""

from __future__ import annotations

import itertools
import math
import wave
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

from tts_export.audio.limiter import limit_true_peak
from tts_export.common.units import ms_to_samples
from tts_export.errors import OutputError
from tts_export.models import Clip, Placement, Timeline

Samples = npt.NDArray[np.float32]


def _read_clip(clip: Clip, sample_rate: int) -> Samples:
    """A clip's samples as float32 in [-1, 1), resampled to ``sample_rate``.

    Raises:
        OutputError: the WAV file is missing or not mono 16-bit PCM.
    """
    try:
        with wave.open(clip.path, "rb") as handle:
            if handle.getnchannels() != 1 or handle.getsampwidth() != 2:
                raise OutputError(
                    clip.path,
                    "clip is not mono 16-bit PCM",
                    hint="clear the clip cache and render again",
                )
            rate = handle.getframerate()
            raw = handle.readframes(handle.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise OutputError(
            clip.path,
            f"cannot read the clip: {exc}",
            hint="the clip cache changed during the render; render again",
        ) from None
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return resample(samples, rate, sample_rate) if rate != sample_rate else samples


def _smooth(n: int) -> int:
    """The smallest number >= n with no prime factor above 5 (a fast FFT length)."""
    while True:
        m = n
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1


def resample(samples: Samples, src: int, dst: int) -> Samples:
    """Band-limited resampling of one clip (FFT method; exact output length).

    The length becomes ``round(len * dst / src)``; content above the lower
    Nyquist frequency is dropped rather than aliased. The clip is padded with
    silence to a length whose FFT is fast at both rates (and which keeps its
    end from wrapping round onto its start).
    """
    n_out = round(samples.size * dst / src)
    if samples.size == 0 or n_out == 0:
        return np.zeros(n_out, dtype=np.float32)
    g = math.gcd(src, dst)
    up, down = dst // g, src // g
    blocks = _smooth(-(-(samples.size + 64) // down))
    n_in, n_pad_out = blocks * down, blocks * up
    spectrum = np.fft.rfft(samples, n_in)
    bins = n_pad_out // 2 + 1
    if bins <= spectrum.size:
        spectrum = spectrum[:bins]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(bins - spectrum.size, spectrum.dtype)])
    out = np.fft.irfft(spectrum, n_pad_out)[:n_out] * (n_pad_out / n_in)
    return out.astype(np.float32)


def placed_clips(timeline: Timeline) -> Iterator[tuple[Placement, int, Samples]]:
    """Each placed clip with its first sample and its samples at the timeline's rate.

    A clip is cut where the next placement starts (or the programme ends), so
    a clip a fraction of a ms longer than its ``duration_ms`` never pushes the
    ones after it late.

    Raises:
        OutputError: a clip cannot be read.
    """
    rate = timeline.sample_rate
    total = ms_to_samples(timeline.duration_ms, rate)
    ordered = sorted(timeline.placements, key=lambda p: p.start_ms)
    starts = [ms_to_samples(p.start_ms, rate) for p in ordered]
    for i, placement in enumerate(ordered):
        start = starts[i]
        if placement.clip is None or start >= total:
            continue
        end = min(total, starts[i + 1]) if i + 1 < len(starts) else total
        yield placement, start, _read_clip(placement.clip, rate)[: max(0, end - start)]


def iter_programme(
    timeline: Timeline,
    gain_db: Callable[[str], float] | None = None,
    *,
    ceiling_dbtp: float | None = None,
    block: int = 1 << 16,
) -> Iterator[bytes]:
    """The programme as little-endian float32 mono PCM blocks at ``timeline.sample_rate``.

    One clip is in memory at a time; gaps, head and tail are zero blocks.
    Exactly ``ms_to_samples(duration_ms, sample_rate)`` samples are produced.

    Args:
        timeline: the placed clips.
        gain_db: speaker → gain applied to that speaker's clips.
        ceiling_dbtp: when set, each clip is limited to this true peak.
        block: the longest silence block, in samples.

    Raises:
        OutputError: a clip cannot be read.
    """
    rate = timeline.sample_rate
    total = ms_to_samples(timeline.duration_ms, rate)
    zeros = bytes(4 * block)
    cursor = 0
    ceiling = None if ceiling_dbtp is None else 10 ** (ceiling_dbtp / 20)
    for placement, start, samples in itertools.chain(placed_clips(timeline), [(None, total, None)]):
        while cursor < start:
            step = min(block, start - cursor)
            yield zeros[: 4 * step]
            cursor += step
        if placement is None or samples is None:
            break
        x = samples[cursor - start :].astype(np.float64)  # cut only when placements overlap
        if gain_db is not None:
            x *= 10 ** (gain_db(placement.utterance.speaker) / 20)
        if ceiling is not None:
            x = limit_true_peak(x, ceiling, rate)
        yield x.astype("<f4").tobytes()
        cursor += x.size
