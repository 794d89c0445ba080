"""BS.1770 loudness meter: PCM in (clips on a grid, or a whole stream), LUFS, LRA and true peak out.

``KFilter`` K-weights a signal block by block (overlap-save FFT convolution
with the filter's impulse response), a ``Meter`` sums the weighted power
into 100 ms sub-blocks laid on the programme's own time grid, and
``integrated_lufs`` gates 400 ms blocks made of four sub-blocks (absolute
gate -70 LUFS, relative gate -10 LU). ``measure_stream`` meters a whole
stream, true peak included (``limiter``). The stitcher meters each speaker
on the programme grid, so the levelled programme's loudness is known
exactly before anything is encoded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from tts_export.audio.limiter import TAPS, true_peak

Signal = npt.NDArray[np.float64]

SILENT_LUFS = -70.0  # BS.1770 absolute gate: below this nothing counts as programme


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
        # The peak of the last TAPS samples waits for the next block's context.
        ctx = np.concatenate([context, x])
        for c in range(channels):
            peak = max(peak, true_peak(ctx[:, c], peak, start=counted, stop=ctx.shape[0] - TAPS))
        waiting = max(counted, ctx.shape[0] - TAPS)  # first sample not yet checked
        keep = max(0, waiting - TAPS)
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
