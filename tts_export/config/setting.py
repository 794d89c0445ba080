"""What a setting is: one declaration holds its check, default, file key, CLI flag and help.

``RenderConfig`` declares each field with ``field(default=..., metadata=setting(...))``;
the file loader, front matter, the CLI and the API all read these declarations,
so adding a setting is one declaration plus the code that uses it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tts_export.config.checks import Check
from tts_export.errors import ConfigError

KEY = "tts_export.setting"
Kind = Literal["value", "flag", "toggle", "repeat"]
Where = Literal["anywhere", "project"]


@dataclass(frozen=True)
class Setting:
    """One render setting, as every source sees it.

    Attributes:
        check: ``(name, value) -> stored value``; raises ``ConfigError``.
        help: what it does, for ``--help`` (the default is added from ``default``).
        example: a value other than the default, as a TOML file writes it (tests and docs).
        flags: CLI spellings (default ``--name-with-dashes``); ``()`` with ``cli=None``.
        metavar: what the CLI value looks like.
        cli: the type click converts the CLI text to (``int``, ``float``, ``str``, ``Path``).
        kind: ``value`` (``--x V``), ``flag`` (``--x`` sets ``set_to``), ``toggle``
            (``--x/--no-x``) or ``repeat`` (``--x V`` given again for more).
        set_to: the value a ``flag`` sets (``--stereo`` sets channels 2).
        parse: ``(flag, CLI value) -> value``, when click's conversion is not enough.
        from_file: ``file value -> value``, for shapes only a file writes (``"off"``).
        relative: paths a file gives are taken from that file's folder.
        key: the file key (default: the field name).
        where: ``project``: only the user's settings file (and the CLI and API) may set it,
            never a transcript's front matter.
        combine: ``(earlier, later) -> value`` for a setting a later source updates
            rather than replaces (``voices`` per speaker, ``pauses`` per key).
        unset: what a default of None (or an empty one) means, for ``--help``.
        means: words after the rendered default (``1, mono``).
        commands: the CLI commands that take it.
        name, default: filled in from the dataclass field.
    """

    check: Check
    help: str
    example: object
    flags: tuple[str, ...] = ()
    metavar: str | None = None
    cli: type = str
    kind: Kind = "value"
    set_to: object = True
    parse: Callable[[str, Any], Any] | None = None
    from_file: Callable[[object], object] | None = None
    relative: bool = False
    key: str = ""
    where: Where = "anywhere"
    combine: Callable[[Any, Any], Any] | None = None
    unset: str = ""
    means: str = ""
    commands: tuple[str, ...] = ("render",)
    name: str = ""
    default: object = None

    @property
    def flag(self) -> str:
        """The long flag, as errors and hints name it (``--group`` of ``--group/--no-group``)."""
        return self.flags[0].split("/")[0]

    def shown_default(self) -> str:
        """The default as ``--help`` shows it, rendered from the declared value."""
        value = self.default
        if value is None or (isinstance(value, Sequence | Mapping) and not value):
            return self.unset
        text = _text(value)
        return f"{text}, {self.means}" if self.means else text

    def help_text(self) -> str:
        shown = self.shown_default()
        return f"{self.help} (default: {shown})." if shown else f"{self.help}."


def setting(check: Check, help: str, example: object, **declared: Any) -> dict[str, Setting]:
    """Field metadata declaring a setting: ``field(default=..., metadata=setting(...))``."""
    return {KEY: Setting(check, help, example, **declared)}


def declared(cls: type) -> Mapping[str, Setting]:
    """The settings a dataclass declares, by field name, in declaration order."""
    defaults = cls()
    table: dict[str, Setting] = {}
    for f in dataclasses.fields(cls):
        decl: Setting = f.metadata[KEY]
        default = getattr(defaults, f.name)
        flags = decl.flags or ("--" + f.name.replace("_", "-"),)
        table[f.name] = dataclasses.replace(
            decl, name=f.name, default=default, flags=flags, key=decl.key or f.name
        )
    return table


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str | os.PathLike):
        return os.fspath(value)
    if isinstance(value, tuple | list):
        return ",".join(_text(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ",".join(f"{f.name}={getattr(value, f.name)}" for f in dataclasses.fields(value))
    return str(value)


# --- conversions of CLI text and file shapes ------------------------------------------


def comma_list(value: object) -> object:
    """``"srt, vtt"`` -> ``("srt", "vtt")``; anything else as it is."""
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return value


def loudness_off(value: object) -> object:
    """A file's ``"off"`` (or false) is no loudness target."""
    return None if value in ("off", False) else value


def parse_loudness(flag: str, value: str) -> float | None:
    """``-16`` or ``off``."""
    if value.lower() == "off":
        return None
    try:
        return float(value)
    except ValueError:
        raise ConfigError(
            flag,
            value,
            "must be a LUFS number such as -16, or 'off'",
            hint=f"e.g. {flag} -16, {flag} -23 or {flag} off",
        ) from None


def parse_pairs(shape: str, example: str) -> Callable[[str, list[str]], dict[str, str]]:
    """Repeated ``KEY=VALUE`` into a mapping; a bad one names ``shape`` and ``example``."""

    def parse(flag: str, pairs: list[str]) -> dict[str, str]:
        chosen: dict[str, str] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise ConfigError(flag, pair, f"must be {shape}", hint=f"e.g. {flag} {example}")
            chosen[key.strip()] = value.strip()
        return chosen

    return parse


def parse_ms_pairs(flag: str, pairs: list[str]) -> dict[str, int]:
    """Repeated ``NAME=MS`` into a mapping of whole ms."""
    parsed = parse_pairs("NAME=MS", "section=2000")(flag, pairs)
    try:
        return {name: int(ms) for name, ms in parsed.items()}
    except ValueError:
        raise ConfigError(
            flag, pairs, "must be NAME=MS with whole ms", hint=f"e.g. {flag} section=2000"
        ) from None


def as_tuple(flag: str, values: list[Any]) -> tuple[Any, ...]:
    return tuple(values)


def relative_to(folder: Path | None, value: object) -> object:
    """A file's relative paths, taken from the file's folder."""
    if folder is None:
        return value
    if isinstance(value, list | tuple):
        return tuple(folder / v if isinstance(v, str | os.PathLike) else v for v in value)
    return folder / value if isinstance(value, str | os.PathLike) and os.fspath(value) else value
