"""One validated render configuration: settings in, a frozen ``RenderConfig`` out.

Each setting is declared once, on its ``RenderConfig`` field (``config.model``): its
check, default, file key, CLI flag and help. The sources apply in one order, by one
function (``layer``): defaults, then ``tts-export.toml`` (or ``--config``), then the
transcript's front matter, then command-line or keyword options; a later source
replaces a value, lists included, except ``voices`` (merged per speaker) and
``pauses`` (per pause). Every value's type and range is checked here, once, before
any work starts: a render never stops half-way on a setting.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from tts_export.config.model import STEREO_LOUDNESS, RenderConfig, RenderOptions
from tts_export.config.setting import Setting, declared, relative_to
from tts_export.errors import ConfigError

__all__ = [
    "FILE_KEYS",
    "PROJECT_FILE",
    "PROJECT_ONLY_KEYS",
    "SETTINGS",
    "RenderConfig",
    "RenderOptions",
    "Setting",
    "layer",
    "load_config",
    "load_project_file",
    "merge",
    "settle",
    "stereo_loudness",
]

PROJECT_FILE = "tts-export.toml"

SETTINGS: Mapping[str, Setting] = declared(RenderConfig)
"""Every setting, by ``RenderConfig`` field name, in declaration order."""

# Keys accepted in tts-export.toml and in front matter (under `tts-export:`) -> field.
FILE_KEYS: Mapping[str, str] = {s.key: n for n, s in SETTINGS.items() if s.where == "anywhere"}
# Keys only the user's own settings file may hold, never a transcript's front matter.
PROJECT_ONLY_KEYS: Mapping[str, str] = {
    s.key: n for n, s in SETTINGS.items() if s.where == "project"
}


def layer(base: RenderConfig, changes: Mapping[str, Any]) -> RenderConfig:
    """The precedence rule: a later source's ``changes`` (by field name) over ``base``.

    A change replaces the value, lists included; a setting declared with ``combine``
    is updated instead (``voices`` per speaker, ``pauses`` per pause). Switching to
    two channels without naming a loudness moves the default target to the stereo one.

    Raises:
        ConfigError: an unknown name, or a value of the wrong type or range.
    """
    values: dict[str, Any] = {}
    for name, value in changes.items():
        decl = SETTINGS.get(name)
        if decl is None:
            raise ConfigError(
                name, value, "unknown option", hint=f"known: {', '.join(sorted(SETTINGS))}"
            )
        values[name] = decl.combine(getattr(base, name), value) if decl.combine else value
    if values.get("channels") == 2 and "loudness" not in values:
        values["loudness"] = stereo_loudness(base)
    return replace(base, **values)


def stereo_loudness(base: RenderConfig) -> float | None:
    """The loudness target when a render switches to stereo without naming one."""
    return STEREO_LOUDNESS if base.loudness == RenderConfig().loudness else base.loudness


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
        folder: relative paths (``voice_dirs``, ``lexicon``...) are taken from here.
        trusted: the user's own settings file (not a transcript's front matter):
            it may also hold ``PROJECT_ONLY_KEYS``.

    Raises:
        ConfigError: an unknown key or a bad value, naming ``source`` and the key.
    """
    changes: dict[str, Any] = {}
    for key, value in settings.items():
        norm = str(key).replace("-", "_")
        name = FILE_KEYS.get(norm) or (PROJECT_ONLY_KEYS.get(norm) if trusted else None)
        if name is None and norm in PROJECT_ONLY_KEYS:
            raise ConfigError(
                f"{source}: {key}",
                value,
                "may not be set by a transcript",
                hint=f"pass {SETTINGS[PROJECT_ONLY_KEYS[norm]].flag}, or set it in your "
                f"{PROJECT_FILE}",
            )
        if name is None:
            raise ConfigError(
                f"{source}: {key}",
                value,
                "unknown setting",
                hint=f"known settings: {', '.join(sorted(FILE_KEYS))}",
            )
        decl = SETTINGS[name]
        try:
            if decl.from_file is not None:
                value = decl.from_file(value)
            changes[name] = relative_to(folder, value) if decl.relative else value
            layer(base, {name: changes[name]})  # each value checked on its own
        except ConfigError as exc:
            inner = exc.setting.startswith(("pauses.", "voices."))  # name the nested key too
            bad_name, bad = (exc.setting, exc.value) if inner else (str(key), settings[key])
            raise ConfigError(f"{source}: {bad_name}", bad, exc.problem, hint=exc.hint) from None
    return layer(base, changes)


def settle(
    base: RenderConfig,
    meta: Mapping[str, Any],
    options: Mapping[str, Any],
    *,
    source: str,
    folder: Path | None,
) -> RenderConfig:
    """A transcript's settings: ``base`` (defaults and the settings file), then its front
    matter (``voices:`` and the ``tts-export:`` mapping), then ``options`` (CLI or API).

    Raises:
        ConfigError: the front matter's settings are not a mapping, or a value is bad.
    """
    settings = meta.get("tts-export") or meta.get("tts_export") or {}
    if not isinstance(settings, Mapping):
        raise ConfigError(
            f"{source}: front matter tts-export",
            settings,
            "must be a mapping",
            hint="indent the settings under it, one `key: value` a line (e.g. `  engine: espeak`)",
        )
    voices = meta.get("voices")
    if voices is not None:
        settings = {**settings, "voices": voices}
    config = base
    if settings:
        config = merge(base, settings, source=f"{source} front matter", folder=folder)
    return layer(config, options)


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
        raise ConfigError(
            str(path),
            "",
            f"not valid TOML: {exc}",
            hint='fix the line named (strings need quotes: engine = "espeak"), save it as UTF-8',
        ) from None
    except OSError as exc:
        raise ConfigError(
            str(path),
            "",
            f"cannot be read: {exc.strerror or exc}",
            hint=f"make {path} a readable file, or pass another with --config FILE",
        ) from None


def load_config(path: str | os.PathLike[str] | None = None) -> RenderConfig:
    """Defaults with a settings file applied (``./tts-export.toml`` when ``path`` is None).

    Raises:
        ConfigError: the file is missing (when named), unreadable, or holds a bad setting.
    """
    if path is not None and not Path(path).is_file():
        raise ConfigError(
            "config",
            os.fspath(path),
            "file not found",
            hint=f"check the path given to --config, or leave it out to use ./{PROJECT_FILE}",
        )
    file = Path(path) if path is not None else Path(PROJECT_FILE)
    settings = load_project_file(file)
    if not settings:
        return RenderConfig()
    return merge(RenderConfig(), settings, source=str(file), folder=file.parent, trusted=True)
