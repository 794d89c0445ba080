"""Kokoro's voice facts: new voices are blends of its own (averaged styles); it has no pitch.

The blend grammar is ``voicepack``'s; casting and QA repair reach these
through the registry (``engines.variants``, ``engines.heard``, ``engines.nearby``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from tts_export.engines.kokoro.voicepack import format_blend, weights
from tts_export.models import Realization

# Shares of the first voice in a derived blend of two voices of one gender, in this order.
BLEND_WEIGHTS = (0.6, 0.75)
OTHER_GENDER_WEIGHT = 0.8  # then a little of a voice of the other gender


def blend(first: str, second: str, weight: float) -> str:
    """``weight`` of ``first`` and the rest of ``second`` (each a voice or a blend)."""
    mixed: dict[str, float] = {}
    for spec, share in ((first, weight), (second, 1 - weight)):
        for vid, w in weights(spec).items():
            mixed[vid] = mixed.get(vid, 0.0) + w * share
    return format_blend(mixed)


def variants(
    own: Sequence[Realization], others: Sequence[Realization], gender: str
) -> Iterator[Realization]:
    """Blends of two of ``own``, then each of ``own`` with a little of one of ``others``."""
    pairs = [
        (a, b) for d in range(1, len(own)) for a, b in zip(own, [*own[d:], *own[:d]], strict=True)
    ]
    for weight in BLEND_WEIGHTS:
        for a, b in pairs:
            yield replace(a, voice=blend(a.voice, b.voice, weight))
    for b in others:
        for a in own:
            yield replace(a, voice=blend(a.voice, b.voice, OTHER_GENDER_WEIGHT))


def heard(realization: Realization) -> tuple[object, ...]:
    """The blend's weights, rounded: Kokoro ignores pitch, so only the blend tells voices apart."""
    key = tuple(sorted((v, round(w, 3)) for v, w in weights(realization.voice).items()))
    return ("kokoro", key)


def nearby(voice: str, gender: str, *, count: int, share: float) -> tuple[str, ...]:
    """``voice`` with ``share`` of another Kokoro voice of ``gender``, for up to ``count``
    voices not in it (in the order the registry lists them).

    Raises:
        EngineUnavailable: the voice file cannot be read.
    """
    from tts_export.engines import list_voices

    own = weights(voice)
    others = [v.name for v in list_voices("kokoro") if v.gender == gender and v.name not in own]
    return tuple(
        format_blend({k: w * (1 - share) for k, w in own.items()}, ".3f") + f"+{other}:{share}"
        for other in others[:count]
    )
