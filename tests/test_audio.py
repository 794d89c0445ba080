"""Audio export: trimming, stitching, loudness, formats — measured on the files written.

Clips are synthetic speech-like signals (harmonic voicing + noise under a
syllable envelope) written as real WAV files; every check decodes or measures
what the real bundled ffmpeg wrote.
"""

from __future__ import annotations

import json
import pickle
import signal
import subprocess
import sys
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tts_export.audio import AudioResult, decode_duration_ms, write_audio, write_chapters_json
from tts_export.audio.ebur128 import Ebur128Stream, ebur128
from tts_export.audio.ffmpeg import FfmpegError, decode_blocks, decode_pcm, run_fed
from tts_export.audio.formats import check_bitrate, get_format, names
from tts_export.audio.levels import plan_levels
from tts_export.audio.loudness import measure_stream
from tts_export.audio.stitch import iter_programme
from tts_export.common.units import ms_to_samples, pcm_ms, samples_to_ms
from tts_export.errors import ConfigError, OutputError
from tts_export.models import Chapter, Clip, Placement, Timeline, Utterance
from tts_export.synth.clips import trim_silence

RATE = 24000


# --- helpers (also used by test_loudness.py and test_tags.py) -------------------


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


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Timeline:
    """Two speakers 18 dB apart, plosive peaks, one clip at 22050 Hz, one sound-cue slot."""
    folder = tmp_path_factory.mktemp("clips")
    return make_timeline(
        folder, [("主持人", -18.0), ("嘉宾", -36.0)], rates={5: 22050}, sound_at=6, bursts=2
    )


# --- trimming -------------------------------------------------------------------


def _padded(
    lead_ms: int, tail_ms: int, *, speech_ms: int = 1000, noise_db: float = -75.0, rate: int = RATE
) -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(7)
    body = speech(speech_ms / 1000, -20.0, rate=rate)
    # The synthetic speech fades in and out; find where it is really audible.
    lead = rng.standard_normal(ms_to_samples(lead_ms, rate)) * 10 ** (noise_db / 20)
    tail = rng.standard_normal(ms_to_samples(tail_ms, rate)) * 10 ** (noise_db / 20)
    x = np.concatenate([lead, body, tail])
    return np.round(x * 32767).astype("<i2").tobytes(), body


def _speech_edges(body: np.ndarray, rate: int = RATE, *, ms: bool = True) -> tuple[int, int]:
    """Start of the first and end of the last 10 ms window of ``body`` within 45 dB
    of its loud windows, in ms (or in samples)."""
    win = rate // 100
    frames = body[: body.size // win * win].reshape(-1, win)
    rms = np.sqrt((frames**2).mean(axis=1))
    on = np.flatnonzero(rms > np.percentile(rms, 99) * 10 ** (-45 / 20))
    first, last = int(on[0]) * win, (int(on[-1]) + 1) * win
    return (samples_to_ms(first, rate), samples_to_ms(last, rate)) if ms else (first, last)


def test_trim_cuts_kokoro_like_silence_to_the_margin() -> None:
    pcm, body = _padded(390, 640)
    trimmed, removed = trim_silence(pcm, RATE, margin_ms=40)
    first, last = _speech_edges(body)
    assert abs(removed - (390 + first - 40)) <= 10
    kept_ms = pcm_ms(trimmed, RATE)
    assert abs(kept_ms - (last - first + 80)) <= 20
    start = ms_to_samples(removed, RATE)
    assert trimmed == pcm[2 * start : 2 * start + len(trimmed)]


def test_trim_ignores_a_click_in_the_silence() -> None:
    pcm, _ = _padded(390, 640)
    samples = np.frombuffer(pcm, dtype="<i2").copy()
    samples[ms_to_samples(100, RATE)] = 32000  # a click at 100 ms
    samples[-ms_to_samples(200, RATE)] = -32000  # and one near the end
    clean, clean_removed = trim_silence(pcm, RATE)
    trimmed, removed = trim_silence(samples.tobytes(), RATE)
    assert removed == clean_removed
    assert len(trimmed) == len(clean)


def test_trim_keeps_quiet_speech_and_leaves_silence_alone() -> None:
    quiet = np.round(speech(1.0, -45.0) * 32767).astype("<i2")
    pcm = bytes(2 * RATE // 2) + quiet.tobytes() + bytes(2 * RATE // 2)
    trimmed, removed = trim_silence(pcm, RATE)
    assert 400 <= removed <= 520 and len(trimmed) < len(pcm) - RATE
    silence = bytes(2 * RATE)
    assert trim_silence(silence, RATE) == (silence, 0)
    hiss = np.round(np.random.default_rng(1).standard_normal(RATE) * 10).astype("<i2").tobytes()
    assert trim_silence(hiss, RATE) == (hiss, 0)  # -70 dBFS noise is no speech
    assert trim_silence(b"", RATE) == (b"", 0)


def test_trim_rejects_bad_arguments() -> None:
    with pytest.raises(ConfigError):
        trim_silence(bytes(100), 0)
    with pytest.raises(ConfigError):
        trim_silence(bytes(100), RATE, margin_ms=-1)


@settings(max_examples=25, deadline=None)
@given(
    lead=st.integers(0, 800),
    tail=st.integers(0, 800),
    margin=st.integers(0, 200),
    rate=st.sampled_from([16000, 22050, 24000]),
)
def test_trim_is_a_slice_around_the_speech(lead: int, tail: int, margin: int, rate: int) -> None:
    pcm, body = _padded(lead, tail, speech_ms=600, rate=rate)
    trimmed, removed = trim_silence(pcm, rate, margin_ms=margin)
    start = ms_to_samples(removed, rate)
    assert trimmed == pcm[2 * start : 2 * start + len(trimmed)]
    first, last = _speech_edges(body, rate, ms=False)
    offset = ms_to_samples(lead, rate)  # samples of lead-in before the speech signal
    end = start + len(trimmed) // 2
    win = rate // 100  # the gate works on 10 ms windows: edges are found to within one
    pad = ms_to_samples(margin, rate)
    # The speech is kept whole once the margin covers the window quantisation ...
    slack = 0 if margin >= 10 else win
    assert start <= offset + first + slack and end >= offset + last - slack
    # ... and no more than the margin (+1 window) is kept around it.
    assert start >= offset + first - pad - win - 1
    assert end <= offset + last + pad + win


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


def _one_line(error: FfmpegError) -> str:
    """The message is one line; the hint follows on a second; the whole log is kept."""
    assert "\n" not in error.problem and str(error).count("\n") == 1 and error.hint
    assert "imageio-ffmpeg" not in error.hint  # ffmpeg ran: reinstalling it would not help
    return error.problem


def test_garbage_given_as_audio_is_one_clear_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"not audio at all" * 64)
    for decode in (decode_duration_ms, lambda p: list(decode_blocks(p, sample_rate=RATE))):
        with pytest.raises(FfmpegError) as caught:
            decode(junk)
        assert _one_line(caught.value) == f"cannot decode {junk}: not an audio file ffmpeg can read"
        assert "Invalid data found" in caught.value.log and caught.value.returncode
    with pytest.raises(OutputError, match="no such audio file"):
        decode_duration_ms(tmp_path / "nothing.mp3")


def test_a_bitrate_is_refused_before_encoding(programme: Timeline, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="kbit/s written like 96k"):
        write_audio(programme, tmp_path / "ep.mp3", bitrate="lots", loudness=None)
    with pytest.raises(ConfigError, match="libvorbis takes 16k to 90k for mono at 24000 Hz"):
        write_audio(programme, tmp_path / "ep.ogg", fmt="ogg", bitrate="128k")
    with pytest.raises(ConfigError, match="takes no bitrate at 96000 Hz"):
        write_audio(programme, tmp_path / "ep.ogg", fmt="ogg", bitrate="128k", sample_rate=96000)
    assert list(tmp_path.iterdir()) == []
    assert check_bitrate("mp3", None) is None and check_bitrate("mp3", "96K") == "96k"
    refused: list[tuple[str, object, dict[str, int], str]] = [
        ("mp3", "abc", {}, "e.g. 96k"),
        ("mp3", 96, {}, "write 96k"),
        ("mp3", "96", {}, "write 96k"),
        ("mp3", "1000k", {}, "from 8k to 320k"),
        ("flac", "96k", {}, "leave the bitrate out"),
        ("wav", "1411k", {}, "leave the bitrate out"),
        ("opus", "300k", {}, "from 6k to 256k"),
    ]
    for fmt, value, options, hint in refused:
        with pytest.raises(ConfigError) as caught:
            check_bitrate(fmt, value, **options)
        assert hint in caught.value.hint and caught.value.setting == "bitrate"
    assert check_bitrate("opus", "300k", channels=2) == "300k"
    assert check_bitrate("ogg", "240k") == "240k"  # the rate is not known yet: any band's limits


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "ogg", "opus"])
def test_bitrate_limits_are_what_the_encoder_takes(fmt: str, tmp_path: Path) -> None:
    """Every limit check_bitrate accepts encodes; Vorbis (and Opus above) refuse past them."""
    spec = get_format(fmt)
    assert spec.kbps is not None
    pcm = speech(0.3, -20.0, rate=48000).astype("<f4").tobytes()
    for channels, wanted in ((1, 24000), (2, 48000), (1, 16000), (2, 32000), (2, 11025)):
        rate = spec.output_rate(wanted)
        limits = spec.kbps(channels, rate)
        assert limits is not None
        low, high = limits
        edges = {low: True, high: True}
        if fmt in ("ogg", "opus"):  # the others clamp silently; Opus takes 1-5k too
            edges.update({high + 1: False} if fmt == "opus" else {low - 1: False, high + 1: False})
        for kbps, works in edges.items():
            cmd = ["-f", "f32le", "-ar", "48000", "-ac", "1", "-i", "pipe:0", "-c:a", spec.codec]
            cmd += ["-ar", str(rate), "-ac", str(channels), "-b:a", f"{kbps}k", *spec.options]
            cmd += ["-f", spec.muxer, str(tmp_path / f"x.{fmt}")]
            try:
                run_fed(cmd, [pcm])
            except FfmpegError as exc:
                assert not works, f"{kbps}k {channels} ch {rate} Hz: {exc.log}"
                assert _one_line(exc).startswith(f"invalid bitrate '{kbps}k' for {spec.codec}")
            else:
                assert works, f"{kbps}k {channels} ch {rate} Hz was taken"


def test_a_full_disk_is_one_clear_line() -> None:
    """/dev/full answers every write with ENOSPC, as a full disk does."""
    cmd = ["-f", "f32le", "-ar", "24000", "-ac", "1", "-i", "pipe:0", "-c:a", "libmp3lame"]
    with pytest.raises(FfmpegError) as caught:
        run_fed([*cmd, "-f", "mp3", "/dev/full"], [speech(1.0, -20.0).astype("<f4").tobytes()])
    assert _one_line(caught.value) == "cannot write /dev/full: no space left on device"
    assert "free some disk space" in caught.value.hint


_LIMITED = """
import json, pickle, resource, sys
from tts_export.audio import write_audio
from tts_export.errors import TtsExportError
timeline, target = pickle.loads(sys.stdin.buffer.read())
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
try:
    write_audio(timeline, target, loudness=None)
except TtsExportError as exc:
    print(json.dumps([type(exc).__name__, str(exc), exc.returncode]))
"""


def test_a_file_size_limit_is_one_clear_line(programme: Timeline, tmp_path: Path) -> None:
    """A file-size limit (RLIMIT_FSIZE, set in a child process) stops the encoder mid-file."""
    target = tmp_path / "out" / "ep.mp3"
    proc = subprocess.run(
        [sys.executable, "-c", _LIMITED],
        input=pickle.dumps((programme, target)),
        capture_output=True,
        check=True,
    )
    kind, message, code = json.loads(proc.stdout)
    assert kind == "FfmpegError" and code == -signal.SIGXFSZ
    problem, hint = message.split("\n")
    assert problem == f"cannot write {target}: the file reached the file-size limit"
    assert "ulimit -f" in hint
    assert list(target.parent.iterdir()) == []  # the partial file went with the error


def test_ffmpeg_logs_are_read_for_the_cause() -> None:
    """ffmpeg's own words for faults that cannot be staged here (root writes anywhere)."""
    enc = ["ffmpeg", "-i", "pipe:0", "-c:a", "libmp3lame", "-f", "mp3", "/out/.ep.mp3.9.ab.tmp"]
    dec = ["ffmpeg", "-i", "/in/a.mp3", "-f", "s16le", "pipe:1"]
    cases = [
        (
            enc,
            "[out#0/mp3 @ 0x5] Error opening output /out/.ep.mp3.9.ab.tmp: Permission denied\n"
            "Error opening output file /out/.ep.mp3.9.ab.tmp.\n",
            "cannot write /out/.ep.mp3.9.ab.tmp: the output folder is not writable",
        ),
        (
            enc,
            "[out#0/mp3 @ 0x5] Error opening output /out/x: Read-only file system\n",
            "cannot write /out/.ep.mp3.9.ab.tmp: the output folder is not writable",
        ),
        (
            enc,
            "[out#0/mp3 @ 0x5] Error writing trailer: Disk quota exceeded\n",
            "cannot write /out/.ep.mp3.9.ab.tmp: disk quota exceeded",
        ),
        (
            dec,
            "[in#0 @ 0x5] Error opening input: Permission denied\n",
            "cannot read /in/a.mp3: permission denied",
        ),
        (
            dec,
            "[in#0 @ 0x5] Error opening input: No such file or directory\n",
            "cannot read /in/a.mp3: no such file",
        ),
        (
            dec,
            "[aost#0:0 @ 0x5] Stream map '0:a:0' matches no streams.\n",
            "cannot decode /in/a.mp3: not an audio file ffmpeg can read",
        ),
        (
            dec,
            "[x @ 0x5] [y @ 0x6] Something new\nError: the last word\n",
            "ffmpeg failed on /in/a.mp3: Error: the last word",
        ),
    ]
    for args, log, problem in cases:
        error = FfmpegError(args, log, returncode=1)
        assert _one_line(error) == problem and error.log == log
    assert FfmpegError(enc, "", returncode=-9).problem == "ffmpeg was stopped by signal SIGKILL"
    moved = FfmpegError(enc, "Error writing trailer: No space left on device").about("/out/ep.mp3")
    assert moved.problem == "cannot write /out/ep.mp3: no space left on device"
    missing = FfmpegError.missing("no binary for this platform")
    assert "imageio-ffmpeg" in missing.hint and "not available" in missing.problem
