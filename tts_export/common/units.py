"""Time units: samples and 16-bit PCM byte counts to integer milliseconds and back; clock text.

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


HOUR_MS = 3_600_000


def shows_hours(duration_ms: int) -> bool:
    """Whether times in a programme of ``duration_ms`` are shown with hours (an hour or more)."""
    return duration_ms >= HOUR_MS


def clock(ms: int, *, hours: bool | None = None, pad: bool = False) -> str:
    """A time as people read it: ``m:ss``, or ``h:mm:ss`` (whole seconds, rounded down).

    The one formatter of clock times in the transcripts, the page and the reports.

    Args:
        ms: the time; a negative one shows as 0.
        hours: show hours (``h:mm:ss``); False shows minutes past 59 (``75:00``);
            None shows hours only when there is at least one.
        pad: two-digit minutes without hours (``05:03``, as the transcripts show them).
    """
    total = max(ms, 0) // 1000
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h if hours is None else hours:
        return f"{h}:{m:02d}:{s:02d}"
    minutes = h * 60 + m
    return f"{minutes:02d}:{s:02d}" if pad else f"{minutes}:{s:02d}"


def html_duration(ms: int) -> str:
    """A time as an HTML duration string (``PT1H2M3S``), for ``<time datetime>``.

    The one writer of machine-readable times in the transcripts and the page:
    whole seconds, rounded down, as ``clock`` shows them (a negative one is 0).
    """
    total = max(ms, 0) // 1000
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"PT{h}H{m}M{s}S"
