"""Lexicon model and matching: an ``Entry`` tuple and a text in, hits and spoken text out."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from tts_export.common.lang import primary_subtag

# A Latin term is a whole word: none of these may touch it on either side.
_WORD_CHAR = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Entry:
    """One lexicon entry.

    Attributes:
        term: the display form, or a regular expression when ``pattern``.
        spoken: what the engine reads instead (a ``re`` template when ``pattern``).
        source: where the entry came from (a file path, ``"front matter"``...).
        where: its place in that source (``"line 12, entry 3"``), for messages.
        language: only in sentences of this language (``"zh"``, ``"en"``); "" for any.
        engine: only for this engine (``"kokoro"``); "" for any.
        case: ``"sensitive"`` (default) or ``"insensitive"`` matching.
        pattern: ``term`` is a regular expression.
    """

    term: str
    spoken: str
    source: str = ""
    where: str = ""
    language: str = ""
    engine: str = ""
    case: Literal["sensitive", "insensitive"] = "sensitive"
    pattern: bool = False

    @property
    def key(self) -> tuple[bool, str, str, str]:
        """Entries with the same key replace each other when sources merge."""
        term = self.term.casefold() if self.case == "insensitive" else self.term
        return (self.pattern, term, primary_subtag(self.language), self.engine)

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        """The compiled matcher (validated when the entry was loaded)."""
        flags = re.IGNORECASE if self.case == "insensitive" else 0
        return re.compile(self.term if self.pattern else re.escape(self.term), flags)

    def applies(self, language: str, engine: str) -> bool:
        """True when the entry is meant for sentences in ``language`` read by ``engine``."""
        if self.language and primary_subtag(self.language) != primary_subtag(language):
            return False
        return not self.engine or not engine or self.engine == engine

    def label(self) -> str:
        """How reports name the entry: the term, marked when it is a pattern."""
        return f"/{self.term}/" if self.pattern else self.term


@dataclass(frozen=True)
class Lexicon:
    """An ordered set of entries; later entries win ties.

    Attributes:
        entries: the entries, in priority order (last is strongest).
    """

    entries: tuple[Entry, ...] = ()

    def merged(self, *later: Lexicon) -> Lexicon:
        """This lexicon with ``later`` ones laid over it (same key: the later entry replaces)."""
        by_key: dict[tuple[bool, str, str, str], Entry] = {}
        for lexicon in (self, *later):
            for entry in lexicon.entries:
                by_key.pop(entry.key, None)  # re-insert so that order follows priority
                by_key[entry.key] = entry
        return Lexicon(tuple(by_key.values()))

    def __bool__(self) -> bool:
        return bool(self.entries)


@dataclass(frozen=True)
class Hit:
    """One place where an entry fired.

    Attributes:
        entry: the entry.
        start: index of the first matched character in the text searched.
        end: index just past the match.
        matched: the text matched.
        spoken: what replaces it.
    """

    entry: Entry
    start: int
    end: int
    matched: str
    spoken: str


def _whole_word(text: str, start: int, end: int) -> bool:
    """No Latin letter or digit glues onto a Latin edge of ``text[start:end]``."""
    if _WORD_CHAR.match(text[start]) and start > 0 and _WORD_CHAR.match(text[start - 1]):
        return False
    last = text[end - 1]
    return not (_WORD_CHAR.match(last) and end < len(text) and _WORD_CHAR.match(text[end]))


def _candidates(entry: Entry, text: str, rank: int) -> list[tuple[int, int, int, Hit]]:
    out: list[tuple[int, int, int, Hit]] = []
    pos = 0
    while pos < len(text):
        match = entry.regex.search(text, pos)
        if match is None:
            break
        start, end = match.span()
        if end > start and _whole_word(text, start, end):
            spoken = match.expand(entry.spoken) if entry.pattern else entry.spoken
            out.append((start, -(end - start), -rank, Hit(entry, start, end, match[0], spoken)))
        pos = start + 1  # overlapping candidates: the longest one at each place must be seen
    return out


def find_hits(lexicon: Lexicon, text: str, *, language: str, engine: str = "") -> tuple[Hit, ...]:
    """Where the lexicon fires in ``text``: leftmost first, longest match at a place wins.

    Args:
        lexicon: the merged lexicon.
        text: the text to search (the spoken form before the lexicon).
        language: the sentence's language (``"zh"`` or ``"en"``).
        engine: the engine that will read it; "" applies every engine's entries.

    Returns:
        Non-overlapping hits in text order.
    """
    found: list[tuple[int, int, int, Hit]] = []
    for rank, entry in enumerate(lexicon.entries):
        if entry.applies(language, engine):
            found += _candidates(entry, text, rank)
    found.sort(key=lambda item: item[:3])
    hits: list[Hit] = []
    reached = 0
    for _, _, _, hit in found:
        if hit.start >= reached:
            hits.append(hit)
            reached = hit.end
    return tuple(hits)


def replace_hits(text: str, hits: tuple[Hit, ...]) -> str:
    """``text`` with each hit replaced by its spoken form (hits from ``find_hits``)."""
    parts: list[str] = []
    last = 0
    for hit in hits:
        parts += [text[last : hit.start], hit.spoken]
        last = hit.end
    parts.append(text[last:])
    return "".join(parts)


def apply_lexicon(lexicon: Lexicon, text: str, *, language: str, engine: str = "") -> str:
    """The spoken form of ``text``: every lexicon hit replaced.

    Args:
        lexicon: the merged lexicon.
        text: the spoken text before the lexicon.
        language: the sentence's language.
        engine: the engine that will read it; "" applies every engine's entries.

    Returns:
        The text to give the engine (``text`` itself when nothing fires).
    """
    if not lexicon:
        return text
    return replace_hits(text, find_hits(lexicon, text, language=language, engine=engine))
