"""Scoring: a reference and a recognised text in, an edit count and a length out.

Both texts are normalised first: traditional → simplified Chinese (when the
optional ``opencc`` package is installed), case folded, punctuation and
spacing dropped. Chinese is scored per character (CER), with each Latin word
or number inside it counted as one token; English is scored per word (WER).

``sounds`` gives the same tokens with each Han character replaced by its
toneless pinyin, so a recogniser that writes what it heard with other
characters of the same sound (闲哥 → 弦歌) is not counted wrong: the speech
was right even if the spelling is not.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence

from tts_export.common.lang import HAN_CLASS

# A Han character alone; any other run of letters or digits (never swallowing Han) as one.
_TOKEN = re.compile(rf"[{HAN_CLASS}]|[^\W_{HAN_CLASS}]+")
_HAN = re.compile(rf"[{HAN_CLASS}]")


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


def sounds(text: str) -> list[str]:
    """``tokens(text)`` with every Han character as its toneless pinyin (in context)."""
    from pypinyin import Style, lazy_pinyin

    found = tokens(text)
    han = "".join(t for t in found if _HAN.fullmatch(t))
    readings = lazy_pinyin(han, style=Style.NORMAL)
    if len(readings) != len(han):  # a character without a reading: compare spelling
        return found
    each = iter(readings)
    return [next(each) if _HAN.fullmatch(t) else t for t in found]


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
