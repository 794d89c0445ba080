"""Options shared by the commands, and the parsers that turn their text into API values."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tts_export import api
from tts_export.config import PROJECT_FILE, RenderConfig, load_config
from tts_export.errors import ConfigError


def load(config_file: Path | None) -> RenderConfig:
    return load_config(config_file)


def parse_voices(pairs: list[str] | None) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for pair in pairs or []:
        speaker, sep, profile = pair.partition("=")
        if not sep or not speaker.strip() or not profile.strip():
            raise ConfigError(
                "--voice", pair, "must be SPEAKER=PROFILE", hint="e.g. --voice 主持人=zh-f-bright"
            )
        chosen[speaker.strip()] = profile.strip()
    return chosen


def parse_loudness(value: str) -> float | None:
    if value.lower() == "off":
        return None
    try:
        return float(value)
    except ValueError:
        raise ConfigError(
            "--loudness", value, "must be a LUFS number such as -16, or 'off'"
        ) from None


def transcript_arg(value: str, name: str | None) -> tuple[api.TranscriptInput, str | None]:
    """``-`` reads the transcript from stdin (named ``--name``, default "stdin")."""
    if value == "-":
        return sys.stdin.read(), name or "stdin"
    return Path(value), name


EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        "-e",
        metavar="NAME",
        help="kokoro (offline neural, default; ~0.4x real time on 2 cores), espeak (offline, "
        "instant, robotic: a draft in a minute) or edge (online, needs the internet).",
    ),
]
VoiceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--voice",
        metavar="SPEAKER=PROFILE",
        help="Cast a speaker; repeat for more speakers. Overrides front matter `voices:`.",
    ),
]
VoicesDirOpt = Annotated[
    list[Path] | None,
    typer.Option("--voices-dir", metavar="DIR", help="Extra folder of voice-profile TOML files."),
]
DialectOpt = Annotated[
    str | None,
    typer.Option(
        "--dialect", metavar="NAME", help="Force the speaker-label dialect instead of detecting it."
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat parse warnings as errors.")]
GlossaryOpt = Annotated[
    str | None,
    typer.Option(
        "--glossary",
        metavar="drop|keep",
        help="drop (default): glossary notes after bold terms are neither spoken nor captioned; "
        "keep: speak them.",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help=f"Settings file (default: ./{PROJECT_FILE} if present).",
    ),
]
NameOpt = Annotated[
    str | None,
    typer.Option(
        "--name",
        metavar="STEM",
        help="Output file stem (default: the transcript's; 'stdin' for -).",
    ),
]


LexiconOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--lexicon",
        metavar="FILE",
        help="Pronunciation lexicon (TOML): display term -> spoken form; repeatable, later wins.",
    ),
]
NormalizeOpt = Annotated[
    bool | None,
    typer.Option(
        "--normalize/--no-normalize",
        help="Read numbers, money, dates, times, ranges and units the way a news reader "
        "would (default on); captions always show the text as written.",
    ),
]
