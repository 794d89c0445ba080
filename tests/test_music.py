"""Intro, outro and music bed on a real espeak programme and real music made by ffmpeg.

The music is generated in the test (tones and noise) with the bundled ffmpeg;
the speech is a real espeak synthesis of the short Chinese fixture. Times
are compared exactly, levels are measured from the streamed PCM and from
the written file (ffmpeg's ebur128 as an independent meter).
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES

from tts_export import pipeline
from tts_export.audio.ebur128 import ebur128
from tts_export.audio.encode import write_audio
from tts_export.audio.ffmpeg import decode_pcm, decoded_duration_ms, ffmpeg_exe
from tts_export.audio.levels import plan_levels
from tts_export.audio.loudness import measure_stream
from tts_export.audio.mix import Mixer, duck_spans, music_gains
from tts_export.audio.music import Music, MusicFile, add_music, load_music, music_titles
from tts_export.audio.stitch import iter_programme
from tts_export.audio.tags import read_info
from tts_export.audio.timeline import assemble
from tts_export.captions.cues import build_cues
from tts_export.captions.profiles import get_profile
from tts_export.common.units import ms_to_samples
from tts_export.config import RenderConfig
from tts_export.engines.espeak.engine import EspeakEngine
from tts_export.errors import ConfigError, OutputError
from tts_export.models import Pauses, Timeline
from tts_export.script import build_script
from tts_export.synth import synthesize_script
from tts_export.synth.cache import ClipCache
from tts_export.transcript.parse import read_transcript


def _make(path: Path, source: str, *extra: str) -> Path:
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source]
    subprocess.run([*cmd, *extra, str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("music")
    show = root / "show"
    show.mkdir()
    _make(show / "intro.mp3", "sine=frequency=440:duration=2.5", "-b:a", "64k")
    _make(show / "outro.flac", "sine=frequency=660:duration=2")
    _make(show / "bed.wav", "anoisesrc=color=pink:duration=8:amplitude=0.3:seed=7", "-ac", "1")
    _make(show / "silent.wav", "anullsrc=r=44100:cl=stereo", "-t", "2")
    _make(show / "long.ogg", "sine=frequency=300:duration=125", "-c:a", "libvorbis", "-q:a", "0")
    (show / "notes.mp3").write_text("not audio at all\n", encoding="utf-8")
    _make(root / "private.mp3", "sine=frequency=500:duration=1")
    return show


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[Timeline, str]:
    transcript = read_transcript(FIXTURES / "render" / "short_zh.md")
    script = build_script(transcript)
    casting = pipeline.cast(script, RenderConfig(engine="espeak"))
    clips = synthesize_script(
        script,
        casting,
        engine=EspeakEngine(),
        fallback=None,
        cache=ClipCache(tmp_path_factory.mktemp("cache")),
    )
    return assemble(script, clips, pauses=Pauses(), intro_title="开场"), transcript.language


def _music(folder: Path, **options: object) -> Music:
    files = {role: load_music(name, folder, role=role) for role, name in options.items() if
             role in ("intro", "outro", "bed") and isinstance(name, str)}  # fmt: skip
    rest = {k: v for k, v in options.items() if k not in files}
    return Music(**files, **rest)  # type: ignore[arg-type]


def test_intro_and_outro_shift_every_cue_and_chapter_by_the_intro_decoded_length(
    folder: Path, speech: tuple[Timeline, str]
) -> None:
    timeline, language = speech
    music = _music(folder, intro="intro.mp3", outro="outro.flac", intro_gap_ms=300)
    intro_ms = decoded_duration_ms(folder / "intro.mp3")
    outro_ms = decoded_duration_ms(folder / "outro.flac")
    assert music.intro is not None and music.intro.duration_ms == intro_ms
    assert 2500 <= intro_ms <= 2600 and outro_ms == 2000  # MP3 decodes a little longer
    shifted = add_music(timeline, music, language)
    shift = intro_ms + 300
    assert shifted.duration_ms == timeline.duration_ms + shift + outro_ms
    for before, after in zip(timeline.placements, shifted.placements, strict=True):
        assert (after.start_ms, after.end_ms) == (before.start_ms + shift, before.end_ms + shift)
        assert after.utterance == before.utterance and after.clip == before.clip
    profile = get_profile("netflix", language=language, max_chars=None, max_lines=None)
    cues = build_cues(timeline, language=language, profile=profile)
    moved = build_cues(shifted, language=language, profile=profile)
    assert [(c.start_ms + shift, c.end_ms + shift, c.lines) for c in cues] == [
        (c.start_ms, c.end_ms, c.lines) for c in moved
    ]
    # Captions never reach into the music-only parts.
    assert moved[0].start_ms >= shift and moved[-1].end_ms <= shift + timeline.duration_ms
    titles = [(c.title, c.start_ms, c.end_ms) for c in shifted.chapters]
    middle = [(c.title, c.start_ms + shift, c.end_ms + shift) for c in timeline.chapters]
    end = shift + timeline.duration_ms
    assert titles == [("片头", 0, shift), *middle, ("片尾", end, end + outro_ms)]
    assert timeline.placements[0].start_ms == 500  # the input is untouched


def test_chapters_are_named_in_the_language_and_added_when_the_speech_has_none(
    folder: Path, speech: tuple[Timeline, str]
) -> None:
    timeline = replace(speech[0], chapters=())
    music = _music(folder, intro="intro.mp3")
    shifted = add_music(timeline, music, "en")
    assert [c.title for c in shifted.chapters] == ["Intro", "Programme"]
    assert shifted.chapters[1].end_ms == shifted.duration_ms
    assert music_titles("zh-Hans") == ("片头", "片尾", "正文")
    bed_only = _music(folder, bed="bed.wav")
    assert add_music(speech[0], bed_only, "zh") is speech[0]  # a bed changes no times


@pytest.mark.parametrize(
    ("name", "role", "problem"),
    [
        ("notes.mp3", "intro", "ffmpeg cannot read it"),
        ("silent.wav", "bed", "silent"),
        ("long.ogg", "outro", "longer than the 120 s allowed"),
        ("../private.mp3", "intro", "outside the transcript's folder"),
        ("missing.mp3", "bed", "no such file"),
        (".", "bed", "not a regular file"),
    ],
)
def test_bad_music_is_a_clear_error(folder: Path, name: str, role: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_music(name, folder, role=role)
    assert problem in str(caught.value) and caught.value.setting == role
    assert caught.value.hint


def test_limits_and_the_outside_rule_can_be_set(folder: Path) -> None:
    with pytest.raises(ConfigError, match="limited to 0 MB"):
        load_music("bed.wav", folder, role="bed", max_bytes=1000)
    with pytest.raises(ConfigError, match="longer than the 5 s"):
        load_music("bed.wav", folder, role="bed", max_ms=5000)
    outside = load_music("../private.mp3", folder, role="intro", allow_outside=True)
    assert outside.path == (folder.parent / "private.mp3").resolve()
    a = _music(folder, bed="bed.wav")
    assert a.identity() == _music(folder, bed="bed.wav").identity()
    assert a.identity() != _music(folder, bed="outro.flac").identity()
    assert a.identity() != replace(a, bed_level_lu=-20.0).identity()
    with pytest.raises(ConfigError, match="bed_level_lu"):
        Music(bed_level_lu=-10.0)  # less than 15 LU under, the speech would not stay intelligible


def _streams(timeline: Timeline, music: Music) -> tuple[np.ndarray, np.ndarray, Mixer]:
    plan = plan_levels(timeline, target_lufs=-19.0, channels=1, ceiling_dbtp=-1.0)
    level = plan.predicted_lufs - plan.programme
    gains = {k: v + plan.programme for k, v in music_gains(music, level).items()}
    mixer = Mixer(timeline, music, gains)
    voice = b"".join(iter_programme(timeline, plan.gain_db))
    bed = b"".join(mixer.mix(iter_programme(timeline, plan.gain_db), speech=False))
    as_array = [np.frombuffer(x, dtype="<f4").astype(np.float64) for x in (voice, bed)]
    return as_array[0], as_array[1], mixer


def _lufs(x: np.ndarray, rate: int) -> float:
    return measure_stream([x.astype("<f4").tobytes()], rate).integrated_lufs


def test_the_bed_sits_15_lu_under_the_speech_and_rises_in_long_pauses(
    folder: Path, speech: tuple[Timeline, str]
) -> None:
    timeline = add_music(speech[0], _music(folder, intro="intro.mp3"), "zh")
    music = _music(folder, intro="intro.mp3", bed="bed.wav")
    voice, bed, mixer = _streams(timeline, music)
    rate = timeline.sample_rate
    for chapter in timeline.chapters[1:]:  # each section of speech
        inside = [p for p in timeline.placements if chapter.start_ms <= p.start_ms < chapter.end_ms]
        cut = np.concatenate(
            [
                np.arange(ms_to_samples(p.start_ms, rate), ms_to_samples(p.end_ms, rate))
                for p in inside
            ]
        )
        difference = _lufs(voice[cut], rate) - _lufs(bed[cut], rate)
        print(f"{chapter.title}: speech - bed = {difference:.2f} LU")
        assert 16.0 <= difference <= 20.0, (chapter.title, difference)
    spans = duck_spans(timeline, music, music.intro_ms, timeline.duration_ms)
    assert spans  # the section break (1400 ms) is long enough to duck out of
    start, end = spans[0]
    middle = slice(ms_to_samples(start + 550, rate), ms_to_samples(end - 550, rate))
    p = timeline.placements[0]
    under = slice(ms_to_samples(p.start_ms, rate), ms_to_samples(p.end_ms, rate))
    rise = 10 * np.log10(np.mean(bed[middle] ** 2) / np.mean(bed[under] ** 2))
    print(f"bed rise in the section break: {rise:.2f} dB")
    assert 4.5 <= rise <= 7.5  # duck_db = 6
    intro = mixer.music_at(0, ms_to_samples(music.intro_ms, rate))
    assert np.allclose(bed[: intro.size], intro, atol=1e-6)  # the bed starts after the intro


def test_a_short_bed_loops_without_a_gap(folder: Path, speech: tuple[Timeline, str]) -> None:
    timeline = speech[0]
    music = _music(folder, bed="bed.wav", duck_db=0.0)
    _, bed, _ = _streams(timeline, music)
    rate = timeline.sample_rate
    steady = bed[ms_to_samples(1000, rate) : ms_to_samples(timeline.duration_ms - 2000, rate)]
    assert steady.size > 3 * 8 * rate  # the 8 s bed plays more than three times
    window = rate // 4
    levels = [
        10 * np.log10(np.mean(steady[i : i + window] ** 2))
        for i in range(0, steady.size - window, window)
    ]
    middle = float(np.median(levels))
    assert middle - 3.0 < min(levels) and max(levels) < middle + 3.0  # no hole or bump at a join


def test_the_mix_meets_the_target_and_the_true_peak_ceiling(
    folder: Path, speech: tuple[Timeline, str], tmp_path: Path
) -> None:
    music = _music(folder, intro="intro.mp3", outro="outro.flac", bed="bed.wav")
    timeline = add_music(speech[0], music, speech[1])
    result = write_audio(timeline, tmp_path / "show.mp3", channels=2, loudness=-16.0, music=music)
    measured = ebur128(tmp_path / "show.mp3")
    print(f"mix: {measured.integrated_lufs:.2f} LUFS, {measured.true_peak_dbtp:.2f} dBTP")
    assert abs(measured.integrated_lufs + 16.0) <= 0.6, measured
    assert measured.true_peak_dbtp <= -1.0, measured
    assert abs(result.duration_ms - timeline.duration_ms) <= 60
    info = read_info(tmp_path / "show.mp3")
    assert info.channels == "stereo"  # a mono bed in a stereo render
    chapters = [(c.title, c.start_ms, c.end_ms) for c in info.chapters]
    assert chapters == [(c.title, c.start_ms, c.end_ms) for c in timeline.chapters]
    assert chapters[0][0] == "片头" and chapters[-1][0] == "片尾"
    # The jingles play about as loud as the speech (jingle_level_lu = 0).
    pcm = decode_pcm(tmp_path / "show.mp3", sample_rate=48000)
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0
    speech_part = x[ms_to_samples(timeline.chapters[1].start_ms, 48000) :][: 48000 * 15]
    intro = x[: ms_to_samples(chapters[0][2], 48000)]
    jingle = _lufs(intro, 48000) - _lufs(speech_part, 48000)
    print(f"intro - speech = {jingle:.2f} LU")
    assert abs(jingle) <= 2.0
    with pytest.raises(OutputError, match="add_music"):
        write_audio(speech[0], tmp_path / "unshifted.mp3", music=music)
    assert isinstance(music.intro, MusicFile)
