"""Synthetic speech for the audio tests: speech-like signals, WAV clips and timelines of them.

Clips are harmonic voicing + noise under a syllable envelope, written as real
WAV files, so every check can decode or measure what the real ffmpeg wrote.
Used by test_audio, test_audio_errors, test_trim, test_loudness, test_tags,
test_cover and test_cleanup.
"""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tts_export.audio.ebur128 import Ebur128Stream
from tts_export.audio.ffmpeg import decode_pcm
from tts_export.common.units import ms_to_samples, samples_to_ms
from tts_export.models import Chapter, Clip, Placement, Timeline, Utterance

RATE = 24000


def speech(
    seconds: float, level_db: float, *, rate: int = RATE, seed: int = 0, bursts: int = 0
) -> np.ndarray:
    """Speech-like float signal with an RMS of ``level_db`` dBFS over its syllables.

    ``bursts`` adds that many 3 ms plosive-like noise bursts peaking 24 dB above
    the RMS, so that a normalised programme needs its peak limiter.
    """
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    f0 = rng.uniform(110, 220)
    voiced = sum(
        np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 6)) / k**2
        for k in range(1, 40)
        if f0 * k < rate / 2
    )
    x = voiced + rng.standard_normal(n) * 0.05
    env = np.zeros(n)
    pos = 0
    while pos < n:  # whole syllables only, so the signal ends with a complete one
        length = min(int(rng.uniform(0.1, 0.25) * rate), n - pos)
        env[pos : pos + length] = np.hanning(length) * rng.uniform(0.4, 1.0)
        pos += length + int(rng.uniform(0.02, 0.08) * rate)
    x = x * env
    x = x / np.sqrt(np.mean(x[env > 0.05] ** 2)) * 10 ** (level_db / 20)
    for _ in range(bursts):
        at, width = int(rng.uniform(0.1, 0.9) * n), ms_to_samples(3, rate)
        burst = rng.standard_normal(width) * np.hanning(width)
        x[at : at + width] += burst / np.abs(burst).max() * 10 ** ((level_db + 24) / 20)
    clipped: np.ndarray = np.clip(x, -1.0, 1.0)
    return clipped


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.round(samples * 32767).astype("<i2").tobytes())
    return path


def make_timeline(
    folder: Path,
    speakers: Sequence[tuple[str, float]],
    *,
    clips_per_section: int = 4,
    sections: int = 3,
    rates: dict[int, int] | None = None,
    pause_ms: int = 400,
    sound_at: int | None = None,
    bursts: int = 0,
) -> Timeline:
    """A programme of alternating speakers; ``rates`` maps a clip index to its own rate."""
    placements: list[Placement] = []
    starts: list[tuple[str, int]] = []
    cursor = 500
    for i in range(clips_per_section * sections):
        name, level = speakers[i % len(speakers)]
        section = i // clips_per_section
        u = Utterance(
            f"s{section:02d}t{i:03d}u00",
            f"第{section + 1}节 = a;b#c",
            name,
            "…",
            "…",
            i + 1,
            i,
            section,
        )
        if i % clips_per_section == 0:
            starts.append((u.section or "", 0 if i == 0 else cursor))
        if sound_at == i:
            placements.append(Placement(u, None, cursor, cursor + 700))
            cursor += 700 + pause_ms
            continue
        rate = (rates or {}).get(i, RATE)
        samples = speech(1.2 + (i % 3) * 0.4, level, rate=rate, seed=i, bursts=bursts)
        path = write_wav(folder / f"clip{i:03d}.wav", samples, rate)
        ms = samples_to_ms(samples.size, rate)
        clip = Clip(u.id, str(path), rate, ms, (), "synthetic", "v", False)
        placements.append(Placement(u, clip, cursor, cursor + ms))
        cursor += ms + pause_ms
    total = cursor + 600
    chapters = tuple(
        Chapter(title, start, starts[j + 1][1] if j + 1 < len(starts) else total)
        for j, (title, start) in enumerate(starts)
    )
    return Timeline(tuple(placements), chapters, total, RATE)


def speaker_levels(path: Path, timeline: Timeline) -> dict[str, float]:
    """Loudness of each speaker's spans in a written file (decoded, then metered)."""
    pcm = np.frombuffer(decode_pcm(path, sample_rate=RATE), dtype="<i2").astype(np.float32) / 32768
    meters: dict[str, Ebur128Stream] = {}
    for p in timeline.placements:
        if p.clip is None:
            continue
        span = pcm[ms_to_samples(p.start_ms, RATE) : ms_to_samples(p.end_ms, RATE)]
        meters.setdefault(p.utterance.speaker, Ebur128Stream(RATE)).write(
            span.astype("<f4").tobytes()
        )
    return {name: meter.close().integrated_lufs for name, meter in meters.items()}


META = {
    "title": "回顾：Sora 2",
    "author": "人民公园说AI",
    "date": "2025-10-01",
    "summary": "第一行\n第二行",
    "category": "technology",
    "language": "zh",
    "series": "AI 周报",
    "tags": ["ai", "sora-2"],
}
