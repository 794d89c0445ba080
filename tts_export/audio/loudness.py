"""Loudness: ITU-R BS.1770 metering, true peak and limiting in numpy, plus level planning.

Streams in, figures out: ``KFilter`` K-weights a signal block by block
(overlap-save FFT convolution with the filter's impulse response), a
``Meter`` sums the weighted power into 100 ms sub-blocks laid on the
programme's own time grid, and ``integrated_lufs`` gates 400 ms blocks made
of four sub-blocks (absolute gate -70 LUFS, relative gate -10 LU). True peak
uses 4x oversampling (a windowed-sinc polyphase interpolator) on the stretches
that can hold the peak. ``limit_true_peak`` is a look-ahead limiter for one
clip. The stitcher meters each speaker on the programme grid, so the levelled
programme's loudness is known exactly before anything is encoded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

Signal = npt.NDArray[np.float64]

SILENT_LUFS = -70.0  # BS.1770 absolute gate: below this nothing counts as programme
MAX_SPEAKER_GAIN_DB = 20.0  # never lift or cut one voice by more than this when levelling
# Real audio's true peak is never this much above its sample peak (a sine at fs/4
# sampled at 45 degrees, the usual worst case, reads 3.01 dB low).
_OVERSHOOT = 10 ** (3.5 / 20)
_TAPS = 24  # per phase of the 4x true-peak interpolator (error < 0.05 dB up to 0.85 Nyquist)


@dataclass(frozen=True)
class LoudnessReport:
    """BS.1770 figures of a file or stream.

    Attributes:
        integrated_lufs: gated integrated loudness; -70.0 (the gate) for silence.
        true_peak_dbtp: highest true peak over all channels; -inf for digital silence.
        lra: loudness range in LU (EBU Tech 3342).
        samples: samples per channel that were measured.
    """

    integrated_lufs: float
    true_peak_dbtp: float
    lra: float
    samples: int = 0

    @property
    def silent(self) -> bool:
        """True when nothing rose above the absolute gate."""
        return self.integrated_lufs <= SILENT_LUFS + 0.05


# --- K-weighting ------------------------------------------------------------------


def k_coefficients(rate: int) -> tuple[tuple[list[float], list[float]], ...]:
    """The two biquads of the K filter at ``rate`` (shelf, then RLB high-pass).

    Derived from the analogue prototypes as libebur128 does, so at 48 kHz they
    equal the coefficients printed in BS.1770-4.
    """
    k = math.tan(math.pi * 1681.974450955533 / rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (
        [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0],
        [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0],
    )
    k = math.tan(math.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    rlb = ([1.0, -2.0, 1.0], [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return shelf, rlb


@cache
def _k_impulse(rate: int) -> Signal:
    """The K filter's impulse response, cut where it has decayed below 1e-9."""
    n = 1 << 17
    z = np.exp(-2j * np.pi * np.fft.rfftfreq(n))
    response = np.ones_like(z)
    for b, a in k_coefficients(rate):
        response *= (b[0] + b[1] * z + b[2] * z**2) / (a[0] + a[1] * z + a[2] * z**2)
    h = np.fft.irfft(response, n)
    length = 4096 * max(1, -(-rate // 48000))
    return h[:length]


@cache
def _k_spectrum(rate: int, nfft: int) -> npt.NDArray[np.complex128]:
    return np.fft.rfft(_k_impulse(rate), nfft)


class KFilter:
    """K-weights a mono signal fed in blocks of any size (state kept between blocks)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._order = _k_impulse(rate).size - 1
        self._history = np.zeros(self._order)

    def process(self, block: npt.NDArray[np.floating]) -> Signal:
        """The weighted samples of ``block`` (same length), continuing the previous blocks."""
        out = np.empty(block.size)
        step = (1 << 16) - self._order
        for start in range(0, block.size, step):
            piece = block[start : start + step]
            ext = np.concatenate([self._history, piece])
            nfft = 1 << max(12, int(ext.size - 1).bit_length())
            y = np.fft.irfft(np.fft.rfft(ext, nfft) * _k_spectrum(self.rate, nfft), nfft)
            out[start : start + piece.size] = y[self._order : self._order + piece.size]
            self._history = ext[-self._order :]
        return out

    @property
    def tail(self) -> int:
        """Samples the response runs on after the input stops."""
        return self._order


# --- gated loudness ---------------------------------------------------------------


class Meter:
    """K-weighted power in 100 ms sub-blocks on a programme's time grid.

    ``add`` places a clip at a sample offset (its filter tail spills into the
    following sub-blocks, as it would in the stitched programme), so meters
    of separate voices add up to the meter of their mix when the voices do
    not overlap.
    """

    def __init__(self, rate: int, channels: int = 1) -> None:
        self.rate = rate
        self.sub = rate // 10
        self.channel_weight = float(channels)  # identical channels: power adds up
        self.energy = np.zeros(0)

    def _bins(self, upto: int) -> None:
        if upto > self.energy.size:
            self.energy = np.concatenate(
                [self.energy, np.zeros(max(upto - self.energy.size, 1024))]
            )

    def add_weighted(self, weighted: Signal, start: int) -> None:
        """Add already K-weighted samples starting at sample ``start`` of the programme."""
        if weighted.size == 0:
            return
        first, last = start // self.sub, (start + weighted.size - 1) // self.sub
        self._bins(last + 1)
        edges = np.arange(first + 1, last + 1) * self.sub - start
        sums = np.add.reduceat(weighted * weighted, np.concatenate([[0], edges]))
        self.energy[first : last + 1] += sums * self.channel_weight

    def add_clip(self, samples: npt.NDArray[np.floating], start: int) -> None:
        """K-weight a clip surrounded by silence and add it at sample ``start``."""
        kf = KFilter(self.rate)
        padded = np.concatenate([samples, np.zeros(kf.tail)])
        self.add_weighted(kf.process(padded), start)

    def scaled(self, gain_db: float) -> Signal:
        """The sub-block energies after a gain."""
        return self.energy * 10 ** (gain_db / 10)


def _block_loudness(energy: Signal, sub: int, width: int) -> Signal:
    """Loudness of each ``width``-sub-block window, hop one sub-block."""
    if energy.size < width:
        energy = np.concatenate([energy, np.zeros(width - energy.size)])
    sums = np.convolve(energy, np.ones(width), mode="valid") / (width * sub)
    with np.errstate(divide="ignore"):
        return np.asarray(-0.691 + 10 * np.log10(sums), dtype=np.float64)


def integrated_lufs(energy: Signal, sub: int) -> float:
    """Gated integrated loudness (BS.1770-4) from 100 ms sub-block energies.

    Args:
        energy: K-weighted power summed per 100 ms sub-block (all channels).
        sub: samples per sub-block.

    Returns:
        LUFS; ``SILENT_LUFS`` when no block passes the absolute gate.
    """
    loud = _block_loudness(energy, sub, 4)
    gated = loud[loud > SILENT_LUFS]
    if gated.size == 0:
        return SILENT_LUFS
    power = 10 ** ((gated + 0.691) / 10)
    relative = -0.691 + 10 * math.log10(power.mean()) - 10
    final = power[gated > relative]
    return max(SILENT_LUFS, -0.691 + 10 * math.log10(final.mean()))


def loudness_range(energy: Signal, sub: int) -> float:
    """EBU Tech 3342 loudness range: 3 s windows, gates -70 LUFS and -20 LU, 10th-95th pct."""
    short = _block_loudness(energy, sub, 30)
    gated = short[short > SILENT_LUFS]
    if gated.size == 0:
        return 0.0
    relative = 10 * math.log10(np.mean(10 ** (gated / 10))) - 20
    kept = gated[gated > relative]
    return float(np.percentile(kept, 95) - np.percentile(kept, 10))


# --- true peak --------------------------------------------------------------------


@cache
def _phases() -> tuple[Signal, ...]:
    """Phases 1-3 of a 4x windowed-sinc interpolator (phase 0 is the samples).

    Phase ``k`` holds the weights of samples ``m + d`` (d from 1 - _TAPS/2 to
    _TAPS/2) for the value at time ``m + k/4``.
    """
    d = np.arange(1 - _TAPS // 2, _TAPS // 2 + 1)
    window = np.kaiser(_TAPS, 7.0)
    return tuple(np.sinc(d - k / 4) * window for k in (1, 2, 3))


def peak_envelope(x: npt.NDArray[np.floating]) -> Signal:
    """Per sample, the largest magnitude of the signal in [n, n + 3/4] (4x oversampled)."""
    env: Signal = np.abs(x).astype(np.float64)
    lead = _TAPS - 1 + (1 - _TAPS // 2)  # index of y[0] in the full correlation
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
        lo, hi = max(0, a - _TAPS), min(x.size, b + _TAPS)
        best = max(best, float(peak_envelope(x[lo:hi])[a - lo : b - lo].max()))
    return best


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
        lo, hi = max(0, a - _TAPS), min(x.size, b + _TAPS)
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


# --- planning ---------------------------------------------------------------------


@dataclass(frozen=True)
class GainPlan:
    """Gains to apply while stitching, in dB.

    Attributes:
        speakers: speaker → levelling gain (brings every voice to a common level).
        programme: gain applied to everything after levelling.
        predicted_lufs: integrated loudness expected after both gains (all channels).
        predicted_peak_dbtp: highest true peak expected before limiting.
    """

    speakers: Mapping[str, float]
    programme: float
    predicted_lufs: float
    predicted_peak_dbtp: float

    def gain_db(self, speaker: str) -> float:
        """Total gain for one speaker's clips."""
        return self.speakers.get(speaker, 0.0) + self.programme


def plan_gains(
    levels: Mapping[str, LoudnessReport], *, target_lufs: float, channels: int = 1
) -> GainPlan:
    """Level the speakers against each other, then aim the programme at ``target_lufs``.

    Each speaker is brought to the power mean of the measured speakers'
    loudness (capped at ±20 dB); the programme gain is then the difference
    between that level and the target, less the 10·log10(channels) LU that
    duplicating a mono programme onto ``channels`` channels adds. The
    stitcher refines the programme gain with ``programme_gain``.

    Args:
        levels: each speaker's loudness, measured over that speaker's clips.
        target_lufs: integrated loudness wanted in the final file.
        channels: channels of the final file (1 or 2).

    Returns:
        The plan; all gains 0 when no speaker is above the gate.
    """
    loud = {s: r for s, r in levels.items() if not r.silent}
    if not loud:
        return GainPlan({s: 0.0 for s in levels}, 0.0, SILENT_LUFS, -math.inf)
    weights = {s: max(r.samples, 1) for s, r in loud.items()}
    total = sum(weights.values())
    common = 10 * math.log10(
        sum(weights[s] * 10 ** (r.integrated_lufs / 10) for s, r in loud.items()) / total
    )
    speakers = {
        s: (
            max(-MAX_SPEAKER_GAIN_DB, min(MAX_SPEAKER_GAIN_DB, common - r.integrated_lufs))
            if s in loud
            else 0.0
        )
        for s, r in levels.items()
    }
    programme = target_lufs - 10 * math.log10(channels) - common
    peak = max(r.true_peak_dbtp + speakers[s] for s, r in levels.items()) + programme
    return GainPlan(speakers, programme, common + programme + 10 * math.log10(channels), peak)


def programme_gain(
    meters: Mapping[str, Meter], speakers: Mapping[str, float], *, target_lufs: float
) -> tuple[float, float]:
    """The programme gain that brings the levelled mix of ``meters`` to ``target_lufs``.

    The meters' channel weight already accounts for the output's channels.
    Gating makes loudness not quite linear in gain (the absolute gate), so the
    gain is refined until the prediction is within 0.01 LU.

    Returns:
        (programme gain in dB, predicted integrated loudness).
    """
    first = next(iter(meters.values()))
    size = max(m.energy.size for m in meters.values())
    mix = np.zeros(size)
    for name, meter in meters.items():
        mix[: meter.energy.size] += meter.scaled(speakers.get(name, 0.0))
    gain, predicted = 0.0, integrated_lufs(mix, first.sub)
    if predicted <= SILENT_LUFS:
        return 0.0, SILENT_LUFS
    for _ in range(4):
        gain += target_lufs - predicted
        predicted = integrated_lufs(mix * 10 ** (gain / 10), first.sub)
        if abs(predicted - target_lufs) < 0.01:
            break
    return gain, predicted


# --- whole streams ----------------------------------------------------------------


def measure_stream(blocks: Iterable[bytes], rate: int, channels: int = 1) -> LoudnessReport:
    """BS.1770 figures of interleaved little-endian float32 PCM fed in blocks.

    Memory stays bounded by one block (plus 4 bytes per 100 ms of programme).

    Args:
        blocks: the PCM, split anywhere (a partial frame is carried over).
        rate: its sample rate.
        channels: interleaved channels, each weighted 1.0 (mono and stereo).

    Returns:
        Integrated loudness, true peak, loudness range and samples per channel.
    """
    meter = Meter(rate)
    filters = [KFilter(rate) for _ in range(channels)]
    frame = 4 * channels
    carry = b""
    position = 0
    peak = 0.0
    context = np.zeros((0, channels))  # samples before the block, for the interpolator
    counted = 0  # where in ``context + block`` the samples not yet peak-checked start
    for block in blocks:
        data = carry + block
        usable = len(data) // frame * frame
        carry = data[usable:]
        if not usable:
            continue
        x = np.frombuffer(data[:usable], dtype="<f4").reshape(-1, channels).astype(np.float64)
        power = np.zeros(x.shape[0])
        for c in range(channels):
            weighted = filters[c].process(x[:, c])
            power += weighted * weighted
        # The peak of the last _TAPS samples waits for the next block's context.
        ctx = np.concatenate([context, x])
        for c in range(channels):
            peak = max(peak, true_peak(ctx[:, c], peak, start=counted, stop=ctx.shape[0] - _TAPS))
        waiting = max(counted, ctx.shape[0] - _TAPS)  # first sample not yet checked
        keep = max(0, waiting - _TAPS)
        context, counted = ctx[keep:], waiting - keep
        meter.add_weighted(np.sqrt(power), position)
        position += x.shape[0]
    for c in range(channels):  # the stream's end: silence follows
        peak = max(peak, true_peak(context[:, c], peak, start=counted))
    energy = meter.energy[: -(-position // meter.sub)]
    lufs = integrated_lufs(energy, meter.sub)
    return LoudnessReport(
        integrated_lufs=lufs,
        true_peak_dbtp=20 * math.log10(peak) if peak > 0 else -math.inf,
        lra=loudness_range(energy, meter.sub),
        samples=position,
    )
