"""espeak-ng's voices: the languages its data declares, each usable with a variant.

A voice name is a language code (``cmn``, ``en-us``) with an optional
variant (``+f3``, ``+m2``); the variants are not listed once per language.
"""

from __future__ import annotations

from tts_export.engines.espeak.lib import library
from tts_export.models import EngineVoice


def list_voices(*, refresh: bool = False) -> tuple[EngineVoice, ...]:
    """Every language espeak-ng's data declares (``refresh`` has no meaning here).

    Raises:
        EngineUnavailable: espeak-ng cannot be loaded.
    """
    return tuple(
        EngineVoice(engine="espeak", name=code, gender="unknown", locale=code)
        for code in library().languages()
    )
