"""Lexicon usage: utterances and a lexicon in; what fired where and what is uncovered out.

``inspect`` shows it: which entries fired in which utterances, and the terms
in Latin script inside Chinese sentences that no entry covers (candidates
for the lexicon, since those are what listeners most often cannot make out).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from tts_export.common.lang import detect_language
from tts_export.lexicon.model import Lexicon, find_hits
from tts_export.models import Utterance

_K = TypeVar("_K")

# A Latin-script term: letters and digits, joined by - . + ' (GPT-4o, Node.js, C++).
_LATIN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.+'][A-Za-z0-9]+)*\+*")


@dataclass(frozen=True)
class Fired:
    """An entry that fired.

    Attributes:
        term: the entry's term (``/regex/`` for a pattern).
        spoken: its spoken form (the template for a pattern).
        source: where the entry came from.
        matched: the distinct texts it replaced, in order of first use.
        utterance_ids: the utterances it fired in, in script order.
    """

    term: str
    spoken: str
    source: str
    matched: tuple[str, ...]
    utterance_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "spoken": self.spoken,
            "source": self.source,
            "matched": list(self.matched),
            "utterances": list(self.utterance_ids),
        }


@dataclass(frozen=True)
class Uncovered:
    """A Latin-script term inside Chinese sentences that no entry covers.

    Attributes:
        term: the term as written.
        utterance_ids: where it occurs, in script order.
    """

    term: str
    utterance_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"term": self.term, "utterances": list(self.utterance_ids)}


@dataclass(frozen=True)
class LexiconUsage:
    """What a lexicon did to a script.

    Attributes:
        fired: entries that fired, in lexicon order.
        uncovered: uncovered Latin terms, most frequent first.
    """

    fired: tuple[Fired, ...]
    uncovered: tuple[Uncovered, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "fired": [f.to_json() for f in self.fired],
            "uncovered": [u.to_json() for u in self.uncovered],
        }


def _add(table: dict[_K, list[str]], key: _K, value: str) -> None:
    seen = table.setdefault(key, [])
    if value not in seen:
        seen.append(value)


def lexicon_usage(
    utterances: Iterable[Utterance], lexicon: Lexicon, *, engine: str = ""
) -> LexiconUsage:
    """Which entries fire where, and which Latin terms in Chinese sentences none covers.

    Matching runs on each speech utterance's display text, the form the
    lexicon's terms are written in.

    Args:
        utterances: the script's utterances (sound cues are skipped).
        lexicon: the merged lexicon.
        engine: the engine that reads them; "" counts every engine's entries.

    Returns:
        The usage, ready for the inspect report.
    """
    fired_in: dict[int, list[str]] = {}
    matched: dict[int, list[str]] = {}
    uncovered: dict[str, list[str]] = {}
    rank = {id(entry): i for i, entry in enumerate(lexicon.entries)}
    for utterance in utterances:
        if utterance.kind != "speech":
            continue
        text = utterance.display
        language = detect_language(text)
        hits = find_hits(lexicon, text, language=language, engine=engine)
        for hit in hits:
            index = rank[id(hit.entry)]
            _add(fired_in, index, utterance.id)
            _add(matched, index, hit.matched)
        if language != "zh":
            continue
        for term in _LATIN_TERM.finditer(text):
            if not any(h.start < term.end() and term.start() < h.end for h in hits):
                _add(uncovered, term[0], utterance.id)
    fired = tuple(
        Fired(
            lexicon.entries[i].label(),
            lexicon.entries[i].spoken,
            lexicon.entries[i].source,
            tuple(matched[i]),
            tuple(fired_in[i]),
        )
        for i in sorted(fired_in)
    )
    misses = sorted(uncovered.items(), key=lambda item: (-len(item[1]), item[0]))
    return LexiconUsage(fired, tuple(Uncovered(term, tuple(ids)) for term, ids in misses))
