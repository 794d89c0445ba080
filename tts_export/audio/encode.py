"""Audio export: a ``Timeline`` in, one tagged, chaptered, loudness-normalised file out.

Clips are read one at a time, resampled when their engine's rate differs,
levelled per speaker, limited and streamed as PCM (silence as zero blocks)
into one ffmpeg encoder, so time is linear in the number of clips and memory
is bounded by the longest clip. Loudness follows ITU-R BS.1770 (our own numpy
meter, ``loudness``): pass 1 meters each speaker's clips on the programme's
time grid, which gives the speaker gains and the exact programme gain for the
target; the clips the true-peak limiter will touch are limited once to allow
for the loudness it takes off; for lossy formats the first 90 s are encoded
as a probe to learn what the codec's low-pass takes off. Pass 2 encodes with
the limiter; the written file is then decoded and measured, and encoded once
more with the measured error taken off when it missed the target by more
than half a LU or its true peak is above -1 dBTP (rare: a safety net).
"""

from __future__ import annotations

import itertools
import math
import os
import tempfile
import wave
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tts_export.audio.ffmpeg import count_samples, decode_blocks, run_fed
from tts_export.audio.loudness import (
    SILENT_LUFS,
    GainPlan,
    LoudnessReport,
    Meter,
    integrated_lufs,
    limit_true_peak,
    measure_stream,
    plan_gains,
    programme_gain,
)
from tts_export.audio.tags import (
    CHAPTER_FORMATS,
    FFMPEG_COVER,
    VORBIS_COVER,
    cover_mime,
    ffmetadata,
    tags_from_meta,
    write_id3_comment,
    write_vorbis_extras,
)
from tts_export.errors import ConfigError, OutputError
from tts_export.files import write_json
from tts_export.models import Chapter, Clip, Placement, Timeline

Samples = npt.NDArray[np.float32]

TRUE_PEAK_CEILING = -1.0  # dBTP, the platforms' limit
TOLERANCE_LU = 0.5  # a first encode further than this from the target is redone once


@dataclass(frozen=True)
class _Format:
    muxer: str
    codec: str
    mono: str | None  # default bitrate; None = lossless or quality-based
    stereo: str | None
    quality: tuple[str, ...] = ()
    options: tuple[str, ...] = ()  # encoder options always given
    lossy: bool = True
    rates: tuple[int, ...] = ()  # sample rates the codec takes; () = any
    # True-peak ceiling of our limiter in dBTP: lossy codecs overshoot it
    # (their low-pass rings), so they get room below the -1 dBTP limit.
    ceiling: float = -2.0


_MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
FORMATS: Mapping[str, _Format] = {
    # Speed settings: LAME's algorithm level 7 and ffmpeg's "fast" AAC coder encode an
    # hour of speech in about 10 s instead of 20 s (LAME 5) or 110 s (AAC "twoloop"),
    # with no audible loss for spoken word at these bitrates.
    "mp3": _Format(
        "mp3", "libmp3lame", "96k", "128k", rates=_MP3_RATES, options=("-compression_level", "7")
    ),
    "m4a": _Format("ipod", "aac", "96k", "128k", options=("-aac_coder", "fast")),
    "m4b": _Format("ipod", "aac", "96k", "128k", options=("-aac_coder", "fast")),
    "ogg": _Format("ogg", "libvorbis", None, None, quality=("-q:a", "4")),
    "opus": _Format("opus", "libopus", "48k", "64k", rates=(8000, 12000, 16000, 24000, 48000)),
    "flac": _Format("flac", "flac", None, None, ceiling=-1.3, lossy=False),
    "wav": _Format("wav", "pcm_s16le", None, None, ceiling=-1.3, lossy=False),
}


@dataclass(frozen=True)
class AudioResult:
    """What ``write_audio`` wrote, measured from the file itself.

    Attributes:
        path: the audio file.
        duration_ms: length measured from the decoded samples.
        integrated_lufs: BS.1770 integrated loudness of the file (None when
            loudness normalisation is off: then only the length is measured).
        true_peak_dbtp: its true peak in dBTP (None when off).
        lra: its loudness range in LU (None when off).
        fmt: the format name.
        sample_rate: the encoded sample rate.
        channels: 1 or 2.
        bitrate: the bitrate asked of the encoder (None: lossless or quality-based).
        speaker_gain_db: levelling gain given to each speaker's clips.
        programme_gain_db: gain applied to the whole programme after levelling.
        encodes: how many times the programme was encoded (2 after a correction).
    """

    path: Path
    duration_ms: int
    integrated_lufs: float | None
    true_peak_dbtp: float | None
    lra: float | None
    fmt: str
    sample_rate: int
    channels: int
    bitrate: str | None
    speaker_gain_db: Mapping[str, float]
    programme_gain_db: float
    encodes: int


# --- reading clips --------------------------------------------------------------


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


def _placed(timeline: Timeline) -> Iterator[tuple[Placement, int, Samples]]:
    """Each placed clip with its first sample and its samples at the timeline's rate.

    A clip is cut where the next placement starts (or the programme ends), so
    a clip a fraction of a ms longer than its ``duration_ms`` never pushes the
    ones after it late.

    Raises:
        OutputError: a clip cannot be read.
    """
    rate = timeline.sample_rate
    total = timeline.duration_ms * rate // 1000
    ordered = sorted(timeline.placements, key=lambda p: p.start_ms)
    starts = [p.start_ms * rate // 1000 for p in ordered]
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
    Exactly ``duration_ms * sample_rate // 1000`` samples are produced.

    Args:
        timeline: the placed clips.
        gain_db: speaker → gain applied to that speaker's clips.
        ceiling_dbtp: when set, each clip is limited to this true peak.
        block: the longest silence block, in samples.

    Raises:
        OutputError: a clip cannot be read.
    """
    rate = timeline.sample_rate
    total = timeline.duration_ms * rate // 1000
    zeros = bytes(4 * block)
    cursor = 0
    ceiling = None if ceiling_dbtp is None else 10 ** (ceiling_dbtp / 20)
    for placement, start, samples in itertools.chain(_placed(timeline), [(None, total, None)]):
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


def speaker_meters(timeline: Timeline, *, channels: int = 1) -> dict[str, Meter]:
    """K-weighted power of each speaker's clips, laid on the programme's time grid.

    Raises:
        OutputError: a clip cannot be read.
    """
    meters: dict[str, Meter] = {}
    for placement, start, samples in _placed(timeline):
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
    for placement, start, samples in _placed(timeline):
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


# --- encoding -------------------------------------------------------------------


def _check_args(
    timeline: Timeline, fmt: str, channels: int, sample_rate: int | None, loudness: float | None
) -> _Format:
    if fmt not in FORMATS:
        raise ConfigError(
            "format", fmt, "not a known audio format", hint=f"use one of {', '.join(FORMATS)}"
        )
    if channels not in (1, 2):
        raise ConfigError("channels", channels, "must be 1 or 2")
    if sample_rate is not None and not 8000 <= sample_rate <= 192000:
        raise ConfigError("sample_rate", sample_rate, "must be from 8000 to 192000 Hz")
    if loudness is not None and not -40.0 <= loudness <= -5.0:
        raise ConfigError("loudness", loudness, "must be from -40 to -5 LUFS, or off")
    if timeline.duration_ms <= 0 or timeline.sample_rate <= 0:
        raise OutputError(
            "<timeline>",
            "the programme is empty: nothing to encode",
            hint="check that the transcript has speaker turns",
        )
    return FORMATS[fmt]


def _output_rate(spec: _Format, wanted: int) -> int:
    if not spec.rates or wanted in spec.rates:
        return wanted
    higher = [r for r in spec.rates if r >= wanted]
    return higher[0] if higher else spec.rates[-1]


@dataclass(frozen=True)
class _Job:
    timeline: Timeline
    spec: _Format
    tmp: Path
    rate: int
    channels: int
    bitrate: str | None
    metadata: Path
    cover: Path | None
    ceiling_dbtp: float | None


def _encode(job: _Job, gain_db: Callable[[str], float] | None) -> None:
    """Stream the programme into one ffmpeg process writing ``job.tmp``.

    Raises:
        FfmpegError: ffmpeg failed.
        OutputError: a clip cannot be read.
    """
    cmd = ["-f", "f32le", "-ar", str(job.timeline.sample_rate), "-ac", "1", "-i", "pipe:0"]
    cmd += ["-f", "ffmetadata", "-i", str(job.metadata)]
    if job.cover is not None:
        cmd += ["-i", str(job.cover)]
    cmd += ["-map", "0:a", "-map_metadata", "1"]
    cmd += ["-map_chapters", "1" if job.spec.muxer != "wav" else "-1"]
    if job.cover is not None:
        cmd += ["-map", "2:v", "-c:v", "copy", "-disposition:v", "attached_pic"]
    cmd += ["-c:a", job.spec.codec, "-ar", str(job.rate), "-ac", str(job.channels)]
    cmd += ["-b:a", job.bitrate] if job.bitrate else list(job.spec.quality)
    cmd += job.spec.options
    if job.spec.muxer == "mp3":
        cmd += ["-id3v2_version", "3", "-write_xing", "1"]
    cmd += ["-f", job.spec.muxer, str(job.tmp)]
    run_fed(cmd, iter_programme(job.timeline, gain_db, ceiling_dbtp=job.ceiling_dbtp))


def _measure(job: _Job) -> LoudnessReport:
    """Decode the written file and meter it (BS.1770, all channels).

    Raises:
        FfmpegError: ffmpeg cannot decode it.
    """
    # Opus always decodes at 48 kHz: a lower rate would smooth away its peaks.
    rate = 48000 if job.spec.codec == "libopus" else job.rate
    blocks = decode_blocks(job.tmp, sample_rate=rate, channels=job.channels)
    report = measure_stream(blocks, rate, job.channels)
    return replace(report, samples=report.samples * job.rate // rate)


PROBE_MS = 90_000  # programme encoded first to learn what the codec does to loudness


def _codec_loss(job: _Job, plan: GainPlan) -> float:
    """Loudness a lossy codec takes off (its low-pass drops K-weighted treble), in LU.

    The programme's first ``PROBE_MS`` are encoded with the same settings to
    a scratch file next to the output, decoded and metered against what went
    in. Returns 0 when the excerpt is silent.

    Raises:
        FfmpegError: ffmpeg failed.
        OutputError: a clip cannot be read.
    """
    tl = job.timeline
    end = min(tl.duration_ms, PROBE_MS)
    placements = tuple(p for p in tl.placements if p.end_ms <= end)
    excerpt = Timeline(placements, (), end, tl.sample_rate)
    before = measure_stream(
        iter_programme(excerpt, plan.gain_db, ceiling_dbtp=job.ceiling_dbtp), tl.sample_rate
    )
    if before.silent:
        return 0.0
    probe = replace(
        job, timeline=excerpt, tmp=job.tmp.with_name(job.tmp.name + ".probe"), cover=None
    )
    try:
        _encode(probe, plan.gain_db)
        after = _measure(probe)
    finally:
        probe.tmp.unlink(missing_ok=True)
    return 0.0 if after.silent else before.integrated_lufs - after.integrated_lufs


def _encode_and_check(
    job: _Job, plan: GainPlan, target: float | None
) -> tuple[LoudnessReport, int, GainPlan]:
    """Encode, measure the file, and encode once more if it missed the target."""
    if target is None:  # levels left alone: only the length is measured
        _encode(job, None)
        samples = count_samples(job.tmp, sample_rate=job.rate)
        return LoudnessReport(math.nan, math.nan, math.nan, samples=samples), 1, plan
    if job.spec.lossy:
        plan = replace(plan, programme=plan.programme + _codec_loss(job, plan))
    _encode(job, plan.gain_db)
    report = _measure(job)
    if report.silent:
        return report, 1, plan
    error = target - report.integrated_lufs
    overshoot = report.true_peak_dbtp - TRUE_PEAK_CEILING
    if abs(error) <= TOLERANCE_LU and overshoot <= 0:
        return report, 1, plan
    plan = replace(plan, programme=plan.programme + error)
    assert job.ceiling_dbtp is not None
    job = replace(job, ceiling_dbtp=max(job.ceiling_dbtp - max(0.0, overshoot + 0.3), -12.0))
    _encode(job, plan.gain_db)
    return _measure(job), 2, plan


def write_audio(
    timeline: Timeline,
    path: Path,
    *,
    fmt: str = "mp3",
    bitrate: str | None = None,
    sample_rate: int | None = None,
    channels: int = 1,
    loudness: float | None = -19.0,
    meta: Mapping[str, Any] | None = None,
    cover: Path | None = None,
) -> AudioResult:
    """Encode the timeline into one audio file with tags, cover art and chapters.

    Args:
        timeline: placed clips (mono 16-bit WAV files) on a programme of
            ``duration_ms`` at ``sample_rate``; gaps, head and tail are silence.
        path: the file to write (written to a temporary name, then renamed).
        fmt: mp3, m4a, m4b, ogg, opus, flac or wav.
        bitrate: encoder bitrate such as "96k"; None for the spoken-word default.
        sample_rate: output sample rate; None keeps the timeline's (Opus and
            MP3 take the nearest rate their codec supports).
        channels: 1 (mono) or 2 (the mono programme on both channels).
        loudness: integrated loudness target in LUFS, or None to leave levels alone.
        meta: front matter, mapped to tags (title, artist, album, date, ...).
        cover: a JPEG or PNG for cover art (not stored in WAV).

    Returns:
        What was written, with duration and loudness measured from the file.

    Raises:
        ConfigError: a bad format, channel count, rate, loudness or cover.
        OutputError: a clip cannot be read or the file cannot be written.
        FfmpegError: ffmpeg failed.
    """
    spec = _check_args(timeline, fmt, channels, sample_rate, loudness)
    if cover is not None:
        cover_mime(cover)
    path = Path(path)
    # Ogg gets its chapters from mutagen after encoding (see tags.write_vorbis_extras).
    chapters = timeline.chapters if fmt in CHAPTER_FORMATS and fmt not in VORBIS_COVER else ()
    plan = GainPlan({}, 0.0, 0.0, -math.inf)
    if loudness is not None:
        plan = plan_levels(
            timeline, target_lufs=loudness, channels=channels, ceiling_dbtp=spec.ceiling
        )
    rate = _output_rate(spec, sample_rate or timeline.sample_rate)
    chosen = bitrate or (spec.mono if channels == 1 else spec.stereo)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.{fmt}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".tts-meta-") as folder:
            metadata = Path(folder) / "meta.txt"
            tags = tags_from_meta(meta or {})
            # MP3: the comment goes in a COMM frame (write_id3_comment), not TXXX.
            plain = {
                k: v for k, v in tags.items() if fmt != "mp3" or k not in ("comment", "description")
            }
            metadata.write_text(ffmetadata(plain, chapters), encoding="utf-8")
            job = _Job(
                timeline,
                spec,
                tmp,
                rate,
                channels,
                chosen,
                metadata,
                cover if cover is not None and fmt in FFMPEG_COVER else None,
                spec.ceiling if loudness is not None else None,
            )
            report, encodes, plan = _encode_and_check(job, plan, loudness)
        if fmt in VORBIS_COVER:
            write_vorbis_extras(tmp, timeline.chapters, cover)
        elif fmt == "mp3":
            write_id3_comment(tmp, tags)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(
            str(path),
            f"cannot write the audio: {exc.strerror or exc}",
            hint="check that the output folder is writable and has space",
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return AudioResult(
        path=path,
        duration_ms=report.samples * 1000 // rate,
        integrated_lufs=None if loudness is None else report.integrated_lufs,
        true_peak_dbtp=None if loudness is None else report.true_peak_dbtp,
        lra=None if loudness is None else report.lra,
        fmt=fmt,
        sample_rate=rate,
        channels=channels,
        bitrate=chosen,
        speaker_gain_db=dict(plan.speakers),
        programme_gain_db=plan.programme,
        encodes=encodes,
    )


def decode_duration_ms(path: Path) -> int:
    """Length of an audio file in ms, from its decoded samples (streamed, bounded memory).

    Raises:
        OutputError: the file does not exist.
        FfmpegError: ffmpeg cannot decode it.
    """
    if not Path(path).is_file():
        raise OutputError(str(path), "no such audio file", hint="check the path")
    return count_samples(Path(path), sample_rate=48000) * 1000 // 48000


def write_chapters_json(chapters: Sequence[Chapter], path: Path) -> Path:
    """Write Podcasting 2.0 JSON chapters (version 1.2.0), sorted by start time.

    Raises:
        OutputError: the file cannot be written.
    """
    path = Path(path)
    body = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000, "title": c.title}
            for c in sorted(chapters, key=lambda c: c.start_ms)
        ],
    }
    return write_json(body, path)
