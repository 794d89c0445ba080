"""Pronunciation lexicon: display terms in, spoken forms out (``Utterance.spoken`` only).

A lexicon is an ordered tuple of entries merged from several sources (the
bundled default, user files, the transcript's ``pronounce:`` front matter);
a later source replaces an earlier entry for the same term. Latin terms match
whole words (no ASCII letter or digit may touch either end), CJK terms match
exactly, the longest match at a position wins, and a ``pattern`` entry (a
regular expression with ``\\1``-style groups in its spoken form) covers a
family such as ``GPT-4o`` and ``GPT-5``. Captions never see any of this.
"""

from __future__ import annotations

from tts_export.lexicon.load import (
    bundled_lexicon,
    from_front_matter,
    load_lexicon,
    read_lexicons,
)
from tts_export.lexicon.model import Entry, Hit, Lexicon, apply_lexicon, find_hits
from tts_export.lexicon.usage import Fired, LexiconUsage, Uncovered, lexicon_usage

__all__ = [
    "Entry",
    "Fired",
    "Hit",
    "Lexicon",
    "LexiconUsage",
    "Uncovered",
    "apply_lexicon",
    "bundled_lexicon",
    "find_hits",
    "from_front_matter",
    "lexicon_usage",
    "load_lexicon",
    "read_lexicons",
]
