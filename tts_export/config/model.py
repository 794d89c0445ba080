"""``RenderConfig``: every render setting, declared once (check, default, file key, flag, help).

Path settings accept ``str`` or any path-like and are stored as ``Path``;
sequences are stored as tuples. Anything else of the wrong type or out of
range raises ``ConfigError`` naming the setting and what it takes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TypedDict

from tts_export.config import checks as c
from tts_export.config.setting import (
    KEY,
    as_tuple,
    comma_list,
    loudness_off,
    parse_loudness,
    parse_ms_pairs,
    parse_pairs,
    setting,
)
from tts_export.models import Pauses

STEREO_LOUDNESS = -16.0  # plays about as loud as the -19 LUFS mono default
_BOTH = ("render", "inspect")


@dataclass(frozen=True)
class RenderConfig:
    """Everything a render needs to know, already validated."""

    out_dir: Path = field(default=Path("out"), metadata=setting(
        c.path, "Output folder", "build", flags=("--out", "-o"), metavar="DIR", cli=Path,
        where="project", relative=True))  # fmt: skip
    engine: str = field(default="kokoro", metadata=setting(
        c.choice(c.engines), "kokoro (offline neural; ~0.4x real time on 2 cores), espeak "
        "(offline, instant, robotic: a draft in a minute) or edge (online, needs the internet)",
        "espeak", flags=("--engine", "-e"), metavar="NAME", commands=_BOTH))  # fmt: skip
    fallback: str = field(default="auto", metadata=setting(
        c.choice(c.engines, "auto", "none"), "Engine for utterances the main engine fails on, "
        "in the same persona: auto (espeak for kokoro, kokoro for edge), an engine name, or "
        "none to fail", "none", metavar="NAME"))  # fmt: skip
    jobs: int = field(default=0, metadata=setting(
        c.whole(0, 64), "Parallel synthesis calls (edge takes 4 by default, kokoro 1 using every "
        "core; kokoro calls get cores / jobs threads each)", 3, flags=("--jobs", "-j"),
        metavar="N", cli=int, means="the engine's own"))  # fmt: skip
    voices: Mapping[str, str] = field(default_factory=dict, metadata=setting(
        c.voices, "Cast a speaker; repeat for more speakers. Overrides front matter `voices:`",
        {"Host": "en-f-bright"}, flags=("--voice",), metavar="SPEAKER=PROFILE", kind="repeat",
        parse=parse_pairs("SPEAKER=PROFILE", "主持人=zh-f-bright"), combine=c.voices_update,
        unset="automatic casting", commands=_BOTH))  # fmt: skip
    voice_dirs: tuple[Path, ...] = field(default=(), metadata=setting(
        c.paths, "Extra folder of voice-profile TOML files; repeatable", ["my-voices"],
        flags=("--voices-dir",), metavar="DIR", cli=Path, kind="repeat", parse=as_tuple,
        relative=True, commands=_BOTH))  # fmt: skip
    glossary: str = field(default="drop", metadata=setting(
        c.choice(lambda: ("drop", "keep")), "drop: glossary notes after bold terms are neither "
        "spoken nor captioned; keep: speak them", "keep", metavar="drop|keep",
        commands=_BOTH))  # fmt: skip
    dialect: str | None = field(default=None, metadata=setting(
        c.dialect, "Force the speaker-label dialect instead of detecting it", "colon",
        metavar="NAME", unset="detected", commands=_BOTH))  # fmt: skip
    strict: bool = field(default=False, metadata=setting(
        c.flag, "Treat parse warnings as errors", True, kind="flag", commands=_BOTH))  # fmt: skip
    cache_dir: Path = field(default=Path(".cache/tts-export"), metadata=setting(
        c.path, "Clip cache", "clips", metavar="DIR", cli=Path, where="project",
        relative=True))  # fmt: skip
    pauses: Pauses = field(default_factory=Pauses, metadata=setting(
        c.pauses, "Silence between clips in ms, one pause per NAME; repeatable",
        {"section": 2000}, flags=("--pause",), metavar="NAME=MS", kind="repeat",
        parse=parse_ms_pairs, combine=c.pauses_update))  # fmt: skip
    captions: str = field(default="netflix", metadata=setting(
        c.choice(c.profiles), "Caption rules: netflix, bbc or podcast (for Chinese all three "
        "are Netflix's zh-Hans rules: the BBC's guide has none)", "bbc",
        metavar="PROFILE"))  # fmt: skip
    max_chars: int | None = field(default=None, metadata=setting(
        c.optional_whole(4, 200), "Override the profile's characters per line", 30,
        metavar="N", cli=int, unset="the profile's"))  # fmt: skip
    max_lines: int | None = field(default=None, metadata=setting(
        c.optional_whole(1, 4), "Override the profile's lines per cue", 1, metavar="N", cli=int,
        unset="the profile's"))  # fmt: skip
    captions_formats: tuple[str, ...] = field(default=("srt", "vtt"), metadata=setting(
        c.formats, "Comma list of srt,vtt,ass,json,txt,html", ["srt", "ass"], metavar="LIST",
        parse=lambda flag, text: comma_list(text), from_file=comma_list))  # fmt: skip
    vtt_labels: str = field(default="both", metadata=setting(
        c.choice(c.vtt_labels), "How WebVTT names speakers: <v Name> spans, the visible label "
        "on a speaker change, or both (players ignore <v> when drawing captions)", "text",
        metavar="voice|text|both"))  # fmt: skip
    audio_format: str = field(default="mp3", metadata=setting(
        c.choice(c.audio_formats), "mp3, m4a, m4b, ogg, opus, flac or wav", "ogg",
        flags=("--format", "-f"), metavar="FMT", key="format"))  # fmt: skip
    bitrate: str | None = field(default=None, metadata=setting(
        c.bitrate, "Audio bitrate, e.g. 96k", "128k", metavar="RATE",
        unset="the format's spoken-word default, 96k for mono MP3"))  # fmt: skip
    sample_rate: int | None = field(default=None, metadata=setting(
        c.optional_whole(8000, 192_000), "Output sample rate", 22050, metavar="HZ", cli=int,
        unset="the engine's"))  # fmt: skip
    channels: int = field(default=1, metadata=setting(
        c.whole(1, 2), "Write two channels", 2, flags=("--stereo",), kind="flag", set_to=2,
        means="mono"))  # fmt: skip
    loudness: float | None = field(default=-19.0, metadata=setting(
        c.loudness, "Integrated loudness target in LUFS, or off", -23.0, metavar="LUFS|off",
        parse=parse_loudness, from_file=loudness_off,
        means=f"mono; {STEREO_LOUDNESS:g} with --stereo"))  # fmt: skip
    trim_margin_ms: int = field(default=40, metadata=setting(
        c.whole(0, 1000), "Silence in ms kept around each clip when its edges are trimmed", 60,
        metavar="MS", cli=int))  # fmt: skip
    group: bool = field(default=True, metadata=setting(
        c.flag, "Render several sentences of a turn per engine call where the engine can "
        "(faster; kokoro)", False, flags=("--group/--no-group",), kind="toggle"))  # fmt: skip
    page: bool = field(default=False, metadata=setting(
        c.flag, "Also write <stem>.html: a listening page with the player, captions, chapters "
        "and the transcript, for any static host or file://", True, kind="flag"))  # fmt: skip
    # Files a transcript names (cover art, music) may lie outside its folder. Never settable
    # from front matter: a transcript from someone else must not reach the user's private files.
    allow_outside_files: bool = field(default=False, metadata=setting(
        c.flag, "Let a transcript name files (cover art, music) outside its own folder", True,
        kind="flag", where="project"))  # fmt: skip
    # A transcript has its own `pronounce:` entries instead.
    lexicon: tuple[Path, ...] = field(default=(), metadata=setting(
        c.paths, "Pronunciation lexicon (TOML): display term -> spoken form; repeatable, later "
        "wins", ["names.toml"], metavar="FILE", cli=Path, kind="repeat", parse=as_tuple,
        relative=True, where="project", commands=_BOTH))  # fmt: skip
    normalize: bool = field(default=True, metadata=setting(
        c.flag, "Read numbers, money, dates, times, ranges and units the way a news reader "
        "would; captions always show the text as written", False,
        flags=("--normalize/--no-normalize",), kind="toggle"))  # fmt: skip
    intro: str | None = field(default=None, metadata=setting(
        c.audio_file, "A jingle before the speech (its own chapter; relative to the transcript)",
        "jingle.mp3", metavar="FILE", unset="none"))  # fmt: skip
    outro: str | None = field(default=None, metadata=setting(
        c.audio_file, "Music after the speech (its own chapter)", "outro.mp3", metavar="FILE",
        unset="none"))  # fmt: skip
    bed: str | None = field(default=None, metadata=setting(
        c.audio_file, "Music under the speech, looped and ducked", "bed.mp3", metavar="FILE",
        unset="none"))  # fmt: skip
    bed_level: float = field(default=-18.0, metadata=setting(
        c.number(-40.0, -15.0, unit=" LU"), "The bed's level under speech, in LU", -24.0,
        metavar="LU", cli=float))  # fmt: skip
    duck: float = field(default=6.0, metadata=setting(
        c.number(0.0, 12.0, unit=" dB"), "dB the bed rises in long pauses and section breaks",
        3.0, metavar="DB", cli=float))  # fmt: skip
    bed_fade_in_ms: int = field(default=1000, metadata=setting(
        c.whole(0, 30_000), "The bed's fade-in, in ms", 500, metavar="MS", cli=int))  # fmt: skip
    bed_fade_out_ms: int = field(default=2000, metadata=setting(
        c.whole(0, 30_000), "The bed's fade-out, in ms", 1500, metavar="MS", cli=int))  # fmt: skip
    intro_gap_ms: int = field(default=0, metadata=setting(
        c.whole(0, 10_000), "Silence between the intro and the speech, in ms", 300,
        metavar="MS", cli=int))  # fmt: skip
    outro_gap_ms: int = field(default=0, metadata=setting(
        c.whole(0, 10_000), "Silence between the speech and the outro, in ms", 400,
        metavar="MS", cli=int))  # fmt: skip
    executor: str = field(default="local", metadata=setting(
        c.choice(lambda: ("local", "ray")), "Where synthesis runs: here (local) or on Ray actors "
        "(pip install 'tts-export[ray]'); the driver keeps the cache and writes the files",
        "ray", metavar="local|ray"))  # fmt: skip
    ray_address: str | None = field(default=None, metadata=setting(
        c.ray_address, "auto (a running cluster), ray://HOST:PORT or HOST:PORT", "auto",
        metavar="ADDRESS", unset="a Ray on this machine"))  # fmt: skip
    workers: int = field(default=2, metadata=setting(
        c.whole(1, 1024), "Ray actors, one engine each (one model load)", 4, metavar="N",
        cli=int))  # fmt: skip
    worker_threads: int | None = field(default=None, metadata=setting(
        c.optional_whole(1, 64), "Threads per Ray actor, for engines that take them (kokoro)", 2,
        flags=("--threads-per-worker",), metavar="N", cli=int, unset="the engine's"))  # fmt: skip

    def __post_init__(self) -> None:
        for f in fields(self):
            value = f.metadata[KEY].check(f.name, getattr(self, f.name))
            object.__setattr__(self, f.name, value)
        from tts_export.audio.formats import check_bitrate

        # The bitrate depends on the format, channels and rate: checked once they are.
        bitrate = check_bitrate(
            self.audio_format, self.bitrate, channels=self.channels, sample_rate=self.sample_rate
        )
        object.__setattr__(self, "bitrate", bitrate)


class RenderOptions(TypedDict, total=False):
    """Keyword options of ``render`` and ``inspect``: any ``RenderConfig`` field.

    Written out for type checkers; a test keeps its keys equal to the declared settings.
    """

    out_dir: str | os.PathLike[str]
    engine: str
    fallback: str
    jobs: int
    voices: Mapping[str, str]
    voice_dirs: tuple[str | os.PathLike[str], ...] | list[str | os.PathLike[str]]
    glossary: str
    dialect: str | None
    strict: bool
    cache_dir: str | os.PathLike[str]
    pauses: Pauses | Mapping[str, int]
    captions: str
    max_chars: int | None
    max_lines: int | None
    captions_formats: tuple[str, ...] | list[str]
    vtt_labels: str
    audio_format: str
    bitrate: str | None
    sample_rate: int | None
    channels: int
    loudness: float | None
    trim_margin_ms: int
    group: bool
    page: bool
    allow_outside_files: bool
    lexicon: tuple[str | os.PathLike[str], ...] | list[str | os.PathLike[str]]
    normalize: bool
    intro: str | None
    outro: str | None
    bed: str | None
    bed_level: float
    duck: float
    bed_fade_in_ms: int
    bed_fade_out_ms: int
    intro_gap_ms: int
    outro_gap_ms: int
    executor: str
    ray_address: str | None
    workers: int
    worker_threads: int | None
