"""Script stage: ``Transcript`` → ``Script`` of sentence-sized utterances.

Each turn is cut into sentences (Chinese ``。！？；…⋯``, Latin ``. ! ?`` with
the usual exceptions), over-long sentences are cut again at clause
punctuation, glossary notes are dropped or kept, and sound cues become
``kind="sound"`` utterances that are captioned but never spoken.
"""

from __future__ import annotations

import re
from typing import Literal

from tts_export.common.lang import HAN_CLASS, count_wide, detect_language, is_cjk, is_fullwidth
from tts_export.errors import ConfigError
from tts_export.lexicon import Lexicon, apply_lexicon
from tts_export.lexicon.normalize import normalize as normalize_text
from tts_export.models import Script, Transcript, Turn, Utterance
from tts_export.transcript.markup import find_sound_cues, strip_leftovers

_CJK_ENDS = frozenset("。！？；…⋯")
_LATIN_ENDS = frozenset("!?")
_CLOSERS = frozenset("”’」』）)】]》〉\"'»›*")
_CLAUSE = frozenset("，,、：:；;")
_ABBREVIATION_WORDS = """mr mrs ms dr prof sr jr st mt vs etc e.g i.e eg ie inc ltd co corp no nos
    fig figs vol
    vols approx est dept univ jan feb mar apr jun jul aug sep sept oct nov dec a.m p.m
    u.s u.k u.n ph.d cf al op ca gen gov sen rep rev col lt sgt capt cmdr ave blvd rd"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_LIMIT = 120.0  # units: a Han/full-width char is 1, a half-width char 0.4 (300 Latin chars)
_HALF = 0.4
_UNSPOKEN = re.compile(r"[*#|~^`_]+|\[\s*\]|\(\s*\)|（\s*）")
_SPACES = re.compile(r"\s+")
_CLAUSE_MARK = re.compile("[" + re.escape("".join(sorted(_CLAUSE))) + "]")
_HARD_CUT = re.compile(rf"(?<=\s)|(?<=[{HAN_CLASS}])(?=[{HAN_CLASS}])")
_HAS_WORD = re.compile(r"\w")


def _units(text: str) -> float:
    wide = count_wide(text)
    return wide + (len(text) - wide) * _HALF


def _is_abbreviation(text: str, dot: int) -> bool:
    start = dot
    # abbreviations are short: look back at most 12 characters (keeps long runs linear)
    while start > max(0, dot - 12) and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    if not word:
        return False
    if len(word) == 1 and text[start].isupper():
        return True  # an initial: "J. R. R. Tolkien"
    return word in _ABBREVIATIONS or word.rstrip(".") in _ABBREVIATIONS


def _sentence_end(text: str, i: int) -> int:
    """If a sentence ends at ``text[i]``, the index just past it (closers included), else 0."""
    ch = text[i]
    n = len(text)
    if ch in _CJK_ENDS:
        j = i + 1
        while j < n and (text[j] in _CJK_ENDS or text[j] in _LATIN_ENDS):
            j += 1
    elif ch in _LATIN_ENDS or ch == ".":
        if ch == "." and ((i + 1 < n and text[i + 1] == ".") or (i > 0 and text[i - 1] == ".")):
            return 0  # an ellipsis "..." does not end a sentence
        j = i + 1
        while j < n and text[j] in "!?":
            j += 1
        k = j
        while k < n and text[k] in _CLOSERS:
            k += 1
        after = text[k] if k < n else " "
        if not (after.isspace() or is_cjk(after) or is_fullwidth(after)):
            return 0  # "3.5", "v1.2", "example.com", "e.g.x"
        if ch == "." and _is_abbreviation(text, i):
            return 0
        if ch == "." and k < n:
            m = k
            while m < n and text[m].isspace():
                m += 1
            if m < n and text[m].islower():
                return 0  # "... approx. ten" reads on
    else:
        return 0
    while j < n and text[j] in _CLOSERS:
        j += 1
    return j


def split_sentences(text: str) -> list[str]:
    """Cut text into sentences; "\\n" always ends one. Pieces keep their punctuation."""
    out: list[str] = []
    for para in text.split("\n"):
        start = 0
        i = 0
        n = len(para)
        while i < n:
            if para[i] in _CJK_ENDS or para[i] in _LATIN_ENDS or para[i] == ".":
                end = _sentence_end(para, i)
                if end:
                    out.append(para[start:end])
                    start = i = end
                    continue
            i += 1
        out.append(para[start:])
    return [piece for piece in (p.strip() for p in out) if piece]


def _clause_cuts(text: str) -> list[int]:
    cuts = []
    for match in _CLAUSE_MARK.finditer(text):
        i = match.start()
        ch = text[i]
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if ch in ",:;" and before.isdigit() and after.isdigit():
            continue  # "1,000", "10:30"
        if ch in ",:;" and after and not after.isspace() and not is_cjk(after):
            continue
        cuts.append(i + 1)
    return cuts


def _hard_cuts(text: str) -> list[int]:
    """Places to cut a clause with no punctuation: spaces, or between two Han characters."""
    return [m.start() for m in _HARD_CUT.finditer(text, 1)]


def _pack(text: str, cuts: list[int]) -> list[str]:
    pieces: list[str] = []
    start = 0
    previous = 0
    size = 0.0  # units of text[start:previous]
    for cut in [*cuts, len(text)]:
        step = _units(text[previous:cut])
        if size + step > _LIMIT and previous > start:
            pieces.append(text[start:previous])
            start, size = previous, 0.0
        size += step
        previous = cut
    pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


def split_long(sentence: str) -> list[str]:
    """Cut a sentence longer than ~120 Han (~300 Latin) characters at clause punctuation."""
    if len(sentence) <= _LIMIT or _units(sentence) <= _LIMIT:
        return [sentence]
    out: list[str] = []
    for piece in _pack(sentence, _clause_cuts(sentence)):
        out += _pack(piece, _hard_cuts(piece)) if len(piece) > _LIMIT < _units(piece) else [piece]
    return out


def _drop_glossary(turn: Turn) -> str:
    parts: list[str] = []
    last = 0
    for note in sorted(turn.glossary, key=lambda g: g.start):
        if note.start < last:
            continue
        parts.append(turn.text[last : note.start])
        last = note.end
    parts.append(turn.text[last:])
    return "".join(parts)


def _spoken(display: str) -> str:
    return _SPACES.sub(" ", strip_leftovers(_UNSPOKEN.sub(" ", display))).strip()


def _segments(text: str) -> list[tuple[Literal["speech", "sound"], str]]:
    """Speech sentences and sound cues in order."""
    out: list[tuple[Literal["speech", "sound"], str]] = []
    last = 0
    for start, end, caption in [*find_sound_cues(text), (len(text), len(text), "")]:
        chunk = text[last:start]
        sentences: list[str] = []
        for sentence in split_sentences(chunk):
            if not _HAS_WORD.search(sentence) and sentences:
                sentences[-1] += sentence  # stray punctuation joins the sentence before
                continue
            sentences += split_long(sentence)
        out += [("speech", s) for s in sentences]
        if caption:
            out.append(("sound", caption))
        last = end
    return out


def build_script(
    transcript: Transcript,
    *,
    glossary: Literal["drop", "keep"] = "drop",
    lexicon: Lexicon | None = None,
    engine: str = "",
    normalize: bool = True,
) -> Script:
    """Split every turn into utterances.

    Args:
        transcript: the parsed transcript.
        glossary: "drop" removes glossary notes from speech and captions;
            "keep" reads and captions them.
        lexicon: pronunciation entries applied to ``spoken`` only (captions
            keep the display form); None leaves the text as written.
        engine: the engine that will read the script, for engine-specific
            entries; "" applies every entry.
        normalize: read numbers, money, dates, times, ranges and units the way a
            news reader says them (``lexicon.normalize``), in ``spoken`` only.

    Returns:
        The script: utterances in order, ids ``s{section:02d}t{turn:03d}u{n:02d}``.

    Raises:
        ConfigError: ``glossary`` is neither "drop" nor "keep".
    """
    if glossary not in ("drop", "keep"):
        raise ConfigError(
            "glossary",
            glossary,
            "must be 'drop' or 'keep'",
            hint="use --glossary drop (default) or --glossary keep",
        )
    utterances: list[Utterance] = []
    turn_index = 0
    for section_index, section in enumerate(transcript.sections):
        for turn in section.turns:
            text = _drop_glossary(turn) if glossary == "drop" else turn.text
            if turn.kind == "sound":
                captions = [c for _, _, c in find_sound_cues(text)] or [f"[{text.strip()}]"]
                segments: list[tuple[Literal["speech", "sound"], str]] = [
                    ("sound", " ".join(captions))
                ]
            else:
                segments = _segments(text)
            n = 0
            for kind, piece in segments:
                display = _SPACES.sub(" ", piece).strip()
                spoken = "" if kind == "sound" else _spoken(display)
                language = detect_language(display) if spoken else ""
                if lexicon and spoken:
                    spoken = apply_lexicon(lexicon, spoken, language=language, engine=engine)
                if normalize and spoken:
                    # After the lexicon, whose entries match written forms ("GPT-5",
                    # "COVID-19", a pattern over digits) that rewriting numbers first
                    # would hide; what an entry writes is spoken form already, and
                    # normalising leaves anything it does not recognise alone.
                    spoken = normalize_text(spoken, language=language)
                if kind == "speech" and not _HAS_WORD.search(spoken):
                    continue
                utterances.append(
                    Utterance(
                        id=f"s{section_index:02d}t{turn_index:03d}u{n:02d}",
                        section=section.title,
                        speaker=turn.speaker,
                        display=display,
                        spoken=spoken,
                        line=turn.line,
                        turn_index=turn_index,
                        section_index=section_index,
                        kind=kind,
                    )
                )
                n += 1
            turn_index += 1
    return Script(transcript=transcript, utterances=tuple(utterances))
