"""The checks of the settings: each takes (name, value) and returns the value in its stored shape.

A bad value raises ``ConfigError`` naming the setting and what it takes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from tts_export.errors import ConfigError
from tts_export.models import Pauses

Check = Callable[[str, Any], Any]

_BITRATE = re.compile(r"^[1-9][0-9]{0,2}k$")
_HOST_PORT = re.compile(r"^[A-Za-z0-9_.\-\[\]:]+:[0-9]{1,5}$")


def _kind(value: object) -> str:
    return type(value).__name__


def _toml(value: object) -> str:
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def _cli(value: object) -> str:
    if isinstance(value, Mapping):
        return " ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def how_to_set(name: str) -> str:
    """The hint of a bad value: the setting's flag and its file key, with the declared example.

    ``name`` is a setting's field name; anything else (an API argument) gets a plainer hint.
    """
    from tts_export.config import PROJECT_FILE, SETTINGS  # late: the settings declare checks

    decl = SETTINGS.get(name)
    if decl is None:
        return f"see the {name} entry in the README for what it takes"
    in_file = f"`{decl.key} = {_toml(decl.example)}` in {PROJECT_FILE}"
    if decl.kind == "flag":
        return f"pass {decl.flag} or write {in_file}, or leave it out"
    if decl.kind == "toggle":
        return f"pass {decl.flags[0]} or write {in_file}"
    return f"e.g. {decl.flag} {_cli(decl.example)}, or {in_file}"


def _whole(name: str, value: object, low: int, high: int, *, unit: str = "") -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(
            name,
            value,
            f"must be a whole number from {low} to {high}{unit}, not {_kind(value)}",
            hint=how_to_set(name),
        )
    if not low <= value <= high:
        raise ConfigError(name, value, f"must be from {low} to {high}{unit}", hint=how_to_set(name))
    return value


def whole(low: int, high: int, *, unit: str = "") -> Check:
    """A whole number from ``low`` to ``high``."""
    return lambda name, value: _whole(name, value, low, high, unit=unit)


def optional_whole(low: int, high: int) -> Check:
    """A whole number from ``low`` to ``high``, or None."""

    def check(name: str, value: object) -> int | None:
        return None if value is None else _whole(name, value, low, high)

    return check


def flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(
            name, value, f"must be true or false, not {_kind(value)}", hint=how_to_set(name)
        )
    return value


def path(name: str, value: object) -> Path:
    if isinstance(value, str | os.PathLike) and os.fspath(value):
        return Path(value)
    raise ConfigError(
        name, value, f"must be a path (text), not {_kind(value)}", hint=how_to_set(name)
    )


def paths(name: str, value: object) -> tuple[Path, ...]:
    if isinstance(value, str | os.PathLike) or not isinstance(value, list | tuple):
        raise ConfigError(name, value, "must be a list of paths", hint=how_to_set(name))
    return tuple(path(name, item) for item in value)


def choice(names: Callable[[], tuple[str, ...]], *extra: str) -> Check:
    """One of ``extra`` or of ``names()`` (asked when checked: the registries load late)."""

    def check(name: str, value: object) -> str:
        allowed = (*extra, *names())
        if not isinstance(value, str) or value not in allowed:
            raise ConfigError(
                name, value, "not a known value", hint=f"use one of {', '.join(allowed)}"
            )
        return value

    return check


def engines() -> tuple[str, ...]:
    from tts_export.engines import names

    return names()


def captions_formats() -> tuple[str, ...]:
    from tts_export.captions.formats import names

    return names()


def profiles() -> tuple[str, ...]:
    from tts_export.captions.profiles import names

    return names()


def vtt_labels() -> tuple[str, ...]:
    from tts_export.captions.subtitles import VTT_LABELS

    return VTT_LABELS


def audio_formats() -> tuple[str, ...]:
    from tts_export.audio.formats import names

    return names()


def formats(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ConfigError(name, value, "must be a list of format names", hint=how_to_set(name))
    check = choice(captions_formats)
    return tuple(dict.fromkeys(check(name, item) for item in value))


def voices(name: str, value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
        for k, v in value.items()
    ):
        raise ConfigError(
            name, value, "must map speaker names to voice profile ids (text)", hint=how_to_set(name)
        )
    return dict(value)


def dialect(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(
            name, value, f"must be a dialect name (text), not {_kind(value)}", hint=how_to_set(name)
        )
    from tts_export.transcript.dialects import parse_option

    parse_option(value)
    return value


def bitrate(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or _BITRATE.fullmatch(value.strip()) is None:
        raise ConfigError(name, value, "must be kbit/s written like 96k", hint="e.g. 96k")
    return value.strip()  # the range depends on the format: checked in __post_init__


def loudness(name: str, value: object) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ConfigError(
            name,
            value,
            f"must be LUFS from -40 to -5, or off; not {_kind(value)}",
            hint=how_to_set(name),
        )
    if not -40.0 <= value <= -5.0:
        raise ConfigError(name, value, "must be from -40 to -5 LUFS, or off", hint=how_to_set(name))
    return float(value)


def audio_file(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | os.PathLike) or not os.fspath(value).strip():
        raise ConfigError(
            name, value, "must be the path of an audio file (text)", hint=how_to_set(name)
        )
    return os.fspath(value)


def number(low: float, high: float, *, unit: str = "") -> Check:
    """A number from ``low`` to ``high``."""
    return lambda name, value: _number(name, value, low, high, unit=unit)


def _number(name: str, value: object, low: float, high: float, *, unit: str = "") -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
        raise ConfigError(
            name, value, f"must be a number from {low:g} to {high:g}{unit}", hint=how_to_set(name)
        )
    if not low <= value <= high:
        raise ConfigError(
            name, value, f"must be from {low:g} to {high:g}{unit}", hint=how_to_set(name)
        )
    return float(value)


def ray_address(name: str, value: object) -> str | None:
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


def pauses(name: str, value: object) -> Pauses:
    if not isinstance(value, Pauses):
        raise ConfigError(name, value, "must be a Pauses", hint=how_to_set(name))
    return value


def pauses_update(old: Pauses, new: object) -> Pauses:
    """A later source's pauses over ``old``: a ``Pauses`` replaces, a table updates per key.

    Raises:
        ConfigError: not a table of ms values, or an unknown pause (named ``pauses.NAME``).
    """
    if isinstance(new, Pauses):
        return new
    if not isinstance(new, Mapping):
        raise ConfigError(
            "pauses",
            new,
            "must be a table of ms values",
            hint="e.g. `pauses = { section = 2000 }` in tts-export.toml, or --pause section=2000",
        )
    known = {f.name for f in fields(Pauses)}
    updates = {str(k).replace("-", "_"): v for k, v in new.items()}
    for name in updates:
        if name not in known:
            raise ConfigError(
                f"pauses.{name}",
                updates[name],
                "unknown pause",
                hint=f"known pauses: {', '.join(sorted(known))}",
            )
    return replace(old, **updates)


def voices_update(old: Mapping[str, str], new: object) -> Mapping[str, str]:
    """A later source's casting over ``old``, per speaker."""
    return {**old, **voices("voices", new)}
