"""Engines by name: the registry. Each engine's package is imported only when it is asked for.

An engine package holds everything about one engine: its adapter (a class
that meets ``base.Engine``), its voice listing (``voices.list_voices``) and
the facts the rest of the package asks about it, declared here once per
engine (``EngineInfo``): whether it takes ``jobs``, which engine ``fallback
= "auto"`` picks, how to derive voices that sound unlike the ones in use,
and what tells two of its voices apart by ear.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from tts_export.engines.base import Engine, GroupingEngine, pitch_variants
from tts_export.errors import ConfigError
from tts_export.models import EngineVoice, Realization


@dataclass(frozen=True)
class EngineInfo:
    """What the package knows about one engine without building it.

    Attributes:
        adapter: ``"module:factory"`` of the adapter; the factory takes keyword options.
        voices: the module whose ``list_voices`` lists the engine's own voices.
        takes_jobs: ``jobs`` sizes it (calls in flight); otherwise it keeps its own.
        fallback: the engine ``fallback="auto"`` picks for it ("none": no fallback).
        facts: the module with its voice facts, each optional: ``variants(own,
            others, gender)`` yields realizations derived from ``own`` (of one gender;
            ``others`` are the other gender's), nearest first; ``heard(realization)``
            tells voices apart by ear; ``nearby(voice, gender, count, share)`` gives
            voices a little unlike ``voice`` (for QA repair).
    """

    adapter: str
    voices: str
    takes_jobs: bool = False
    fallback: str = "none"
    facts: str = ""


_REGISTRY: dict[str, EngineInfo] = {
    # an offline neural voice stands in for the online engine, the instant one for the neural
    "kokoro": EngineInfo(
        "tts_export.engines.kokoro.engine:KokoroEngine", "tts_export.engines.kokoro.voices",
        takes_jobs=True, fallback="espeak", facts="tts_export.engines.kokoro.variants",
    ),
    "espeak": EngineInfo(
        "tts_export.engines.espeak.engine:EspeakEngine", "tts_export.engines.espeak.voices",
        facts="tts_export.engines.espeak.variants",
    ),
    "edge": EngineInfo(
        "tts_export.engines.edge.engine:EdgeEngine", "tts_export.engines.edge.voices",
        takes_jobs=True, fallback="kokoro", facts="tts_export.engines.edge.variants",
    ),
}  # fmt: skip


def names() -> tuple[str, ...]:
    """Registered engine names."""
    return tuple(_REGISTRY)


def info(name: str) -> EngineInfo:
    """The registry entry of engine ``name``.

    Raises:
        ConfigError: no engine has that name.
    """
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
    module_name, _, attr = info(name).adapter.partition(":")
    factory: Callable[..., Engine] = getattr(importlib.import_module(module_name), attr)
    return factory(**options)


def _fact(name: str, attr: str) -> Any:
    """One of an engine's voice facts, or None (an unknown engine, or none declared)."""
    entry = _REGISTRY.get(name)
    if entry is None or not entry.facts:
        return None
    return getattr(importlib.import_module(entry.facts), attr, None)


def variants(
    name: str, own: Sequence[Realization], others: Sequence[Realization], gender: str
) -> Iterator[Realization]:
    """Realizations derived from ``own`` (voices of one gender) for engine ``name``, nearest
    first; an engine that declares none gets pitch shifts. Some may sound like a voice in
    use: compare them with ``heard``.
    """
    derive = _fact(name, "variants")
    if derive is None:
        return pitch_variants(own)
    found: Iterator[Realization] = derive(own, others, gender)
    return found


def heard(realization: Realization) -> tuple[object, ...]:
    """What tells two realizations apart by ear (equal keys: the same voice)."""
    key = _fact(realization.engine, "heard")
    if key is None:
        return (realization.engine, realization.voice, realization.pitch)
    found: tuple[object, ...] = key(realization)
    return found


def nearby(name: str, voice: str, gender: str, *, count: int, share: float) -> tuple[str, ...]:
    """Up to ``count`` voices of engine ``name`` a little unlike ``voice`` (``share`` of
    another voice of ``gender`` in it), nearest first; none for an engine that cannot blend.

    Raises:
        EngineUnavailable: the engine's voice list cannot be read.
    """
    near = _fact(name, "nearby")
    if near is None:
        return ()
    found: tuple[str, ...] = near(voice, gender, count=count, share=share)
    return found


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
        info(name).voices
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


__all__ = [
    "Engine",
    "EngineInfo",
    "GroupingEngine",
    "create",
    "heard",
    "info",
    "list_voices",
    "locale_matches",
    "names",
    "nearby",
    "variants",
]
