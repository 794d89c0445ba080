"""Line breaking: caption text and a width limit in; unbreakable atoms and line layouts out.

Display text is cut into atoms that must never be split (a jieba word with
its punctuation, a Latin term such as ``Sora 2`` or ``GPT-5``, a number, an
English word). ``Breaker`` knows each atom's width and the cost of a break
after it (low after punctuation, high inside a name or before a Chinese
particle), and lays a run of atoms out on lines: balanced, in Chinese
bottom-heavy, with a trailing ，or 。 dropped at a line end (Netflix zh-Hans).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from tts_export.common.lang import display_width, is_chinese, is_cjk

SENTENCE_END = frozenset("。！？；!?;⋯…")
CLAUSE_END = frozenset("，、：,:")
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


@dataclass(frozen=True)
class Atom:
    """An unbreakable piece of caption text; offsets index the normalized text."""

    text: str
    start: int
    end: int
    sep: str  # whitespace before it, dropped at a line start


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


def _atoms_zh(text: str) -> list[Atom]:
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


def _atoms_en(text: str) -> list[Atom]:
    """Words; a word that is only punctuation (a dash) stays with the word before."""
    return _glue([(m.start(), m.group()) for m in _EN_WORD.finditer(text)], spaced=True)


def _glue(tokens: list[tuple[int, str]], *, spaced: bool = False) -> list[Atom]:
    """Fold tokens into atoms: closing marks join the atom before, opening ones the next.

    ``spaced``: the tokens were separated by whitespace (English words).
    """
    atoms: list[Atom] = []
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
            atoms[-1] = Atom(text, last.start, start + len(token), last.sep)
        elif all(ch in _OPENING or ch in "\"'" for ch in token) or (
            not atoms and all(ch in _CLOSING for ch in token)
        ):
            pending_sep = pending_sep if pending else sep
            pending.append((start, token))
        else:
            begin = pending[0][0] if pending else start
            text = "".join(t for _, t in pending) + token
            spaced_before = (pending_sep if pending else sep) and bool(atoms)
            atoms.append(Atom(text, begin, start + len(token), " " if spaced_before else ""))
            pending = []
        sep = False
    if pending:  # stray opening marks at the very end stay with the last word
        text = "".join(t for _, t in pending)
        if atoms:
            last = atoms[-1]
            atoms[-1] = Atom(last.text + text, last.start, pending[-1][0] + 1, last.sep)
        else:
            atoms.append(Atom(text, pending[0][0], pending[-1][0] + 1, ""))
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


class Breaker:
    """Atoms of one utterance with their widths and break costs."""

    def __init__(self, atoms: list[Atom], language: str, max_chars: float) -> None:
        self.atoms = atoms
        self.zh = is_chinese(language)
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
        if tail and tail[-1] in SENTENCE_END:
            return 0.0
        if tail and tail[-1] in CLAUSE_END:
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
        """Like ``layout`` but not cached: (cost, break indices), or None when it cannot fit.

        ``reserve`` is width taken on the first line (a speaker label).
        """
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


def normalize(text: str, language: str) -> str:
    """One line of display text; Chinese ellipses become ⋯ (Netflix zh-Hans)."""
    text = " ".join(text.split())
    return _ELLIPSIS.sub("⋯", text) if is_chinese(language) else text


def _split_long_atoms(atoms: list[Atom], language: str, limit: float) -> list[Atom]:
    """Cut any atom wider than ``limit`` (a very long Latin run) at spaces, else per character."""
    out: list[Atom] = []
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
                _split_long_atoms([Atom(piece, offset, offset + len(piece), sep)], language, limit)
                if joiner
                else [Atom(piece, offset, offset + len(piece), sep)]
            )
            offset += len(piece) + len(joiner)
    return out


def cut_atoms(text: str, language: str, limit: float) -> list[Atom]:
    """The atoms of normalized display text, none wider than ``limit``.

    Args:
        text: one utterance's text after ``normalize``.
        language: "zh" (jieba words, Chinese rules) or "en" (space-separated words).
        limit: the widest an atom may be; a wider one (a very long Latin run) is
            cut at spaces, else per character.

    Returns:
        The atoms in text order; offsets index ``text``.

    Raises:
        Nothing of its own: empty text gives no atoms.
    """
    atoms = _atoms_zh(text) if is_chinese(language) else _atoms_en(text)
    return _split_long_atoms(atoms, language, limit)
