"""espeak's voice facts: new voices take another variant of the language, then a pitch shift."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import product

from tts_export.engines.base import pitch_variants
from tts_export.models import Realization

# Variants that sound unlike each other, per gender, in the order they are tried.
VARIANTS = {"female": ("f1", "f5", "f2", "f4"), "male": ("m2", "m4", "m5", "m6", "m8")}


def variants(
    own: Sequence[Realization], others: Sequence[Realization], gender: str
) -> Iterator[Realization]:
    """Each of ``own`` in another variant of its gender, then shifted in pitch."""
    for a, variant in product(own, VARIANTS.get(gender, ())):
        yield replace(a, voice=f"{a.voice.partition('+')[0]}+{variant}")
    yield from pitch_variants(own)
