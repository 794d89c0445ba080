"""Scoring: a reference and a recognised text in, an edit count and a length out.

Both texts are normalised first: traditional → simplified Chinese (when the
optional ``opencc`` package is installed), case folded, punctuation and
spacing dropped. Chinese is scored per character (CER), with each Latin word
or number inside it counted as one token; English is scored per word (WER).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence

from tts_export.lang import HAN_CLASS

# A Han character alone; any other run of letters or digits (never swallowing Han) as one.
_TOKEN = re.compile(rf"[{HAN_CLASS}]|[^\W_{HAN_CLASS}]+")


@functools.cache
def _to_simplified() -> Callable[[str], str]:
    try:
        import opencc  # optional: whisper often writes Mandarin in traditional characters
    except ImportError:
        return lambda text: text
    convert: Callable[[str], str] = opencc.OpenCC("t2s").convert
    return convert


def tokens(text: str) -> list[str]:
    """Normalised tokens: each Han character, and each run of other letters or digits.

    Args:
        text: any text.

    Returns:
        Tokens, case folded, script simplified, punctuation dropped.
    """
    text = unicodedata.normalize("NFKC", _to_simplified()(text)).casefold()
    return _TOKEN.findall(text)


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance between two token sequences (substitutions, insertions, deletions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def error_rate(edits: int, length: int) -> float:
    """Edits per reference token (0.0 for an empty reference with no edits)."""
    if length == 0:
        return 0.0 if edits == 0 else 1.0
    return edits / length
