"""Level planning: a ``Timeline`` in, a ``GainPlan`` (speaker and programme gains) out.

Pass 1 of the export: each speaker's clips are metered (BS.1770) on the
programme's own time grid, which gives the speaker gains and the exact
programme gain for the target; the clips the true-peak limiter will touch
are limited once to allow for the loudness it takes off.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from tts_export.audio.gains import GainPlan, plan_gains, programme_gain
from tts_export.audio.limiter import limit_true_peak
from tts_export.audio.loudness import SILENT_LUFS, LoudnessReport, Meter, integrated_lufs
from tts_export.audio.stitch import placed_clips
from tts_export.models import Timeline


def speaker_meters(timeline: Timeline, *, channels: int = 1) -> dict[str, Meter]:
    """K-weighted power of each speaker's clips, laid on the programme's time grid.

    Raises:
        OutputError: a clip cannot be read.
    """
    meters: dict[str, Meter] = {}
    for placement, start, samples in placed_clips(timeline):
        speaker = placement.utterance.speaker
        meter = meters.setdefault(speaker, Meter(timeline.sample_rate, channels))
        meter.add_clip(samples, start)
    return meters


def plan_levels(
    timeline: Timeline,
    *,
    target_lufs: float,
    channels: int = 1,
    ceiling_dbtp: float | None = None,
) -> GainPlan:
    """Speaker gains that level the voices, and the programme gain that hits the target.

    The prediction is exact for the stitched programme before limiting and
    encoding: the speakers' meters share the programme's 100 ms grid, so the
    levelled mix is metered with its pauses and gating as they will be. With
    ``ceiling_dbtp``, the clips the limiter will touch are limited once here
    and the programme gain is raised by the loudness the limiter takes off.

    Raises:
        OutputError: a clip cannot be read.
    """
    meters = speaker_meters(timeline, channels=channels)
    if not meters:
        return GainPlan({}, 0.0, SILENT_LUFS, -math.inf)
    levels = {
        name: LoudnessReport(integrated_lufs(m.energy, m.sub), -math.inf, 0.0, int(m.energy.size))
        for name, m in meters.items()
    }
    plan = plan_gains(levels, target_lufs=target_lufs, channels=channels)
    gain, predicted = programme_gain(meters, plan.speakers, target_lufs=target_lufs)
    plan = replace(plan, programme=gain, predicted_lufs=predicted)
    if ceiling_dbtp is None or predicted <= SILENT_LUFS:
        return plan
    return _allow_for_limiter(timeline, meters, plan, target_lufs, ceiling_dbtp)


def _allow_for_limiter(
    timeline: Timeline,
    meters: Mapping[str, Meter],
    plan: GainPlan,
    target_lufs: float,
    ceiling_dbtp: float,
) -> GainPlan:
    """Raise the programme gain by what limiting the hot clips takes off the mix.

    Raises:
        OutputError: a clip cannot be read.
    """
    rate = timeline.sample_rate
    first = next(iter(meters.values()))
    before, after = Meter(rate, 1), Meter(rate, 1)
    before.channel_weight = after.channel_weight = first.channel_weight
    for placement, start, samples in placed_clips(timeline):
        x = samples.astype(np.float64) * 10 ** (plan.gain_db(placement.utterance.speaker) / 20)
        y = limit_true_peak(x, 10 ** (ceiling_dbtp / 20), rate)
        if y is not x:
            before.add_clip(x, start)
            after.add_clip(y, start)
    if before.energy.size == 0:
        return plan  # nothing reaches the ceiling
    mix = np.zeros(max(m.energy.size for m in (*meters.values(), before, after)))
    for name, meter in meters.items():
        mix[: meter.energy.size] += meter.scaled(plan.gain_db(name))
    mix[: before.energy.size] -= before.energy
    mix[: after.energy.size] += after.energy
    limited = integrated_lufs(np.maximum(mix, 0.0), first.sub)
    if limited <= SILENT_LUFS:
        return plan
    return replace(plan, programme=plan.programme + target_lufs - limited)
