"""Gain planning: per-speaker loudness in, the speaker and programme gains that level it out.

Speakers are brought to a common level, then the programme gain aims the
levelled mix at the target; ``programme_gain`` refines that gain on the
speakers' meters, which share the programme's time grid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tts_export.audio.loudness import SILENT_LUFS, LoudnessReport, Meter, integrated_lufs

MAX_SPEAKER_GAIN_DB = 20.0  # never lift or cut one voice by more than this when levelling


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
