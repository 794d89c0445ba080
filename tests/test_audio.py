"""Audio export: trimming, stitching, loudness, formats — measured on the files written.

Clips are synthetic speech-like signals (harmonic voicing + noise under a
syllable envelope) written as real WAV files; every check decodes or measures
what the real bundled ffmpeg wrote.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from synthetic_audio import META, RATE, make_timeline, speaker_levels, write_wav

from tts_export.audio import AudioResult, decode_duration_ms, write_audio, write_chapters_json
from tts_export.audio.ebur128 import Ebur128Stream, ebur128
from tts_export.audio.formats import get_format, names
from tts_export.audio.levels import plan_levels
from tts_export.audio.loudness import measure_stream
from tts_export.audio.stitch import iter_programme
from tts_export.common.units import ms_to_samples
from tts_export.errors import ConfigError, OutputError
from tts_export.models import Chapter, Clip, Placement, Timeline, Utterance

# --- stitching --------------------------------------------------------------------


def test_programme_stream_is_exact_and_places_clips(programme: Timeline) -> None:
    blocks = list(iter_programme(programme))
    x = np.frombuffer(b"".join(blocks), dtype="<f4")
    assert x.size == ms_to_samples(programme.duration_ms, RATE)
    assert max(len(b) for b in blocks) <= 4 * max(1 << 16, 4 * RATE)
    for p in programme.placements:
        span = x[ms_to_samples(p.start_ms, RATE) : ms_to_samples(p.end_ms, RATE)]
        if p.clip is None:
            assert not span.any()  # the sound-cue slot is silent
        else:
            assert np.sqrt(np.mean(span**2)) > 10 ** (-50 / 20)
    head = x[: ms_to_samples(programme.placements[0].start_ms, RATE)]
    assert head.size > 0 and not head.any()


def test_resampled_clip_keeps_its_pitch(tmp_path: Path) -> None:
    tone = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(22050) / 22050)
    path = write_wav(tmp_path / "tone.wav", tone, 22050)
    u = Utterance("u", None, "A", "x", "x", 1, 0, 0)
    clip = Clip("u", str(path), 22050, 1000, (), "espeak", "v", False)
    timeline = Timeline((Placement(u, clip, 100, 1100),), (), 1300, RATE)
    x = np.frombuffer(b"".join(iter_programme(timeline)), dtype="<f4")
    span = x[ms_to_samples(100, RATE) : ms_to_samples(1100, RATE)]
    spectrum = np.abs(np.fft.rfft(span))
    assert abs(np.argmax(spectrum) * RATE / span.size - 1000) < 3
    assert abs(np.sqrt(np.mean(span**2)) - 0.5 / np.sqrt(2)) < 0.01


# --- writing ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "opus"])
def test_written_file_meets_the_numbers(fmt: str, programme: Timeline, tmp_path: Path) -> None:
    result = write_audio(programme, tmp_path / f"ep.{fmt}", fmt=fmt, meta=META)
    assert isinstance(result, AudioResult) and result.path.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"ep.{fmt}"]  # no temp files left
    decoded = decode_duration_ms(result.path)
    assert abs(decoded - programme.duration_ms) <= 3
    assert abs(result.duration_ms - programme.duration_ms) <= 3
    report = ebur128(result.path)
    assert abs(report.integrated_lufs - (-19.0)) <= 1.0
    assert report.true_peak_dbtp <= -1.0
    assert result.integrated_lufs == pytest.approx(report.integrated_lufs, abs=0.1)
    assert result.true_peak_dbtp == pytest.approx(report.true_peak_dbtp, abs=0.3)
    levels = speaker_levels(result.path, programme)
    assert abs(levels["主持人"] - levels["嘉宾"]) <= 1.5  # they went in 18 dB apart


def test_stereo_targets_minus_16(programme: Timeline, tmp_path: Path) -> None:
    result = write_audio(programme, tmp_path / "ep.m4b", fmt="m4b", channels=2, loudness=-16.0)
    report = ebur128(result.path)
    assert abs(report.integrated_lufs + 16.0) <= 0.5 and report.true_peak_dbtp <= -1.0
    assert result.integrated_lufs == pytest.approx(report.integrated_lufs, abs=0.1)
    assert result.encodes == 1  # planned for two channels, not corrected after the fact
    from tts_export.audio.tags import read_info

    info = read_info(result.path)
    assert info.channels == "stereo" and info.codec == "aac"
    assert len(info.chapters) == len(programme.chapters)


def test_loudness_off_keeps_levels_and_sample_rate_can_change(
    programme: Timeline, tmp_path: Path
) -> None:
    meter = Ebur128Stream(RATE)
    for block in iter_programme(programme):
        meter.write(block)
    source = meter.close()
    result = write_audio(
        programme, tmp_path / "ep.flac", fmt="flac", loudness=None, sample_rate=48000
    )
    assert result.speaker_gain_db == {} and result.programme_gain_db == 0.0
    assert result.sample_rate == 48000
    assert abs(ebur128(result.path).integrated_lufs - source.integrated_lufs) <= 0.3
    assert abs(decode_duration_ms(result.path) - programme.duration_ms) <= 1


def test_bad_input_gives_project_errors(programme: Timeline, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="format"):
        write_audio(programme, tmp_path / "x.aiff", fmt="aiff")
    with pytest.raises(ConfigError):
        write_audio(programme, tmp_path / "x.mp3", channels=6)
    bogus = tmp_path / "cover.jpg"
    bogus.write_text("not an image")
    with pytest.raises(ConfigError, match="cover"):
        write_audio(programme, tmp_path / "x.mp3", cover=bogus)
    first = programme.placements[0]
    assert first.clip is not None
    gone = Clip(
        first.clip.utterance_id, str(tmp_path / "missing.wav"), RATE, 100, (), "e", "v", False
    )
    broken = Timeline((Placement(first.utterance, gone, 0, 100),), (), 500, RATE)
    with pytest.raises(OutputError, match=r"missing\.wav"):
        write_audio(broken, tmp_path / "x.mp3")
    with pytest.raises(OutputError, match="empty"):
        write_audio(Timeline((), (), 0, RATE), tmp_path / "x.mp3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cover.jpg"]  # nothing half-written


def test_format_registry_lists_the_formats_and_picks_codec_rates() -> None:
    assert names() == ("mp3", "m4a", "m4b", "ogg", "opus", "flac", "wav")
    assert get_format("opus").output_rate(44100) == 48000
    assert get_format("mp3").output_rate(23000) == 24000
    assert get_format("mp3").output_rate(96000) == 48000  # above the codec's top rate
    assert get_format("flac").output_rate(96000) == 96000
    with pytest.raises(ConfigError, match="format") as caught:
        get_format("aiff")
    assert all(name in caught.value.hint for name in names())


def test_chapters_json(tmp_path: Path) -> None:
    chapters = [Chapter("二", 61_500, 90_000), Chapter("一", 0, 61_500)]
    path = write_chapters_json(chapters, tmp_path / "ep.chapters.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == "1.2.0"
    assert [(c["startTime"], c["title"]) for c in data["chapters"]] == [(0.0, "一"), (61.5, "二")]
    assert list(tmp_path.iterdir()) == [path]


def test_plan_predicts_the_stitched_programme_exactly(tmp_path: Path) -> None:
    timeline = make_timeline(tmp_path, [("A", -20.0), ("B", -32.0)], rates={3: 22050})
    plan = plan_levels(timeline, target_lufs=-19.0)
    assert plan.speakers["B"] - plan.speakers["A"] == pytest.approx(12.0, abs=1.0)
    assert plan.predicted_lufs == pytest.approx(-19.0, abs=0.01)
    streamed = measure_stream(iter_programme(timeline, plan.gain_db), RATE)
    assert streamed.integrated_lufs == pytest.approx(-19.0, abs=0.02)
    limited = measure_stream(iter_programme(timeline, plan.gain_db, ceiling_dbtp=-6.0), RATE)
    assert limited.true_peak_dbtp <= -6.0 + 0.05


def test_twelve_db_apart_end_within_two_lu(tmp_path: Path) -> None:
    timeline = make_timeline(tmp_path, [("A", -20.0), ("B", -32.0)], clips_per_section=3)
    result = write_audio(timeline, tmp_path / "ep.mp3")
    levels = speaker_levels(result.path, timeline)
    assert abs(levels["A"] - levels["B"]) <= 2.0
    # Planned and codec-probed: on target at the first encode, as ffmpeg measures it.
    assert result.encodes == 1
    assert abs(ebur128(result.path).integrated_lufs + 19.0) <= 0.5


def test_long_clip_does_not_push_later_clips(tmp_path: Path) -> None:
    """A WAV a little longer than its slot is cut at the next clip, which starts on time."""
    rate = 24000
    u1 = Utterance("a", None, "A", "x", "x", 1, 0, 0)
    u2 = Utterance("b", None, "A", "x", "x", 2, 1, 0)
    long = write_wav(tmp_path / "long.wav", np.full(ms_to_samples(530, rate), 0.25), rate)
    short = write_wav(tmp_path / "short.wav", np.full(rate // 2, -0.5), rate)
    first = Placement(u1, Clip("a", str(long), rate, 500, (), "e", "v", False), 100, 600)
    second = Placement(u2, Clip("b", str(short), rate, 500, (), "e", "v", False), 600, 1100)
    timeline = Timeline((second, first), (), 1300, rate)  # order does not matter
    x = np.frombuffer(b"".join(iter_programme(timeline)), dtype="<f4")
    assert x.size == ms_to_samples(1300, rate)
    onset = int(np.flatnonzero(x < -0.4)[0])
    assert onset == ms_to_samples(600, rate)
    assert np.allclose(x[ms_to_samples(100, rate) : onset], 0.25, atol=1e-4)
    assert not x[ms_to_samples(1100, rate) :].any()


def test_failed_write_keeps_the_previous_file(programme: Timeline, tmp_path: Path) -> None:
    target = tmp_path / "ep.mp3"
    write_audio(programme, target, loudness=None)
    before = target.read_bytes()
    with pytest.raises(ConfigError, match="cover"):
        write_audio(programme, target, cover=tmp_path / "no-such-cover.jpg")
    first = programme.placements[0]
    assert first.clip is not None
    gone = Clip(first.clip.utterance_id, str(tmp_path / "gone.wav"), RATE, 900, (), "e", "v", False)
    late = Placement(
        first.utterance, gone, 20_000, 20_900
    )  # fails mid-stream, after encoding began
    broken = Timeline((*programme.placements, late), (), programme.duration_ms, RATE)
    with pytest.raises(OutputError, match=r"gone\.wav"):
        write_audio(broken, target, loudness=None)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ep.mp3"]
