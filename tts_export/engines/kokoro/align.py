"""Phonemes back to text: a sentence and its phonemes in, which phonemes say which characters out.

Kokoro reads one token per phoneme character and its graph gives every
token's duration, so knowing which characters of the sentence each phoneme
says gives word timings. ``align`` retraces ``G2P``'s steps (number reading,
misaki's punctuation map, jieba words, one pinyin syllable per Han
character, espeak-ng for Latin runs, the vocabulary clean-up) carrying, for
every phoneme character, the text it came from. The traced string must
equal what ``G2P`` gave; if it does not (a reading the trace does not
model), there is no alignment and the engine keeps its sentence boundary.

Units: a Han character; a run of digits and the characters read with them
("2025", "3.5", "50%": number reading rewrites them as a whole); a run of
Latin words ("Sora", "New York"); in English sentences, a word when espeak-ng
gives as many words as the clause has, else the clause.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tts_export.common.lang import has_han
from tts_export.engines.kokoro.g2p import (
    CLAUSE_PUNCT,
    FULLWIDTH,
    G2P,
    LATIN_RUN,
    PUNCT_MAP,
    normalize_zh,
)

Span = tuple[int, int]  # [start, end) in the traced text
Traced = list[tuple[str, Span | None]]  # phoneme characters and the text each says

# misaki's ZHG2P.map_punctuation, one character at a time (its replacements are
# independent: no output is the input of another).
_ZH_PUNCT = {
    "、": ", ",
    "，": ", ",
    "。": ". ",
    "．": ". ",
    "！": "! ",
    "：": ": ",
    "；": "; ",
    "？": "? ",
    "«": " “",
    "»": "” ",
    "《": " “",
    "》": "” ",
    "「": " “",
    "」": "” ",
    "【": " “",
    "】": "” ",
    "（": " (",
    "）": ") ",
}
_HAN_SEGMENT = re.compile("[\u4e00-\u9fff]+|[^\u4e00-\u9fff]+")  # misaki's legacy split
_HAN = re.compile("[\u4e00-\u9fff]")
_BEFORE_PUNCT = set(",.;:!?)”")


class _Untraceable(Exception):
    """The trace departs from what G2P does: no alignment."""


@dataclass(frozen=True)
class Word:
    """Phoneme characters ``[ph_start, ph_end)`` say text characters ``[start, end)``."""

    ph_start: int
    ph_end: int
    start: int
    end: int


def align(g2p: G2P, text: str, phonemes: str) -> tuple[Word, ...]:
    """The words of ``text`` located in ``phonemes`` (what ``g2p(text)`` gave), in order.

    Returns an empty tuple when the trace does not reproduce ``phonemes``
    exactly.

    Raises:
        EngineUnavailable: misaki or espeak-ng cannot be loaded.
    """
    try:
        if has_han(text):
            spoken = _number_read(text)
            traced = _trace_mandarin(g2p, spoken)
            to_text = _text_spans(text, spoken)
        else:
            traced = _trace_english(g2p, text.translate(FULLWIDTH))
            to_text = [(i, i + 1) for i in range(len(text))]  # the translation is 1:1
    except _Untraceable:
        return ()
    if "".join(ch for ch, _ in traced) != phonemes:
        return ()
    return _words(traced, to_text)


def _number_read(text: str) -> str:
    import cn2an

    return str(cn2an.transform(normalize_zh(text), "an2cn"))


def _text_spans(text: str, spoken: str) -> list[Span]:
    """For each character of ``spoken``, the characters of ``text`` it stands for.

    Unchanged characters map one to one; a rewritten run ("12" read as "十二")
    maps as a whole to what it replaced.
    """
    out: list[Span] = [(0, 0)] * len(spoken)
    matcher = difflib.SequenceMatcher(None, text, spoken, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for j in range(j1, j2):
            if op == "equal":
                out[j] = (i1 + j - j1, i1 + j - j1 + 1)
            elif i2 > i1:
                out[j] = (i1, i2)
            else:  # inserted reading ("-" read as "到" is a replace; this is rarer)
                out[j] = (max(0, i1 - 1), max(1, i1))
    return out


def _trace_mandarin(g2p: G2P, spoken: str) -> Traced:
    """``G2P.mandarin`` on already number-read text, each phoneme with its source span."""
    pieces: list[Traced] = []
    pos = 0
    for m in LATIN_RUN.finditer(spoken):
        pieces.append(_trace_zh(spoken, pos, m.start()))
        latin: Span = (m.start(), m.end())
        pieces.append([(ch, latin) for ch in g2p.latin(m.group(0))])
        pos = m.end()
    pieces.append(_trace_zh(spoken, pos, len(spoken)))
    joined: Traced = []
    for piece in pieces:
        if piece:
            if joined:
                joined.append((" ", None))
            joined.extend(piece)
    return _clean(joined, g2p.vocab)


def _trace_zh(spoken: str, start: int, end: int) -> Traced:
    """misaki's ``ZHG2P()(chunk)`` (legacy reading) on ``spoken[start:end]``, traced."""
    import cn2an
    import jieba
    from misaki.zh import ZHG2P
    from pypinyin import Style, lazy_pinyin

    chunk = spoken[start:end]
    if not chunk.strip():
        return []
    if cn2an.transform(chunk, "an2cn") != chunk:
        raise _Untraceable  # read again differently: not modelled
    mapped: Traced = []
    for j in range(start, end):
        replacement = _ZH_PUNCT.get(spoken[j])
        if replacement is not None:
            mapped.extend((ch, None) for ch in replacement)
        else:
            mapped.append((spoken[j], (j, j + 1)))
    while mapped and mapped[0][0].isspace():
        mapped.pop(0)
    while mapped and mapped[-1][0].isspace():
        mapped.pop()
    flat = "".join(ch for ch, _ in mapped)
    out: Traced = []
    for segment in _HAN_SEGMENT.finditer(flat):
        if not _HAN.match(segment.group(0)):
            out.extend(
                (ch, span if ch.isalnum() else None)
                for ch, span in mapped[segment.start() : segment.end()]
            )
            continue
        k = segment.start()
        for n, word in enumerate(jieba.lcut(segment.group(0), cut_all=False)):
            if n:
                out.append((" ", None))
            syllables = lazy_pinyin(word, style=Style.TONE3, neutral_tone_with_five=True)
            if len(syllables) != len(word):
                raise _Untraceable
            for offset, syllable in enumerate(syllables):
                span = mapped[k + offset][1]
                out.extend((ch, span) for ch in ZHG2P.py2ipa(syllable))
            k += len(word)
    return [item for item in out if item[0] != chr(815)]


def _trace_english(g2p: G2P, text: str) -> Traced:
    """``G2P.english`` traced: clauses, and words where espeak-ng keeps them apart."""
    out: Traced = []
    pos = 0
    for part in CLAUSE_PUNCT.split(text):
        start, pos = pos, pos + len(part)
        if not part.strip():
            continue
        if CLAUSE_PUNCT.fullmatch(part):
            out.extend((ch, None) for ch in part.translate(PUNCT_MAP)[:1])
            continue
        ipa = g2p.ipa(part)
        words = [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", part)]
        sounds = list(re.finditer(r"\S+", ipa))
        clause: Span = (words[0][0], words[-1][1])
        owner: list[Span | None] = [None] * len(ipa)
        for n, sound in enumerate(sounds):
            for i in range(sound.start(), sound.end()):
                owner[i] = words[n] if len(sounds) == len(words) else clause
        out.append((" ", None))
        out.extend(zip(ipa, owner, strict=True))
        out.append((" ", None))
    return _clean(out, g2p.vocab)


def _clean(traced: Traced, vocab: Collection[str]) -> Traced:
    """``G2P._clean``, traced: unknown symbols become spaces, runs of spaces one, no space
    before closing punctuation, none at the ends."""
    out: Traced = []
    for ch, span in traced:
        kept = ch if ch in vocab else " "
        if kept.isspace() and out and out[-1][0] == " ":
            continue
        out.append((" " if kept.isspace() else kept, None if kept.isspace() else span))
    out = [
        item
        for i, item in enumerate(out)
        if not (item[0] == " " and i + 1 < len(out) and out[i + 1][0] in _BEFORE_PUNCT)
    ]
    while out and out[0][0] == " ":
        out.pop(0)
    while out and out[-1][0] == " ":
        out.pop()
    return out


def _words(traced: Traced, to_text: Sequence[Span]) -> tuple[Word, ...]:
    """Runs of phonemes that say the same text; text spans that overlap are one word."""
    words: list[Word] = []
    for i, (_, span) in enumerate(traced):
        if span is None:
            continue
        start, end = to_text[span[0]][0], to_text[span[1] - 1][1]
        if words and start < words[-1].end:
            last = words[-1]
            words[-1] = Word(last.ph_start, i + 1, last.start, max(last.end, end))
        else:
            words.append(Word(i, i + 1, start, end))
    return tuple(words)


def timed(
    text: str, words: Sequence[Word], starts: npt.NDArray[np.int64], size: int
) -> list[tuple[int, int, str]]:
    """Each word's (first sample, end sample, text) in a clip of ``size`` samples.

    Args:
        text: the sentence the words index.
        words: from ``align``.
        starts: the sample at which each phoneme character starts in the clip, one
            more at the end for where the last one ends; -1 where unknown.
        size: the clip's length; times are kept inside it.
    """
    out: list[tuple[int, int, str]] = []
    for word in words:
        a, b = int(starts[word.ph_start]), int(starts[word.ph_end])
        if a < 0 or b < 0:
            continue
        a, b = min(max(0, a), size), min(max(0, b), size)
        if out and a < out[-1][1]:
            a = out[-1][1]
        out.append((a, max(a, b), text[word.start : word.end]))
    return out
