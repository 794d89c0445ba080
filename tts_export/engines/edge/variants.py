"""Edge's voice facts: new voices are other voices of the same locale, then a pitch shift."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from tts_export.engines.base import pitch_variants
from tts_export.errors import EngineUnavailable
from tts_export.models import Realization


def variants(
    own: Sequence[Realization], others: Sequence[Realization], gender: str
) -> Iterator[Realization]:
    """Each of ``own`` as every bundled voice of its locale and ``gender``, then in pitch."""
    for a in own:
        locale = "-".join(a.voice.split("-")[:2])
        for voice in _locale_voices(locale, gender):
            yield replace(a, voice=voice)
    yield from pitch_variants(own)


def _locale_voices(locale: str, gender: str) -> tuple[str, ...]:
    """Edge's bundled voices of exactly ``locale`` and ``gender`` (none if the list is broken)."""
    from tts_export.engines import list_voices

    try:
        listed = list_voices("edge", lang=locale)
    except EngineUnavailable:
        return ()
    return tuple(v.name for v in listed if v.locale == locale and v.gender == gender)
