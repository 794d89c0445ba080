"""Cue building: a ``Timeline`` in, caption ``Cue``s out (integer ms).

Each utterance's display text is cut into atoms that must never be split (a
jieba word with its punctuation, a Latin term such as ``Sora 2`` or
``GPT-5``, a number, an English word); a dynamic programme then groups atoms
into cues of at most ``max_lines`` lines of ``max_chars`` width, preferring
breaks after punctuation, fewer cues, balanced (in Chinese bottom-heavy)
lines and durations inside the profile's limits. Times come from the clip:
its word or sentence boundaries where the engine gave them, otherwise
proportional to characters, then a timing pass keeps 2-frame gaps, chains
short gaps and stretches short cues into the silence that follows.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from tts_export.captions.profiles import CaptionProfile
from tts_export.lang import display_width, is_cjk
from tts_export.models import Cue, Placement, Timeline

_SENTENCE_END = frozenset("。！？；!?;⋯…")
_CLAUSE_END = frozenset("，、：,:")
_COMMA_STOP = frozenset("，。,.")  # replaced by a space mid-line, dropped at line end (zh)
_CLOSING = frozenset("，。！？；：、,.!?;:⋯…）)]】》」』”’\"'—–-")
_OPENING = frozenset("（([【《「『“‘")
_PARTICLES = frozenset("的地得了着过吗呢吧啊呀嘛么们")
_UNITS = frozenset("年月日号秒分点岁个次倍万亿千百元块%")
_ELLIPSIS = re.compile(r"(?:…|⋯|\.{3,})+")
_TERM = r"[A-Za-z0-9](?:[A-Za-z0-9'’+_&/%]|[.\-](?=[A-Za-z0-9]))*"
_LATIN_RUN = re.compile(rf"{_TERM}(?:[ \t]+{_TERM})*")
_EN_WORD = re.compile(r"\S+")
_ARTICLES = "a an the this that these those my your his her its our their no every each"
_PRONOUNS = "i you he she we they it who"
_AUXILIARIES = (
    "is are was were be been am will would can could should shall may might must "
    "do does did have has had don't didn't won't can't isn't"
)
_PREPOSITIONS = (
    "of in on at to for with from by about into onto over under after before "
    "through between without within"
)
_CONJUNCTIONS = "and but or nor so because that which who when while if although though unless"
_EN_NO_BREAK_AFTER: dict[str, int] = {}  # word -> cost of a line or cue break after it
_QUANTIFIERS = (
    "one two three four five six seven eight nine ten twenty thirty forty fifty hundred "
    "thousand million billion many few several some any both"
)
for _words, _cost in (
    (_PREPOSITIONS, 20),
    (_AUXILIARIES, 20),
    (_PRONOUNS, 30),
    (_QUANTIFIERS, 30),
    (_ARTICLES, 100),
):
    _EN_NO_BREAK_AFTER.update(dict.fromkeys(_words.split(), _cost))
_EN_BREAK_BEFORE = frozenset((_CONJUNCTIONS + " " + _PREPOSITIONS).split())
_CUE_COST = 10.0
_CUE_BREAK_WEIGHT = 3.0


@dataclass(frozen=True)
class _Atom:
    """An unbreakable piece of caption text; offsets index the normalized text."""

    text: str
    start: int
    end: int
    sep: str  # whitespace before it, dropped at a line start


def speaker_label(speaker: str, language: str) -> str:
    """The label shown before a cue's first line when the speaker changes.

    Chinese: ``主持人：`` (full-width colon); other languages: ``HOST: `` (capitals,
    BBC style). Subtitle writers must use this so widths agree with the cue builder.
    """
    if language.lower().startswith("zh"):
        return f"{speaker}："
    return f"{speaker.upper()}: "


@lru_cache(maxsize=1)
def _jieba_cut() -> Callable[[str], list[str]]:
    """Load jieba once, with its progress chatter on stderr silenced."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    cut: Callable[[str], list[str]] = jieba.lcut
    return cut


def _words_zh(piece: str) -> list[str]:
    return _jieba_cut()(piece)


def _atoms_zh(text: str) -> list[_Atom]:
    """Jieba words and whole Latin runs, punctuation glued to its neighbour."""
    tokens: list[tuple[int, str]] = []
    pos = 0
    for match in _LATIN_RUN.finditer(text):
        for word in _words_zh(text[pos : match.start()]):
            tokens.append((pos, word))
            pos += len(word)
        tokens.append((match.start(), match.group()))
        pos = match.end()
    for word in _words_zh(text[pos:]):
        tokens.append((pos, word))
        pos += len(word)
    return _glue(tokens)


def _atoms_en(text: str) -> list[_Atom]:
    """Words; a word that is only punctuation (a dash) stays with the word before."""
    return _glue([(m.start(), m.group()) for m in _EN_WORD.finditer(text)], spaced=True)


def _glue(tokens: list[tuple[int, str]], *, spaced: bool = False) -> list[_Atom]:
    """Fold tokens into atoms: closing marks join the atom before, opening ones the next.

    ``spaced``: the tokens were separated by whitespace (English words).
    """
    atoms: list[_Atom] = []
    pending: list[tuple[int, str]] = []  # opening marks waiting for their word
    pending_sep = sep = False
    for start, token in tokens:
        if token.isspace():
            sep = True
            continue
        sep = sep or (spaced and bool(atoms or pending))
        if not pending and atoms and _is_closing(token, sep):
            last = atoms[-1]
            text = last.text + (" " if sep else "") + token
            atoms[-1] = _Atom(text, last.start, start + len(token), last.sep)
        elif all(ch in _OPENING or ch in "\"'" for ch in token) or (
            not atoms and all(ch in _CLOSING for ch in token)
        ):
            pending_sep = pending_sep if pending else sep
            pending.append((start, token))
        else:
            begin = pending[0][0] if pending else start
            text = "".join(t for _, t in pending) + token
            spaced_before = (pending_sep if pending else sep) and bool(atoms)
            atoms.append(_Atom(text, begin, start + len(token), " " if spaced_before else ""))
            pending = []
        sep = False
    if pending:  # stray opening marks at the very end stay with the last word
        text = "".join(t for _, t in pending)
        if atoms:
            last = atoms[-1]
            atoms[-1] = _Atom(last.text + text, last.start, pending[-1][0] + 1, last.sep)
        else:
            atoms.append(_Atom(text, pending[0][0], pending[-1][0] + 1, ""))
    return atoms


def _is_closing(token: str, sep: bool) -> bool:
    """Punctuation that ends the word before it (a straight quote after a space opens)."""
    if token in ('"', "'"):
        return not sep
    return all(ch in _CLOSING for ch in token)


def _zh_forms(text: str) -> tuple[str, str]:
    """(mid-line form, line-end form) of a Chinese atom per Netflix zh-Hans.

    A trailing ，or 。 becomes a space inside a line and goes at a line end;
    one followed by another mark (a closing quote) goes in both forms.
    """
    body = text.rstrip("".join(_CLOSING))
    tail = text[len(body) :]
    kept = []
    for index, ch in enumerate(tail):
        if ch in _COMMA_STOP:
            if index == len(tail) - 1:
                kept.append(" ")
            continue
        kept.append(ch)
    middle = body + "".join(kept)
    return middle, middle.rstrip()


class _Breaker:
    """Atoms of one utterance with their widths and break costs."""

    def __init__(self, atoms: list[_Atom], language: str, max_chars: float) -> None:
        self.atoms = atoms
        self.zh = language == "zh"
        self.max_chars = max_chars
        forms = [_zh_forms(a.text) for a in atoms] if self.zh else [(a.text, a.text) for a in atoms]
        self.mid = [f[0] for f in forms]
        self.end = [f[1] for f in forms]
        self.wm = [display_width(f[0], language) for f in forms]
        self.we = [display_width(f[1], language) for f in forms]
        self.ws = [
            0.0
            if (k == 0 or not a.sep or self.mid[k - 1].endswith(" "))
            else display_width(" ", language)
            for k, a in enumerate(atoms)
        ]
        prefix = [0.0]
        for k in range(len(atoms)):
            prefix.append(prefix[-1] + self.wm[k] + self.ws[k])
        # width(i, j) = right[j] - left[i]: a line ends in its last atom's end form
        # and starts without the first atom's separator
        self.left = [prefix[i] + self.ws[i] for i in range(len(atoms))]
        self.right = [0.0] + [
            prefix[j] - self.wm[j - 1] + self.we[j - 1] for j in range(1, len(prefix))
        ]
        self.brk = [self._break_cost(k) for k in range(len(atoms))]
        self._memo: dict[tuple[int, int, int, float], tuple[float, tuple[int, ...]] | None] = {}

    def width(self, i: int, j: int) -> float:
        """Width of atoms ``i..j-1`` set on one line."""
        return self.right[j] - self.left[i]

    def render(self, i: int, j: int) -> str:
        """Atoms ``i..j-1`` as one line of text."""
        parts = []
        for k in range(i, j):
            if k > i and self.ws[k]:
                parts.append(" ")
            parts.append(self.end[k] if k == j - 1 else self.mid[k])
        return "".join(parts).strip()

    def _break_cost(self, k: int) -> float:
        """Cost of a line or cue break after atom ``k``."""
        if k + 1 >= len(self.atoms):
            return 0.0
        left, right = self.atoms[k].text, self.atoms[k + 1].text
        tail = left.rstrip("”’」』)）]】》\"'")
        if tail and tail[-1] in _SENTENCE_END:
            return 0.0
        if tail and tail[-1] in _CLAUSE_END:
            return 1.0
        if tail != left or right[0] in _OPENING:
            return 3.0
        return self._word_cost(left, right) if not self.zh else self._zh_cost(left, right)

    @staticmethod
    def _zh_cost(left: str, right: str) -> float:
        if right[0] in _PARTICLES or (left[-1].isdigit() and right[0] in _UNITS):
            return 14.0
        if left[-1].isascii() and left[-1].isalnum() and is_cjk(right[0]):
            return 8.0  # "Sora版", "AI上面": a Latin term and its Chinese suffix
        if not is_cjk(left[-1]) or not is_cjk(right[0]):
            return 4.0
        return 8.0

    @staticmethod
    def _word_cost(left: str, right: str) -> float:
        word = left.lower().strip("\"'“‘(")
        if word in _EN_NO_BREAK_AFTER:
            return float(_EN_NO_BREAK_AFTER[word])
        if word.isdigit():
            return 30.0  # "30 years": a number and what it counts
        if left[:1].isupper() and right[:1].isupper():
            return 50.0  # first and last name, a multi-word name
        if right.lower() in ("not", "n't") or right.lower().strip(",.") in _EN_BREAK_BEFORE:
            return 30.0 if right.lower() == "not" else 2.0
        return 8.0

    def layout(
        self, i: int, j: int, lines: int, reserve: float
    ) -> tuple[float, tuple[int, ...]] | None:
        """Best line breaks for atoms ``i..j-1``: (cost, break indices), or None."""
        key = (i, j, lines, reserve)
        if key not in self._memo:
            self._memo[key] = self.fit(i, j, lines, reserve)
        return self._memo[key]

    def fit(
        self, i: int, j: int, lines: int, reserve: float
    ) -> tuple[float, tuple[int, ...]] | None:
        limit = self.max_chars
        left, right = self.left, self.right
        total = right[j] - left[i] + reserve
        if total <= limit:
            return 0.0, ()
        if lines == 1 or total > lines * limit:
            return None
        best: tuple[float, tuple[int, ...]] | None = None
        for k in range(i + 1, j):
            top = right[k] - left[i] + reserve
            if top > limit:
                break
            if lines == 2:
                below = right[j] - left[k]
                if below > limit:
                    continue
                rest: tuple[float, tuple[int, ...]] = (0.0, ())
            else:
                found = self.layout(k, j, lines - 1, 0.0)
                if found is None:
                    continue
                rest = found
                below = right[rest[1][0] if rest[1] else j] - left[k]
            cost = self.brk[k - 1] + rest[0] + 6.0 * abs(top - below) / limit
            if self.zh and top > below:  # zh-Hans: the top line is the shorter one
                cost += 2.0 + (top - below)
            if best is None or cost < best[0]:
                best = (cost, (k, *rest[1]))
        return best


def _char_weight(ch: str) -> float:
    """How long a character takes to say, relative to one Han character."""
    if is_cjk(ch):
        return 1.0
    if ch.isalnum():
        return 0.45
    if ch.isspace():
        return 0.1
    return 0.6 if ch in _SENTENCE_END or ch in _CLAUSE_END else 0.1


def _cumulative(text: str) -> list[float]:
    out = [0.0]
    for ch in text:
        out.append(out[-1] + _char_weight(ch))
    return out


class _Clock:
    """Maps a character offset of the display text to ms from the clip start.

    Anchors come from the engine's boundaries (located in the spoken text in
    order); between anchors, and where there are none, time runs in proportion
    to character weights.
    """

    def __init__(self, display: str, placement: Placement) -> None:
        clip = placement.clip
        duration = clip.duration_ms if clip is not None else placement.end_ms - placement.start_ms
        spoken = placement.utterance.spoken or display
        self.display_weights = _cumulative(display)
        spoken_weights = _cumulative(spoken)
        scale = spoken_weights[-1] / self.display_weights[-1] if self.display_weights[-1] else 0.0
        self.scale = scale
        points: list[tuple[float, float]] = []
        cursor = 0
        for boundary in clip.boundaries if clip is not None else ():
            found = spoken.find(boundary.text, cursor) if boundary.text else -1
            if found < 0:
                continue
            cursor = found + len(boundary.text)
            for weight, ms in (
                (spoken_weights[found], boundary.start_ms),
                (spoken_weights[cursor], boundary.end_ms),
            ):
                if not points or (weight >= points[-1][0] and ms >= points[-1][1]):
                    points.append((weight, float(ms)))
        if not points or points[0][0] > 0:
            points.insert(0, (0.0, 0.0 if not points else min(points[0][1], 0.0)))
        if points[-1][0] < spoken_weights[-1]:
            points.append((spoken_weights[-1], float(max(duration, points[-1][1]))))
        self.weights = [p[0] for p in points]
        self.times = [p[1] for p in points]
        self.duration = duration

    def at(self, offset: int) -> int:
        """ms from the clip start at which display character ``offset`` is heard."""
        weight = self.display_weights[min(offset, len(self.display_weights) - 1)] * self.scale
        index = bisect.bisect_right(self.weights, weight)
        if index <= 0:
            return round(self.times[0])
        if index >= len(self.weights):
            return round(min(self.times[-1], self.duration))
        w0, w1 = self.weights[index - 1], self.weights[index]
        t0, t1 = self.times[index - 1], self.times[index]
        share = (weight - w0) / (w1 - w0) if w1 > w0 else 0.0
        return round(min(t0 + share * (t1 - t0), self.duration))


def _normalize(text: str, language: str) -> str:
    """One line of display text; Chinese ellipses become ⋯ (Netflix zh-Hans)."""
    text = " ".join(text.split())
    return _ELLIPSIS.sub("⋯", text) if language == "zh" else text


def _split_long_atoms(atoms: list[_Atom], language: str, limit: float) -> list[_Atom]:
    """Cut any atom wider than ``limit`` (a very long Latin run) at spaces, else per character."""
    out: list[_Atom] = []
    for atom in atoms:
        if display_width(atom.text, language) <= limit:
            out.append(atom)
            continue
        pieces = atom.text.split(" ") if " " in atom.text else list(atom.text)
        joiner = " " if " " in atom.text else ""
        offset = atom.start
        for index, piece in enumerate(pieces):
            sep = atom.sep if index == 0 else joiner
            out.extend(
                _split_long_atoms([_Atom(piece, offset, offset + len(piece), sep)], language, limit)
                if joiner
                else [_Atom(piece, offset, offset + len(piece), sep)]
            )
            offset += len(piece) + len(joiner)
    return out


def _utterance_cues(
    placement: Placement, language: str, profile: CaptionProfile, label: str
) -> list[Cue]:
    """Cues for one spoken utterance, timed on the programme."""
    text = _normalize(placement.utterance.display, language)
    if not any(ch.isalnum() for ch in text):
        return []  # only punctuation (a stray closing quote): nothing to read
    atoms = _atoms_zh(text) if language == "zh" else _atoms_en(text)
    reserve = min(display_width(label, language), profile.max_chars / 2) if label else 0.0
    atoms = _split_long_atoms(atoms, language, profile.max_chars - reserve)
    if not atoms:
        return []
    breaker = _Breaker(atoms, language, profile.max_chars)
    clock = _Clock(text, placement)
    starts = [clock.at(a.start) for a in atoms]
    ends = [clock.at(a.end) for a in atoms]
    plan = _plan_cues(breaker, starts, ends, profile, reserve)
    cues: list[Cue] = []
    for index, (i, j, breaks) in enumerate(plan):
        edges = (i, *breaks, j)
        lines = tuple(breaker.render(a, b) for a, b in itertools.pairwise(edges))
        cues.append(
            Cue(
                start_ms=placement.start_ms + starts[i],
                end_ms=placement.start_ms + max(ends[j - 1], starts[i] + 1),
                speaker=placement.utterance.speaker,
                lines=tuple(line for line in lines if line),
                label=bool(label) and index == 0,
                utterance_id=placement.utterance.id,
            )
        )
    return cues


def _plan_cues(
    breaker: _Breaker,
    starts: list[int],
    ends: list[int],
    profile: CaptionProfile,
    reserve: float,
) -> list[tuple[int, int, tuple[int, ...]]]:
    """Group atoms into cues by dynamic programming: (first, stop, line breaks) per cue."""
    n = len(breaker.atoms)
    whole = breaker.fit(0, n, profile.max_lines, reserve)
    if whole is not None and whole[0] < _CUE_COST / 2 and ends[-1] - starts[0] <= profile.max_ms:
        return [(0, n, whole[1])]  # fast path: the sentence fits one cue well
    capacity = profile.max_chars * profile.max_lines
    best: list[tuple[float, int, tuple[int, ...]]] = [(0.0, -1, ())]
    for j in range(1, n + 1):
        choice: tuple[float, int, tuple[int, ...]] | None = None
        for i in range(j - 1, -1, -1):
            room = reserve if i == 0 else 0.0
            if breaker.width(i, j) + room > capacity and choice is not None:
                break
            layout = breaker.fit(i, j, profile.max_lines, room)
            if layout is None:
                continue
            cost = best[i][0] + _CUE_COST + layout[0]
            cost += _CUE_BREAK_WEIGHT * breaker.brk[j - 1] if j < n else 0.0
            cost += _duration_cost(ends[j - 1] - starts[i], profile)
            if choice is None or cost < choice[0]:
                choice = (cost, i, layout[1])
        if choice is None:  # cannot happen after _split_long_atoms; keep one atom per cue
            choice = (best[j - 1][0] + 1000.0, j - 1, ())
        best.append(choice)
    plan: list[tuple[int, int, tuple[int, ...]]] = []
    j = n
    while j > 0:
        _, i, breaks = best[j]
        plan.append((i, j, breaks))
        j = i
    return plan[::-1]


def _duration_cost(ms: int, profile: CaptionProfile) -> float:
    if ms > profile.max_ms:
        return 100.0 + (ms - profile.max_ms) / 50.0
    if ms < profile.min_ms:
        return (profile.min_ms - ms) / 100.0
    return 0.0


def _sound_cue(placement: Placement) -> Cue:
    """A non-speech caption such as ``[笑]`` over its own slot."""
    text = " ".join(placement.utterance.display.split())
    return Cue(
        start_ms=placement.start_ms,
        end_ms=max(placement.end_ms, placement.start_ms + 1),
        speaker=placement.utterance.speaker,
        lines=(text,),
        kind="sound",
        utterance_id=placement.utterance.id,
    )


def _retime(cues: list[Cue], profile: CaptionProfile, duration_ms: int) -> tuple[Cue, ...]:
    """Gaps of 2 frames, chaining, minimum durations, nothing past the programme end.

    Starts stay on the speech; only ends move: back to open a gap, forward to
    close a short gap or reach the minimum duration, never into the next cue.
    """
    step = profile.min_gap_ms + 1
    out: list[Cue] = []
    previous_start = -step
    starts: list[int] = []
    for cue in cues:  # strictly spaced starts leave room for a gap between any two cues
        previous_start = max(cue.start_ms, previous_start + step)
        starts.append(previous_start)
    for index, cue in enumerate(cues):
        start = starts[index]
        speech_end = max(cue.end_ms, start + 1)
        ceiling = starts[index + 1] - profile.min_gap_ms if index + 1 < len(cues) else duration_ms
        end = speech_end
        if index + 1 < len(cues) and ceiling - end <= profile.chain_gap_ms - profile.min_gap_ms:
            end = ceiling  # chain: close a short gap to exactly 2 frames
        if end - start < profile.min_ms:
            end = max(end, min(start + profile.min_ms, ceiling))
        end = min(end, max(speech_end, start + profile.max_ms), ceiling, duration_ms)
        out.append(
            Cue(
                start,
                max(end, start + 1),
                cue.speaker,
                cue.lines,
                cue.label,
                cue.kind,
                cue.utterance_id,
            )
        )
    return tuple(out)


def build_cues(timeline: Timeline, *, language: str, profile: CaptionProfile) -> tuple[Cue, ...]:
    """Caption cues for a whole timeline.

    Args:
        timeline: placed clips and sound cues, in programme order.
        language: "zh" (or any zh-* tag) or another language (English rules).
        profile: line, duration and gap limits (see ``caption_profiles``).

    Returns:
        Cues in time order, one speaker per cue; the first cue of each new
        speaker has ``label=True``; sound cues have ``kind="sound"``.

    Raises:
        Nothing of its own: empty timelines give no cues.
    """
    lang = "zh" if language.lower().startswith("zh") else "en"
    cues: list[Cue] = []
    last_speaker: str | None = None
    for placement in sorted(timeline.placements, key=lambda p: p.start_ms):
        if placement.clip is None or placement.utterance.kind == "sound":
            cues.append(_sound_cue(placement))
            continue
        speaker = placement.utterance.speaker
        label = speaker_label(speaker, lang) if speaker != last_speaker else ""
        made = _utterance_cues(placement, lang, profile, label)
        if made:
            last_speaker = speaker
        cues.extend(made)
    return _retime(cues, profile, timeline.duration_ms)
