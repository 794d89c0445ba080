"""Audio export: a ``Timeline`` in, one tagged, chaptered, loudness-normalised file out.

The programme is streamed (``stitch``) into one ffmpeg encoder. Loudness
follows ITU-R BS.1770 (our own numpy meter, ``loudness``): pass 1
(``levels``) plans the speaker gains and the programme gain for the target;
for lossy formats the first 90 s are encoded as a probe to learn what the
codec's low-pass takes off. Pass 2 encodes with the true-peak limiter; the
written file is then decoded and measured, and encoded once more with the
measured error taken off when it missed the target by more than half a LU
or its true peak is above -1 dBTP (rare: a safety net).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tts_export.audio.cover import Cover, load_cover
from tts_export.audio.ffmpeg import FfmpegError, count_samples, decode_blocks, run_fed
from tts_export.audio.formats import AudioFormat, check_bitrate, get_format
from tts_export.audio.gains import GainPlan
from tts_export.audio.levels import plan_levels
from tts_export.audio.loudness import LoudnessReport, measure_stream
from tts_export.audio.mix import Mixer, check_room, music_gains
from tts_export.audio.music import Music
from tts_export.audio.progress import OnStep, Step, counted
from tts_export.audio.stitch import iter_programme
from tts_export.audio.tags import COVER_FRONT, tag_encoded, tags_from_meta, write_tag_files
from tts_export.common.files import remove_stale_temporaries, temporary_folder, temporary_name
from tts_export.common.units import samples_to_ms
from tts_export.errors import ConfigError, OutputError
from tts_export.models import Timeline

TRUE_PEAK_CEILING = -1.0  # dBTP, the platforms' limit
TOLERANCE_LU = 0.5  # a first encode further than this from the target is redone once


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


# --- encoding -------------------------------------------------------------------


def _check_args(
    timeline: Timeline, fmt: str, channels: int, sample_rate: int | None, loudness: float | None
) -> AudioFormat:
    spec = get_format(fmt)
    if channels not in (1, 2):
        raise ConfigError("channels", channels, "must be 1 or 2", hint="pass --stereo for 2")
    if sample_rate is not None and not 8000 <= sample_rate <= 192000:
        raise ConfigError(
            "sample_rate",
            sample_rate,
            "must be from 8000 to 192000 Hz",
            hint="e.g. --sample-rate 24000, or leave it out for the engine's rate",
        )
    if loudness is not None and not -40.0 <= loudness <= -5.0:
        raise ConfigError(
            "loudness",
            loudness,
            "must be from -40 to -5 LUFS, or off",
            hint="e.g. --loudness -16 (podcasts), -23 (broadcast) or --loudness off",
        )
    if timeline.duration_ms <= 0 or timeline.sample_rate <= 0:
        raise OutputError(
            "<timeline>",
            "the programme is empty: nothing to encode",
            hint="check that the transcript has speaker turns",
        )
    return spec


@dataclass(frozen=True)
class _Job:
    timeline: Timeline
    spec: AudioFormat
    tmp: Path
    rate: int
    channels: int
    bitrate: str | None
    metadata: Path
    cover: Path | None
    ceiling_dbtp: float | None
    music: Music | None = None
    music_db: Mapping[str, float] | None = None  # role → gain before the programme gain
    on_step: OnStep | None = None  # progress of the encode and the check, in programme ms
    step: str = "encoding"


def _encode(job: _Job, gain_db: Callable[[str], float] | None, programme_db: float = 0.0) -> None:
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
        cmd += ["-metadata:s:v", f"comment={COVER_FRONT}"]  # APIC/FLAC picture type 3
    if job.channels == 2:
        # Both channels carry the mono programme at full level. Left to itself, ffmpeg
        # takes the mono input as a centre channel and mixes it in at -3 dB per side,
        # which the plan (power of two identical channels) does not expect.
        cmd += ["-af", "pan=stereo|c0=c0|c1=c0"]
    cmd += ["-c:a", job.spec.codec, "-ar", str(job.rate), "-ac", str(job.channels)]
    cmd += ["-b:a", job.bitrate] if job.bitrate else list(job.spec.quality)
    cmd += job.spec.options
    if job.spec.muxer == "mp3":
        cmd += ["-id3v2_version", "3", "-write_xing", "1"]
    cmd += ["-f", job.spec.muxer, str(job.tmp)]
    blocks = programme_blocks(job, gain_db, programme_db)
    tl = job.timeline
    run_fed(cmd, counted(blocks, job.on_step, job.step, tl.duration_ms, tl.sample_rate * 4))


def programme_blocks(
    job: _Job, gain_db: Callable[[str], float] | None, programme_db: float = 0.0
) -> Iterator[bytes]:
    """The programme's PCM blocks, with the music mixed in when there is any."""
    blocks = iter_programme(job.timeline, gain_db, ceiling_dbtp=job.ceiling_dbtp)
    if job.music is None or job.music_db is None:
        return blocks
    gains = {role: db + programme_db for role, db in job.music_db.items()}
    mixer = Mixer(job.timeline, job.music, gains, ceiling_dbtp=job.ceiling_dbtp)
    return mixer.mix(blocks)


def _measure(job: _Job) -> LoudnessReport:
    """Decode the written file and meter it (BS.1770, all channels).

    Raises:
        FfmpegError: ffmpeg cannot decode it.
    """
    # Opus always decodes at 48 kHz: a lower rate would smooth away its peaks.
    rate = 48000 if job.spec.codec == "libopus" else job.rate
    blocks = counted(decode_blocks(job.tmp, sample_rate=rate, channels=job.channels),
                     job.on_step, "checking loudness", job.timeline.duration_ms,
                     rate * job.channels * 4)  # fmt: skip
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
    # The file carries the mono programme on every channel: their powers add up.
    wanted = before.integrated_lufs + 10 * math.log10(job.channels)
    probe = replace(job, timeline=excerpt, tmp=temporary_name(job.tmp), cover=None, music=None,
                    step="probing the codec")  # fmt: skip
    try:
        _encode(probe, plan.gain_db)
        after = _measure(replace(probe, on_step=None))  # counted as part of the probe
    finally:
        probe.tmp.unlink(missing_ok=True)
    return 0.0 if after.silent else wanted - after.integrated_lufs


def _encode_and_check(
    job: _Job, plan: GainPlan, target: float | None
) -> tuple[LoudnessReport, int, GainPlan]:
    """Encode, measure the file, and encode once more if it missed the target."""
    if target is None:  # levels left alone: only the length is measured
        _encode(job, None, 0.0)
        samples = count_samples(job.tmp, sample_rate=job.rate)
        return LoudnessReport(math.nan, math.nan, math.nan, samples=samples), 1, plan
    if job.spec.lossy:
        plan = replace(plan, programme=plan.programme + _codec_loss(job, plan))
    _encode(job, plan.gain_db, plan.programme)
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
    _encode(replace(job, step="encoding again"), plan.gain_db, plan.programme)
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
    cover: Cover | Path | None = None,
    language: str | None = None,
    music: Music | None = None,
    on_step: OnStep | None = None,
) -> AudioResult:
    """Encode the timeline into one audio file with tags, cover art and chapters.

    Args:
        timeline: placed clips (mono 16-bit WAV files) on a programme of
            ``duration_ms`` at ``sample_rate``; gaps, head and tail are silence.
        path: the file to write (written to a temporary name, then renamed).
        fmt: an audio format name (``formats.names()``; mp3 by default).
        bitrate: encoder bitrate such as "96k" (``formats.check_bitrate``); None for
            the spoken-word default.
        sample_rate: output sample rate; None keeps the timeline's (Opus and
            MP3 take the nearest rate their codec supports).
        channels: 1 (mono) or 2 (the mono programme on both channels).
        loudness: integrated loudness target in LUFS, or None to leave levels alone.
        meta: front matter, mapped to tags (title, artist, album, date, ...).
        cover: cover art checked by ``cover.load_cover`` (not stored in WAV). A
            path is checked here (any folder allowed); check it before synthesis instead.
        language: the transcript's language ("zh", "en"); labels the tracks of
            M4A/M4B files. None takes ``language`` from ``meta``, if any.
        music: intro, outro and bed (``music.load_music``), mixed in at levels set against
            the speech (``timeline`` from ``music.add_music``); the whole meets ``loudness``
            and the true-peak ceiling. None (or no files): speech only.
        on_step: told where the export stands (``progress.Step``, in programme ms).

    Returns:
        What was written, with duration and loudness measured from the file.

    Raises:
        ConfigError: a bad format, bitrate, channel count, rate, loudness or cover.
        OutputError: a clip cannot be read, the file cannot be written, or the
            timeline has speech where the intro or outro goes.
        FfmpegError: ffmpeg failed (one line says what: no space left, ...).
    """
    spec = _check_args(timeline, fmt, channels, sample_rate, loudness)
    if cover is not None and not isinstance(cover, Cover):
        cover = load_cover(cover, Path.cwd(), allow_outside=True)
    path = Path(path)
    rate = spec.output_rate(sample_rate or timeline.sample_rate)
    bitrate = check_bitrate(fmt, bitrate, channels=channels, sample_rate=rate)
    chosen = bitrate or (spec.mono if channels == 1 else spec.stereo)
    if on_step is not None and loudness is not None:
        on_step(Step("levelling", 0, 0))  # one call that reads every clip: not counted
    plan, music, music_db = _plan(timeline, spec, channels, loudness, music)
    tags = tags_from_meta(meta or {}, language=language)
    with _replacing(path) as tmp, temporary_folder(path.parent, "tts-meta") as folder:
        metadata, picture = write_tag_files(folder, timeline.chapters, spec, fmt, tags, cover)
        ceiling = spec.ceiling if loudness is not None else None
        job = _Job(timeline, spec, tmp, rate, channels, chosen, metadata, picture, ceiling, music)
        job = replace(job, music_db=music_db, on_step=on_step)
        report, encodes, plan = _encode_and_check(job, plan, loudness)
        tag_encoded(
            tmp, timeline.chapters, spec, fmt, tags, cover, language or tags.get("language")
        )
    measured = loudness is not None
    return AudioResult(
        path=path, duration_ms=samples_to_ms(report.samples, rate),
        integrated_lufs=report.integrated_lufs if measured else None,
        true_peak_dbtp=report.true_peak_dbtp if measured else None,
        lra=report.lra if measured else None, fmt=fmt, sample_rate=rate, channels=channels,
        bitrate=chosen, speaker_gain_db=dict(plan.speakers), programme_gain_db=plan.programme,
        encodes=encodes,
    )  # fmt: skip


def _plan(
    timeline: Timeline,
    spec: AudioFormat,
    channels: int,
    loudness: float | None,
    music: Music | None,
) -> tuple[GainPlan, Music | None, dict[str, float] | None]:
    """The gain plan for ``loudness``, and the music (None when empty) with its gains."""
    plan = GainPlan({}, 0.0, 0.0, -math.inf)
    if loudness is not None:
        plan = plan_levels(
            timeline, target_lufs=loudness, channels=channels, ceiling_dbtp=spec.ceiling
        )
    if music is None or music.empty:
        return plan, None, None
    check_room(timeline, music)
    # Without loudness normalisation the speech is taken to sit at -19 LUFS.
    level = plan.predicted_lufs - 10 * math.log10(channels) - plan.programme
    return plan, music, music_gains(music, level if math.isfinite(level) else -19.0)


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary name beside ``path`` to write, renamed to ``path`` when the block ends well.

    Raises:
        FfmpegError: ffmpeg failed (the message names ``path``).
        OutputError: the folder or the file cannot be written.
    """
    tmp = temporary_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path.parent)  # what killed runs left (up to 1 GB each)
        yield tmp
        os.replace(tmp, path)
    except FfmpegError as exc:
        raise exc.about(str(path)) from None
    except OSError as exc:
        raise OutputError(
            str(path),
            f"cannot write the audio: {exc.strerror or exc}",
            hint="check that the output folder is writable and has space",
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def decode_duration_ms(path: Path) -> int:
    """Length of an audio file in ms, from its decoded samples (streamed, bounded memory).

    Raises:
        OutputError: the file does not exist.
        FfmpegError: ffmpeg cannot decode it.
    """
    if not Path(path).is_file():
        raise OutputError(str(path), "no such audio file", hint="check the path")
    return samples_to_ms(count_samples(Path(path), sample_rate=48000), 48000)
