"""One validated render configuration: settings in, a frozen ``RenderConfig`` out.

Built from defaults, then ``tts-export.toml``, then front matter, then
command-line or keyword options (later wins). Every value's type and range is
checked here, once, before any work starts: a render never stops half-way
on a setting.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypedDict

from tts_export.errors import ConfigError
from tts_export.models import Pauses

PROJECT_FILE = "tts-export.toml"
_BITRATE = re.compile(r"^[1-9][0-9]{0,2}k$")
_HOST_PORT = re.compile(r"^[A-Za-z0-9_.\-\[\]:]+:[0-9]{1,5}$")
_STEREO_LOUDNESS = -16.0  # plays about as loud as the -19 LUFS mono default


@dataclass(frozen=True)
class RenderConfig:
    """Everything a render needs to know, already validated.

    Path settings accept ``str`` or any path-like and are stored as ``Path``;
    sequences are stored as tuples. Anything else of the wrong type or out of
    range raises ``ConfigError`` naming the setting and what it takes.
    """

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
    max_chars: int | None = None
    max_lines: int | None = None
    captions_formats: tuple[str, ...] = ("srt", "vtt")
    vtt_labels: str = "both"  # WebVTT speaker names: "voice" (<v>), "text" (label) or "both"
    audio_format: str = "mp3"
    bitrate: str | None = None  # None = the format's spoken-word default
    sample_rate: int | None = None  # None = the engine's
    channels: int = 1
    loudness: float | None = -19.0  # integrated LUFS target; None = off
    trim_margin_ms: int = 40
    group: bool = True  # let engines that can render several sentences of a turn per call
    page: bool = False  # also write <stem>.html, the listening page (tts_export.output.publish)
    # Files a transcript names (cover art) may lie outside its folder. Never settable from
    # front matter: a transcript from someone else must not reach the user's private files.
    allow_outside_files: bool = False
    lexicon: tuple[Path, ...] = ()  # pronunciation lexicon files, later ones win
    normalize: bool = True  # numbers, money, dates... read as said (lexicon.normalize)
    intro: str | None = None  # a jingle before the speech (relative to the transcript)
    outro: str | None = None  # after it
    bed: str | None = None  # music under the speech, looped
    bed_level: float = -18.0  # LU relative to the speech while anyone speaks
    duck: float = 6.0  # dB the bed rises in long pauses and section breaks
    bed_fade_in_ms: int = 1000
    bed_fade_out_ms: int = 2000
    intro_gap_ms: int = 0
    outro_gap_ms: int = 0
    executor: str = "local"  # "local", or "ray": synthesis on Ray actors (tts-export[ray])
    ray_address: str | None = None  # None: a local Ray on this machine; "auto"; "ray://host:port"
    workers: int = 2  # Ray actors, each holding one engine (one model load)
    worker_threads: int | None = None  # threads per actor for engines that take them (kokoro)

    def __post_init__(self) -> None:
        for f in fields(self):
            check = _CHECKS[f.name]
            value = check(f.name, getattr(self, f.name))
            object.__setattr__(self, f.name, value)
        from tts_export.audio.formats import check_bitrate

        # The bitrate depends on the format, channels and rate: checked once they are.
        bitrate = check_bitrate(
            self.audio_format, self.bitrate, channels=self.channels, sample_rate=self.sample_rate
        )
        object.__setattr__(self, "bitrate", bitrate)


class RenderOptions(TypedDict, total=False):
    """Keyword options of ``render`` and ``inspect``: any ``RenderConfig`` field."""

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
    pauses: Pauses
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


# --- the checks, one per field ---------------------------------------------------


def _kind(value: object) -> str:
    return type(value).__name__


def _whole(name: str, value: object, low: int, high: int, *, unit: str = "") -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(
            name, value, f"must be a whole number from {low} to {high}{unit}, not {_kind(value)}"
        )
    if not low <= value <= high:
        raise ConfigError(name, value, f"must be from {low} to {high}{unit}")
    return value


def _optional_whole(low: int, high: int) -> Callable[[str, object], int | None]:
    def check(name: str, value: object) -> int | None:
        return None if value is None else _whole(name, value, low, high)

    return check


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(name, value, f"must be true or false, not {_kind(value)}")
    return value


def _path(name: str, value: object) -> Path:
    if isinstance(value, str | os.PathLike) and os.fspath(value):
        return Path(value)
    raise ConfigError(name, value, f"must be a path (text), not {_kind(value)}")


def _paths(name: str, value: object) -> tuple[Path, ...]:
    if isinstance(value, str | os.PathLike) or not isinstance(value, list | tuple):
        raise ConfigError(name, value, "must be a list of paths")
    return tuple(_path(name, item) for item in value)


def _choice(names: Callable[[], tuple[str, ...]], *extra: str) -> Callable[[str, object], str]:
    def check(name: str, value: object) -> str:
        allowed = (*extra, *names())
        if not isinstance(value, str) or value not in allowed:
            raise ConfigError(
                name, value, "not a known value", hint=f"use one of {', '.join(allowed)}"
            )
        return value

    return check


def _engines() -> tuple[str, ...]:
    from tts_export.engines import names

    return names()


def _captions_formats() -> tuple[str, ...]:
    from tts_export.captions.formats import names

    return names()


def _profiles() -> tuple[str, ...]:
    from tts_export.captions.profiles import names

    return names()


def _vtt_labels() -> tuple[str, ...]:
    from tts_export.captions.subtitles import VTT_LABELS

    return VTT_LABELS


def _audio_formats() -> tuple[str, ...]:
    from tts_export.audio.formats import names

    return names()


def _formats(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ConfigError(name, value, "must be a list of format names")
    check = _choice(_captions_formats)
    return tuple(dict.fromkeys(check(name, item) for item in value))


def _voices(name: str, value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
        for k, v in value.items()
    ):
        raise ConfigError(name, value, "must map speaker names to voice profile ids (text)")
    return dict(value)


def _dialect(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(name, value, f"must be a dialect name (text), not {_kind(value)}")
    from tts_export.transcript.dialects import parse_option

    parse_option(value)
    return value


def _bitrate(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or _BITRATE.fullmatch(value.strip()) is None:
        raise ConfigError(name, value, "must be kbit/s written like 96k", hint="e.g. 96k")
    return value.strip()  # the range depends on the format: checked in __post_init__


def _loudness(name: str, value: object) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ConfigError(name, value, f"must be LUFS from -40 to -5, or off; not {_kind(value)}")
    if not -40.0 <= value <= -5.0:
        raise ConfigError(name, value, "must be from -40 to -5 LUFS, or off")
    return float(value)


def _file_setting(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | os.PathLike) or not os.fspath(value).strip():
        raise ConfigError(name, value, "must be the path of an audio file (text)")
    return os.fspath(value)


def _number(name: str, value: object, low: float, high: float, *, unit: str = "") -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
        raise ConfigError(name, value, f"must be a number from {low:g} to {high:g}{unit}")
    if not low <= value <= high:
        raise ConfigError(name, value, f"must be from {low:g} to {high:g}{unit}")
    return float(value)


def _ray_address(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not (
        value == "auto" or value.startswith("ray://") or _HOST_PORT.fullmatch(value)
    ):
        raise ConfigError(
            name, value, "must be auto, ray://HOST:PORT or HOST:PORT", hint="or leave it out "
            "for a Ray on this machine"
        )  # fmt: skip
    return value


def _pauses(name: str, value: object) -> Pauses:
    if not isinstance(value, Pauses):
        raise ConfigError(name, value, "must be a Pauses")
    return value


_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "out_dir": _path,
    "engine": _choice(_engines),
    "fallback": _choice(_engines, "auto", "none"),
    "jobs": lambda name, value: _whole(name, value, 0, 64),
    "voices": _voices,
    "voice_dirs": _paths,
    "glossary": _choice(lambda: ("drop", "keep")),
    "dialect": _dialect,
    "strict": _flag,
    "cache_dir": _path,
    "pauses": _pauses,
    "captions": _choice(_profiles),
    "max_chars": _optional_whole(4, 200),
    "max_lines": _optional_whole(1, 4),
    "captions_formats": _formats,
    "vtt_labels": _choice(_vtt_labels),
    "audio_format": _choice(_audio_formats),
    "bitrate": _bitrate,
    "sample_rate": _optional_whole(8000, 192_000),
    "channels": lambda name, value: _whole(name, value, 1, 2),
    "loudness": _loudness,
    "trim_margin_ms": lambda name, value: _whole(name, value, 0, 1000),
    "group": _flag,
    "page": _flag,
    "allow_outside_files": _flag,
    "lexicon": _paths,
    "normalize": _flag,
    "intro": _file_setting,
    "outro": _file_setting,
    "bed": _file_setting,
    "bed_level": lambda name, value: _number(name, value, -40.0, -15.0, unit=" LU"),
    "duck": lambda name, value: _number(name, value, 0.0, 12.0, unit=" dB"),
    "bed_fade_in_ms": lambda name, value: _whole(name, value, 0, 30_000),
    "bed_fade_out_ms": lambda name, value: _whole(name, value, 0, 30_000),
    "intro_gap_ms": lambda name, value: _whole(name, value, 0, 10_000),
    "outro_gap_ms": lambda name, value: _whole(name, value, 0, 10_000),
    "executor": _choice(lambda: ("local", "ray")),
    "ray_address": _ray_address,
    "workers": lambda name, value: _whole(name, value, 1, 1024),
    "worker_threads": _optional_whole(1, 64),
}


# --- settings from files ---------------------------------------------------------

# Keys accepted in tts-export.toml and in front matter (under `tts-export:`),
# mapped to RenderConfig fields.
FILE_KEYS: Mapping[str, str] = {
    "engine": "engine",
    "fallback": "fallback",
    "jobs": "jobs",
    "glossary": "glossary",
    "dialect": "dialect",
    "captions": "captions",
    "max_chars": "max_chars",
    "max_lines": "max_lines",
    "captions_formats": "captions_formats",
    "vtt_labels": "vtt_labels",
    "format": "audio_format",
    "bitrate": "bitrate",
    "sample_rate": "sample_rate",
    "channels": "channels",
    "loudness": "loudness",
    "voice_dirs": "voice_dirs",
    "group": "group",
    "normalize": "normalize",
    "intro": "intro",
    "outro": "outro",
    "bed": "bed",
    "bed_level": "bed_level",
    "duck": "duck",
    "bed_fade_in_ms": "bed_fade_in_ms",
    "bed_fade_out_ms": "bed_fade_out_ms",
    "intro_gap_ms": "intro_gap_ms",
    "outro_gap_ms": "outro_gap_ms",
    "executor": "executor",
    "ray_address": "ray_address",
    "workers": "workers",
    "worker_threads": "worker_threads",
    "page": "page",
    "strict": "strict",
    "pauses": "pauses",
    "voices": "voices",
}


# Keys only the user's own settings file may hold, never a transcript's front matter.
PROJECT_ONLY_KEYS: Mapping[str, str] = {
    "allow_outside_files": "allow_outside_files",
    "lexicon": "lexicon",  # a transcript has its own `pronounce:` entries instead
}


def merge(
    base: RenderConfig,
    settings: Mapping[str, Any],
    *,
    source: str,
    folder: Path | None = None,
    trusted: bool = False,
) -> RenderConfig:
    """Apply a mapping of settings (from a file or front matter) over ``base``.

    Args:
        base: the settings so far.
        settings: key -> value as read from TOML or YAML.
        source: names the file in errors.
        folder: relative ``voice_dirs`` are taken from here (the file's folder).
        trusted: the user's own settings file (not a transcript's front matter):
            it may also hold ``PROJECT_ONLY_KEYS``.

    Raises:
        ConfigError: an unknown key or a bad value, naming ``source`` and the key.
    """
    changes: dict[str, Any] = {}
    for key, value in settings.items():
        norm = str(key).replace("-", "_")
        target = FILE_KEYS.get(norm) or (PROJECT_ONLY_KEYS.get(norm) if trusted else None)
        if target is None and norm in PROJECT_ONLY_KEYS:
            raise ConfigError(
                f"{source}: {key}",
                value,
                "may not be set by a transcript",
                hint="pass --allow-outside-files, or set it in your tts-export.toml",
            )
        if target is None:
            raise ConfigError(
                f"{source}: {key}",
                value,
                "unknown setting",
                hint=f"known settings: {', '.join(sorted(FILE_KEYS))}",
            )
        try:
            changes[target] = _from_file(target, value, base, folder)
            replace(base, **{target: changes[target]})  # each value checked on its own
        except ConfigError as exc:
            inner = exc.setting.startswith(("pauses.", "voices."))  # name the nested key too
            name, bad = (exc.setting, exc.value) if inner else (str(key), value)
            raise ConfigError(f"{source}: {name}", bad, exc.problem, hint=exc.hint) from None
    if changes.get("channels") == 2 and "loudness" not in changes:
        changes.setdefault("loudness", stereo_loudness(base))
    return replace(base, **changes)


def stereo_loudness(base: RenderConfig) -> float | None:
    """The loudness target when a render switches to stereo without naming one."""
    return _STEREO_LOUDNESS if base.loudness == RenderConfig().loudness else base.loudness


def _from_file(target: str, value: object, base: RenderConfig, folder: Path | None) -> object:
    """A file value in the field's Python shape (checked afterwards by ``RenderConfig``)."""
    if target == "loudness" and value in ("off", False):
        return None
    if target == "pauses":
        if not isinstance(value, Mapping):
            raise ConfigError("pauses", value, "must be a table of ms values")
        known = {f.name for f in fields(Pauses)}
        updates = {str(k).replace("-", "_"): v for k, v in value.items()}
        for name in updates:
            if name not in known:
                raise ConfigError(
                    f"pauses.{name}",
                    updates[name],
                    "unknown pause",
                    hint=f"known pauses: {', '.join(sorted(known))}",
                )
        return replace(base.pauses, **updates)
    if target == "voices":
        return {**base.voices, **_voices("voices", value)}
    if target == "captions_formats" and isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if target in ("voice_dirs", "lexicon") and isinstance(value, list | tuple):
        dirs = _paths(target, value)
        before: tuple[Path, ...] = getattr(base, target)
        return (*before, *(folder / d if folder else d for d in dirs))
    return value


def load_project_file(path: Path) -> Mapping[str, Any]:
    """Read ``tts-export.toml``; a missing file gives no settings.

    Raises:
        ConfigError: the file is not valid TOML, not UTF-8, or not a file.
    """
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot be read: {exc.strerror or exc}") from None


def load_config(path: str | os.PathLike[str] | None = None) -> RenderConfig:
    """Defaults with a settings file applied (``./tts-export.toml`` when ``path`` is None).

    Raises:
        ConfigError: the file is missing (when named), unreadable, or holds a bad setting.
    """
    if path is not None and not Path(path).is_file():
        raise ConfigError("config", os.fspath(path), "file not found")
    file = Path(path) if path is not None else Path(PROJECT_FILE)
    settings = load_project_file(file)
    if not settings:
        return RenderConfig()
    return merge(RenderConfig(), settings, source=str(file), folder=file.parent, trusted=True)
