"""Text to Kokoro phonemes: Mandarin through misaki, Latin words through espeak-ng.

Takes a sentence, gives a string of characters that all exist in Kokoro's
vocabulary. Han text goes through misaki's legacy Mandarin G2P (the one
Kokoro v1.0 was trained with); Latin words inside it, and whole English
sentences, go through espeak-ng's IPA, mapped to misaki's English symbols.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Collection
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from tts_export.common.lang import has_han
from tts_export.errors import EngineUnavailable

G2P_REVISION = 1

# A run of Latin words separated by spaces ("New York Times", "Sora"), kept together
# so espeak reads them with their own stress.
LATIN_RUN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*(?:[ \t]+[A-Za-z]+(?:['’][A-Za-z]+)*)*")
FULLWIDTH = {
    c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
CLAUSE_PUNCT = re.compile(r"([,.;:!?…—，。、；：！？]+)")
PUNCT_MAP = str.maketrans(
    {"，": ",", "、": ",", "。": ".", "；": ";", "：": ":", "！": "!", "？": "?"}
)

# espeak-ng IPA (en-us / en-gb) -> misaki's English symbols, longest first. Facts
# from misaki's phoneme set: diphthongs are single letters (A=eɪ, I=aɪ, W=aʊ,
# Y=ɔɪ, O=oʊ US, Q=əʊ GB), affricates are ʤ ʧ, US r-coloured vowels are ɜɹ/əɹ,
# and vowel length is not marked in US English.
_IPA_PAIRS: tuple[tuple[str, str], ...] = (
    ("ɜːɹ", "ɜɹ"),
    ("ɜː", "ɜɹ"),
    ("eɪ", "A"),
    ("aɪ", "I"),
    ("aʊ", "W"),
    ("ɔɪ", "Y"),
    ("oʊ", "O"),
    ("əʊ", "Q"),
    ("dʒ", "ʤ"),
    ("tʃ", "ʧ"),
    ("ɚɹ", "əɹ"),
    ("ɚ", "əɹ"),
    ("ɐ", "ə"),
    ("ː", ""),
    ("g", "ɡ"),
    ("r", "ɹ"),
    ("ɫ", "l"),
    ("\u0329", ""),
    ("\u0361", ""),
)
_IPA_RE = re.compile("|".join(re.escape(a) for a, _ in _IPA_PAIRS))
_IPA_MAP = dict(_IPA_PAIRS)


def ipa_to_kokoro(ipa: str, vocab: Collection[str]) -> str:
    """Map espeak-ng IPA to misaki's symbols and drop anything not in ``vocab``."""
    mapped = _IPA_RE.sub(lambda m: _IPA_MAP[m.group(0)], ipa)
    return "".join(ch for ch in mapped if ch in vocab)


def split_camel(word_run: str) -> str:
    """``OpenAI`` -> ``Open AI``, ``ChatGPT`` -> ``Chat GPT``, ``iPhone`` -> ``i Phone``."""
    run = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", word_run)
    return re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", run)


def is_initialism(word: str) -> bool:
    """True for an all-capital word that is spelled, not read (UI, GPT; not NASA).

    Up to three capitals, or capitals without a vowel, are spelled; longer ones
    with vowels (NASA, NATO) are read as words.
    """
    return (
        len(word) >= 2
        and word.isascii()
        and word.isupper()
        and word.isalpha()
        and (len(word) <= 3 or not re.search(r"[AEIOUY]", word))
    )


def normalize_zh(text: str) -> str:
    """Rewrite what misaki's number reader misreads, before it sees the text.

    ``GPT-5`` would be read "GPT minus five", ``3-5年`` "three minus five",
    ``10:30`` "ten : thirty".
    """
    text = text.translate(FULLWIDTH)
    text = re.sub(r"(?<=[A-Za-z])\s*[-‐‑–]\s*(?=\d)", " ", text)
    text = re.sub(r"(?<=\d)\s*[-‐‑–~～—]\s*(?=\d)", "到", text)
    return re.sub(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)", r"\1点\2", text)


class G2P:
    """Phonemizer for Kokoro: ``g2p(text)`` gives vocabulary symbols only.

    The misaki object, jieba's dictionary and espeak-ng are loaded once, on first use.
    """

    def __init__(
        self,
        vocab: Collection[str],
        *,
        english: Callable[[str], str] | None = None,
        english_voice: str = "en-us",
    ) -> None:
        """Make a phonemizer for ``vocab``.

        Args:
            vocab: the symbols the model knows.
            english: IPA for Latin text; defaults to espeak-ng with ``english_voice``.
            english_voice: the espeak-ng voice used for Latin words.

        """
        self.vocab = frozenset(vocab)
        self._zh: Callable[[str], Any] | None = None
        self._english = english
        self._english_voice = english_voice
        self._letters: dict[str, str] = {}

    @property
    def version(self) -> str:
        """Versions of everything that shapes the phonemes."""
        parts = [f"g2p-{G2P_REVISION}"]
        for dist in ("misaki", "pypinyin", "cn2an", "jieba", "espeakng-loader"):
            try:
                parts.append(f"{dist}-{version(dist)}")
            except PackageNotFoundError:
                parts.append(f"{dist}-none")
        return "/".join(parts)

    def __call__(self, text: str) -> str:
        """Phonemes for ``text``: Mandarin when it holds Han characters, else English.

        Raises:
            EngineUnavailable: misaki (Mandarin) or espeak-ng (Latin words) cannot be loaded.
        """
        if has_han(text):
            return self.mandarin(text)
        return self.english(text)

    def mandarin(self, text: str) -> str:
        """Phonemes for Chinese text, Latin words and numbers included.

        Raises:
            EngineUnavailable: misaki or espeak-ng cannot be loaded.
        """
        import cn2an

        zh = self._zh_g2p()
        text = cn2an.transform(normalize_zh(text), "an2cn")
        pieces: list[str] = []
        pos = 0
        for m in LATIN_RUN.finditer(text):
            pieces.append(zh(text[pos : m.start()])[0])
            pieces.append(self.latin(m.group(0)))
            pos = m.end()
        pieces.append(zh(text[pos:])[0])
        return self._clean(" ".join(p for p in pieces if p))

    def english(self, text: str) -> str:
        """Phonemes for Latin-script text, clause punctuation kept for prosody.

        Raises:
            EngineUnavailable: espeak-ng cannot be loaded.
        """
        out: list[str] = []
        for part in CLAUSE_PUNCT.split(text.translate(FULLWIDTH)):
            if not part.strip():
                continue
            if CLAUSE_PUNCT.fullmatch(part):
                out.append(part.translate(PUNCT_MAP)[:1])
            else:
                out.append(" " + self.ipa(part) + " ")
        return self._clean("".join(out))

    def latin(self, run: str) -> str:
        """Phonemes for a run of Latin words; initialisms and single letters are spelled.

        Inside a phrase espeak reads a lone "A" as the article, so letters are
        read one at a time.

        Raises:
            EngineUnavailable: espeak-ng cannot be loaded.
        """
        out: list[str] = []
        words: list[str] = []
        for word in split_camel(run).split():
            if is_initialism(word) or len(word) == 1:
                if words:
                    out.append(self.ipa(" ".join(words)))
                    words = []
                out.extend(self._letter(c) for c in word)
            else:
                words.append(word)
        if words:
            out.append(self.ipa(" ".join(words)))
        return " ".join(out)

    def _letter(self, letter: str) -> str:
        key = letter.upper()
        if key not in self._letters:
            self._letters[key] = self.ipa(key)
        return self._letters[key]

    def ipa(self, text: str) -> str:
        """espeak-ng's IPA for Latin ``text``, in the model's symbols.

        Raises:
            EngineUnavailable: espeak-ng cannot be loaded.
        """
        if self._english is None:
            from tts_export.engines.espeak.lib import library

            lib = library(engine="kokoro")
            voice = self._english_voice
            self._english = lambda t: lib.phonemes(t, voice)
        return ipa_to_kokoro(self._english(text), self.vocab)

    def _clean(self, phonemes: str) -> str:
        # An unreadable symbol between two words (*, /, &) still separates them.
        kept = "".join(ch if ch in self.vocab else " " for ch in phonemes)
        kept = re.sub(r"\s+", " ", kept)
        kept = re.sub(r" (?=[,.;:!?)”])", "", kept)
        return kept.strip()

    def _zh_g2p(self) -> Callable[[str], Any]:
        if self._zh is None:
            self._zh = load_misaki_zh().ZHG2P()
        return self._zh


def load_misaki_zh() -> Any:
    """Import ``misaki.zh`` with jieba kept quiet.

    Raises:
        EngineUnavailable: misaki (or one of its dependencies) is not importable.
    """
    try:
        import jieba

        jieba.setLogLevel(logging.ERROR)
        return importlib.import_module("misaki.zh")
    except ImportError as exc:
        raise EngineUnavailable(
            "kokoro",
            f"the Mandarin phonemizer cannot be loaded: {exc}",
            hint="misaki 0.9.4 needs Python <= 3.12; use Python 3.11/3.12 or --engine espeak",
        ) from None
