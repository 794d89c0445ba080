"""Time units: samples and 16-bit PCM byte counts to integer milliseconds and back.

Every time outside an engine adapter is an integer number of ms (docs/DESIGN.md, "Invariants");
these are the only conversions, always rounding down, so that the same
audio always gives the same times.
"""

from __future__ import annotations

BYTES_PER_SAMPLE = 2  # mono 16-bit PCM


def samples_to_ms(samples: int, sample_rate: int) -> int:
    """Whole ms that ``samples`` samples at ``sample_rate`` last (rounded down)."""
    return samples * 1000 // sample_rate


def ms_to_samples(ms: int, sample_rate: int) -> int:
    """Whole samples in ``ms`` ms at ``sample_rate`` (rounded down)."""
    return ms * sample_rate // 1000


def pcm_ms(pcm: bytes, sample_rate: int) -> int:
    """Duration of mono 16-bit PCM in whole ms."""
    return samples_to_ms(len(pcm) // BYTES_PER_SAMPLE, sample_rate)
