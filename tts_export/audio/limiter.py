"""True peak and limiting: samples in, their 4x-oversampled peak or a limited copy out.

True peak uses 4x oversampling (a windowed-sinc polyphase interpolator) on
the stretches that can hold the peak (ITU-R BS.1770 Annex 2).
``limit_true_peak`` is a look-ahead limiter for one clip; the stitcher runs
it on each clip as it streams the programme.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

Signal = npt.NDArray[np.float64]

# Real audio's true peak is never this much above its sample peak (a sine at fs/4
# sampled at 45 degrees, the usual worst case, reads 3.01 dB low).
_OVERSHOOT = 10 ** (3.5 / 20)
TAPS = 24  # per phase of the 4x true-peak interpolator (error < 0.05 dB up to 0.85 Nyquist)


# --- true peak --------------------------------------------------------------------


@cache
def _phases() -> tuple[Signal, ...]:
    """Phases 1-3 of a 4x windowed-sinc interpolator (phase 0 is the samples).

    Phase ``k`` holds the weights of samples ``m + d`` (d from 1 - TAPS/2 to
    TAPS/2) for the value at time ``m + k/4``.
    """
    d = np.arange(1 - TAPS // 2, TAPS // 2 + 1)
    window = np.kaiser(TAPS, 7.0)
    return tuple(np.sinc(d - k / 4) * window for k in (1, 2, 3))


def peak_envelope(x: npt.NDArray[np.floating]) -> Signal:
    """Per sample, the largest magnitude of the signal in [n, n + 3/4] (4x oversampled)."""
    env: Signal = np.abs(x).astype(np.float64)
    lead = TAPS - 1 + (1 - TAPS // 2)  # index of y[0] in the full correlation
    for f in _phases():
        y = np.convolve(x, f[::-1], mode="full")[lead : lead + x.size]
        np.maximum(env, np.abs(y), out=env)
    return env


def true_peak(
    x: npt.NDArray[np.floating], floor: float = 0.0, *, start: int = 0, stop: int | None = None
) -> float:
    """Largest oversampled magnitude of ``x[start:stop]`` (linear).

    Samples outside ``start:stop`` serve as context only (beyond ``x`` is
    silence). Stretches whose samples stay 3.5 dB below ``max(floor, sample
    peak)`` are skipped, as they cannot hold the peak.
    """
    stop = x.size if stop is None else stop
    if stop <= start:
        return 0.0
    chunk = 2048
    n = -(-(stop - start) // chunk)
    padded = np.zeros(n * chunk)
    padded[: stop - start] = np.abs(x[start:stop])
    peaks = padded.reshape(n, chunk).max(axis=1)
    best = float(peaks.max())
    limit = max(floor, best) / _OVERSHOOT
    for i in np.flatnonzero(peaks >= limit).tolist():
        a, b = start + i * chunk, min(stop, start + (i + 1) * chunk)
        lo, hi = max(0, a - TAPS), min(x.size, b + TAPS)
        best = max(best, float(peak_envelope(x[lo:hi])[a - lo : b - lo].max()))
    return best


# --- limiting ---------------------------------------------------------------------


def _spread_min(m: Signal, reach: int) -> Signal:
    """Minimum over [j - reach, j + reach] for every j."""
    out = m.copy()
    for k in range(1, reach + 1):
        np.minimum(out[k:], m[:-k], out=out[k:])
        np.minimum(out[:-k], m[k:], out=out[:-k])
    return out


def _runs(flags: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first, end) index pairs of the runs of True in ``flags``."""
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(
        zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True)
    )


def limit_true_peak(x: Signal, ceiling: float, rate: int) -> Signal:
    """Limit a clip so its true peak stays at or below ``ceiling`` (linear).

    The gain each sample needs is taken per 2 ms block, spread to the two
    blocks either side (look-ahead and release), smoothed, and interpolated
    back to the samples; every sample still gets at least the reduction it
    needs, as each interpolated value mixes only blocks whose minimum covers
    that sample's block. Signals already below the ceiling come back
    unchanged (the same object).
    """
    target = ceiling * 0.99  # room for the gain's own slow modulation
    if x.size == 0 or float(np.abs(x).max()) * _OVERSHOOT < target:
        return x  # no inter-sample peak gets that far above the samples
    size = max(8, rate // 500)
    blocks = -(-x.size // size)
    padded = np.zeros(blocks * size)
    padded[: x.size] = np.abs(x)
    least = np.ones(blocks)  # the smallest gain each block needs
    hot = padded.reshape(blocks, size).max(axis=1) * _OVERSHOOT >= target
    for first, last in _runs(hot):
        a, b = first * size, min(x.size, last * size)
        lo, hi = max(0, a - TAPS), min(x.size, b + TAPS)
        env = np.ones(last * size - a) * 1e-12
        env[: b - a] = peak_envelope(x[lo:hi])[a - lo : b - lo]
        need = np.minimum(1.0, target / np.maximum(env, 1e-12))
        least[first:last] = need.reshape(-1, size).min(axis=1)
    if least.min() >= 1.0:
        return x
    spread = _spread_min(least, 2)
    smooth = np.convolve(np.pad(spread, 1, mode="edge"), [0.25, 0.5, 0.25], mode="valid")
    centres = np.arange(blocks) * size + (size - 1) / 2
    gain = np.interp(np.arange(x.size), centres, smooth)
    result: Signal = x * gain
    return result
