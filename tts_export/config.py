"""One validated render configuration.

Built from defaults, then ``tts-export.toml``, then front matter, then
command-line options (later wins); every value is checked here, once.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tts_export.engines import names as engine_names
from tts_export.errors import ConfigError


@dataclass(frozen=True)
class Pauses:
    """Silence inserted between clips, in ms."""

    sentence: int = 250  # between sentences of one turn
    same_speaker: int = 450  # between two turns of the same speaker
    speaker_change: int = 600  # between turns of different speakers
    section: int = 1400  # before a new section
    head: int = 500  # room tone before the first clip
    tail: int = 1000  # after the last clip
    sound: int = 1000  # the silent slot a captioned sound cue such as [laughs] takes

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 60_000:
                raise ConfigError(
                    f"pauses.{f.name}", value, "must be a whole number of ms from 0 to 60000"
                )


@dataclass(frozen=True)
class RenderConfig:
    """Everything a render needs to know, already validated."""

    out_dir: Path = Path("out")
    engine: str = "kokoro"
    fallback: str = "auto"  # engine for utterances the main engine fails on, "auto" or "none"
    jobs: int = 0  # parallel synthesis calls; 0 = the engine's own choice
    voices: Mapping[str, str] = field(default_factory=dict)  # speaker -> profile id
    voice_dirs: tuple[Path, ...] = ()
    glossary: str = "drop"  # "drop" | "keep"
    dialect: str | None = None
    strict: bool = False
    cache_dir: Path = Path(".cache/tts-export")
    pauses: Pauses = field(default_factory=Pauses)
    captions: str = "netflix"
    max_chars: float | None = None
    max_lines: int | None = None
    captions_formats: tuple[str, ...] = ("srt", "vtt")
    audio_format: str = "mp3"
    bitrate: str | None = None  # None = the format's spoken-word default
    sample_rate: int | None = None  # None = the engine's
    channels: int = 1
    loudness: float | None = -19.0  # integrated LUFS target; None = off
    trim_margin_ms: int = 40
    group: bool = True  # let engines that can render several sentences of a turn per call

    def __post_init__(self) -> None:
        _one_of("glossary", self.glossary, ("drop", "keep"))
        _one_of("engine", self.engine, engine_names())
        _one_of("fallback", self.fallback, ("auto", "none", *engine_names()))
        _one_of("captions", self.captions, ("netflix", "bbc", "podcast"))
        _one_of("format", self.audio_format, ("mp3", "m4a", "m4b", "ogg", "opus", "flac", "wav"))
        if not 0 <= self.jobs <= 64:
            raise ConfigError("jobs", self.jobs, "must be from 0 to 64")
        if self.channels not in (1, 2):
            raise ConfigError("channels", self.channels, "must be 1 or 2")
        if self.loudness is not None and not -40.0 <= self.loudness <= -5.0:
            raise ConfigError("loudness", self.loudness, "must be from -40 to -5 LUFS, or off")
        for fmt in self.captions_formats:
            _one_of("captions-formats", fmt, ("srt", "vtt", "ass", "json", "txt", "html"))
        if not 0 <= self.trim_margin_ms <= 1000:
            raise ConfigError("trim_margin_ms", self.trim_margin_ms, "must be from 0 to 1000")


def _one_of(setting: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(
            setting, value, "not a known value", hint=f"use one of {', '.join(allowed)}"
        )


# Keys accepted in tts-export.toml and in front matter (under `tts-export:`),
# mapped to RenderConfig fields.
_FILE_KEYS = {
    "engine": "engine",
    "fallback": "fallback",
    "jobs": "jobs",
    "glossary": "glossary",
    "dialect": "dialect",
    "captions": "captions",
    "max_chars": "max_chars",
    "max_lines": "max_lines",
    "format": "audio_format",
    "bitrate": "bitrate",
    "sample_rate": "sample_rate",
    "channels": "channels",
    "loudness": "loudness",
}


def merge(base: RenderConfig, settings: Mapping[str, Any], *, source: str) -> RenderConfig:
    """Apply a mapping of settings (from a file or front matter) over ``base``.

    Raises:
        ConfigError: an unknown key or a bad value, naming ``source``.
    """
    changes: dict[str, Any] = {}
    for key, value in settings.items():
        norm = key.replace("-", "_")
        if norm == "pauses":
            if not isinstance(value, Mapping):
                raise ConfigError(f"{source}: pauses", value, "must be a table of ms values")
            try:
                changes["pauses"] = replace(
                    changes.get("pauses", base.pauses),
                    **{k.replace("-", "_"): v for k, v in value.items()},
                )
            except TypeError as exc:
                raise ConfigError(f"{source}: pauses", value, str(exc)) from None
        elif norm == "voices":
            if not isinstance(value, Mapping):
                raise ConfigError(
                    f"{source}: voices", value, "must map speaker names to profile ids"
                )
            changes["voices"] = {**base.voices, **{str(k): str(v) for k, v in value.items()}}
        elif norm == "loudness" and value in ("off", False):
            changes["loudness"] = None
        elif norm in _FILE_KEYS:
            changes[_FILE_KEYS[norm]] = value
        else:
            raise ConfigError(
                f"{source}: {key}",
                value,
                "unknown setting",
                hint=f"known settings: {', '.join(sorted({*_FILE_KEYS, 'pauses', 'voices'}))}",
            )
    if (
        changes.get("channels") == 2
        and "loudness" not in changes
        and base.loudness == RenderConfig().loudness
    ):
        changes["loudness"] = -16.0  # the stereo equivalent of the -19 LUFS mono default
    return replace(base, **changes)


def load_project_file(path: Path) -> Mapping[str, Any]:
    """Read ``tts-export.toml``; a missing file gives no settings.

    Raises:
        ConfigError: the file is not valid TOML.
    """
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"not valid TOML: {exc}") from None
