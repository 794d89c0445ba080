"""Kokoro's voices: the ids in its voice file, with language and gender read from the id."""

from __future__ import annotations

from tts_export.models import EngineVoice

# Kokoro voice ids start with a language letter and a gender letter (``zf_`` = Mandarin, female).
_LANGUAGE = {
    "a": "en-US",
    "b": "en-GB",
    "j": "ja-JP",
    "z": "zh-CN",
    "e": "es-ES",
    "f": "fr-FR",
    "h": "hi-IN",
    "i": "it-IT",
    "p": "pt-BR",
}
_GENDER = {"f": "female", "m": "male"}


def describe(voice_id: str) -> EngineVoice:
    """Language and gender of one Kokoro voice id."""
    head = voice_id.split("_", 1)[0]
    return EngineVoice(
        engine="kokoro",
        name=voice_id,
        gender=_GENDER.get(head[1:2], "unknown"),
        locale=_LANGUAGE.get(head[:1], "und"),
    )


def list_voices(*, refresh: bool = False) -> tuple[EngineVoice, ...]:
    """Every voice in Kokoro's voice file (``refresh`` has no meaning here).

    Raises:
        EngineUnavailable: the kokoro engine cannot run here.
    """
    from tts_export.engines.kokoro.engine import KokoroEngine

    return tuple(describe(v) for v in KokoroEngine().voices())
