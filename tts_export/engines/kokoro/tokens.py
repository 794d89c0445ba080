"""Kokoro tokens: phoneme strings in, model token ids and call-sized pieces out.

The model reads one token per phoneme character, ids from ``vocab.json``'s
``"vocab"`` map, at most ``MAX_TOKENS`` per call (two id-0 pads are added
around them). Several sentences can share a call: each is closed with
punctuation so the model pauses after it, and a space separates them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

VOCAB_FILE = "vocab.json"
MAX_TOKENS = 510


def load_vocab(data: Path) -> dict[str, int]:
    """The phoneme -> token id map from the vocabulary file in ``data``.

    Raises:
        OSError: the file cannot be read.
        ValueError: the file is not JSON.
        KeyError: the JSON has no "vocab" map.
    """
    vocab: dict[str, int] = json.loads((data / VOCAB_FILE).read_text("utf-8"))["vocab"]
    return vocab


def token_ids(phonemes: str, vocab: Mapping[str, int]) -> list[int]:
    """The ids of ``phonemes``' symbols (symbols not in ``vocab`` are skipped), no pads."""
    return [vocab[c] for c in phonemes if c in vocab]


def split_phonemes(phonemes: str, limit: int) -> list[str]:
    """Cut a phoneme string into pieces of at most ``limit`` symbols.

    Cuts after sentence punctuation when it can, else after clause punctuation,
    else at a space, else (one endless word) at the limit. Nothing is dropped.
    """
    pieces: list[str] = []
    rest = phonemes.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = 0
        for marks in (".!?…", ",;:—", " "):
            cut = max(window.rfind(m, 0, limit) for m in marks) + 1
            if cut > limit // 4:
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return [p for p in pieces if p]


def closed(phonemes: str) -> str:
    """``phonemes`` ending in punctuation, so the model pauses after it inside a group."""
    return phonemes if phonemes[-1:] in tuple(".!?…,;:—") else phonemes + "."


def pack(costs: Sequence[int], limit: int) -> list[list[int]]:
    """Indexes of consecutive items in runs whose joined length fits ``limit``."""
    runs: list[list[int]] = []
    used = limit + 1
    for i, cost in enumerate(costs):
        if runs and used + 1 + cost <= limit:
            runs[-1].append(i)
            used += 1 + cost
        else:
            runs.append([i])
            used = cost
    return runs
