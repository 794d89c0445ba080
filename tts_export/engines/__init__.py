"""Engines by name. Each adapter module is imported only when it is asked for."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ..errors import ConfigError
from .base import Engine

# name -> "module:factory"; a factory takes keyword options and returns an Engine.
_REGISTRY: dict[str, str] = {
    "kokoro": "tts_export.engines.kokoro:KokoroEngine",
    "espeak": "tts_export.engines.espeak:EspeakEngine",
    "edge": "tts_export.engines.edge:EdgeEngine",
}


def names() -> tuple[str, ...]:
    """Registered engine names."""
    return tuple(_REGISTRY)


def create(name: str, **options: object) -> Engine:
    """Build the engine called ``name``.

    Raises:
        ConfigError: no engine has that name.
        EngineUnavailable: the engine cannot run on this machine.
    """
    target = _REGISTRY.get(name)
    if target is None:
        raise ConfigError(
            "engine", name, "no such engine", hint=f"choose one of {', '.join(_REGISTRY)}"
        )
    module_name, _, attr = target.partition(":")
    factory: Callable[..., Engine] = getattr(importlib.import_module(module_name), attr)
    return factory(**options)


__all__ = ["Engine", "create", "names"]
