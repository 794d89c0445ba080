"""Engines by name: the registry. Each engine's package is imported only when it is asked for.

An engine package holds everything about one engine: its adapter (a class
that meets ``base.Engine``) and its voice listing (``voices.list_voices``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from tts_export.engines.base import Engine, GroupingEngine
from tts_export.errors import ConfigError
from tts_export.models import EngineVoice

# name -> (adapter "module:factory", voice-list module). A factory takes keyword options.
_REGISTRY: dict[str, tuple[str, str]] = {
    "kokoro": ("tts_export.engines.kokoro.engine:KokoroEngine", "tts_export.engines.kokoro.voices"),
    "espeak": ("tts_export.engines.espeak.engine:EspeakEngine", "tts_export.engines.espeak.voices"),
    "edge": ("tts_export.engines.edge.engine:EdgeEngine", "tts_export.engines.edge.voices"),
}


def names() -> tuple[str, ...]:
    """Registered engine names."""
    return tuple(_REGISTRY)


def _entry(name: str) -> tuple[str, str]:
    entry = _REGISTRY.get(name)
    if entry is None:
        raise ConfigError(
            "engine", name, "no such engine", hint=f"choose one of {', '.join(_REGISTRY)}"
        )
    return entry


def create(name: str, **options: object) -> Engine:
    """Build the engine called ``name``.

    Raises:
        ConfigError: no engine has that name.
        EngineUnavailable: the engine cannot run on this machine.
    """
    module_name, _, attr = _entry(name)[0].partition(":")
    factory: Callable[..., Engine] = getattr(importlib.import_module(module_name), attr)
    return factory(**options)


def list_voices(
    name: str, *, lang: str | None = None, refresh: bool = False
) -> tuple[EngineVoice, ...]:
    """The voices engine ``name`` offers, optionally only those of one language.

    Args:
        name: a registered engine name.
        lang: "zh" keeps every zh-* locale; "zh-CN" keeps zh-CN and its
            sub-regions (zh-CN-liaoning); case does not matter.
        refresh: fetch a live list where the engine has one (edge).

    Returns:
        The voices, sorted by locale then name.

    Raises:
        ConfigError: no engine has that name.
        EngineUnavailable: the engine (or its live list) cannot be reached here.
    """
    listing: Callable[..., tuple[EngineVoice, ...]] = importlib.import_module(
        _entry(name)[1]
    ).list_voices
    return tuple(
        sorted(
            (v for v in listing(refresh=refresh) if locale_matches(v.locale, lang)),
            key=lambda v: (v.locale, v.name),
        )
    )


def locale_matches(locale: str, lang: str | None) -> bool:
    """Whether ``locale`` is ``lang`` or a region of it, by whole subtags."""
    if not lang:
        return True
    loc, want = locale.lower(), lang.lower().replace("_", "-")
    return loc == want or loc.startswith(want + "-")


__all__ = ["Engine", "GroupingEngine", "create", "list_voices", "locale_matches", "names"]
